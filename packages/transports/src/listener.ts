/** Where a server listens. */
export type ListenAddress = { readonly host: string; readonly port: number } | { readonly path: string };

/** A listening socket handing out new connections; closed by its server. */
export interface Listener {
  readonly address: ListenAddress;
  /** Stops accepting; resolves once the listening socket and all connections it handed out are closed. */
  close(): Promise<void>;
}
