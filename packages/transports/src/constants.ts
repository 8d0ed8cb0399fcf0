/**
 * Default link costs per transport. A link adds its cost to every route it
 * receives, so cheaper transports win when several paths lead to a provider.
 * The values are those of the Python reference.
 */
export const DEFAULT_COSTS = {
  /** `ws://` and `wss://` connections. */
  WEBSOCKET: 150,
  /** `tcp://` connections. */
  TCP: 100,
  /** `unix://` connections. */
  UNIX: 50,
  /** The unix socket a node listens on for its local participants. */
  NODE: 25,
} as const;

/** Protocol version sent in and required from every handshake (major.minor of the reference package). */
export const PROTOCOL_VERSION = '0.1';

/** The four bytes that open every frame on a byte stream. */
export const SYNC_WORD: readonly number[] = [0xb8, 0x23, 0xa0, 0x6f];

/** Bytes before a frame's payload: the sync word and a little-endian u32 length. */
export const FRAME_HEADER_SIZE = 8;

/** Largest frame (or WebSocket message) accepted by default: 16 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

/**
 * Largest handshake frame a server accepts from a client that has not been
 * accepted yet (64 KiB), so an unauthenticated peer cannot make it buffer a
 * full-size frame.
 */
export const MAX_HANDSHAKE_FRAME_SIZE = 64 * 1024;

/** Milliseconds a handshake (and, on the client, connecting) may take by default. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

/** Buffered outgoing bytes above which `send()` returns false and `drain` is awaited: 1 MiB. */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;

/** Buffered outgoing bytes beyond which a link closes with `SlowConsumerError`: 64 MiB. */
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Received messages not yet consumed above which reading from the connection pauses. */
export const DEFAULT_MAX_QUEUED_MESSAGES = 4096;

/** Connections (handshaking and accepted) a server holds at most by default. */
export const DEFAULT_MAX_CONNECTIONS = 1024;

/** Milliseconds a gracefully closed socket may take to flush before it is destroyed. */
export const DEFAULT_CLOSE_TIMEOUT = 5_000;
