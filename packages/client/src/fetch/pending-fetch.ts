// One fetch waiting for its answer on its return port: a bounded wait (its
// timeout, its signal, see `Wait`) that settles with the answer's body, a
// FetchError for an error answer, or what `validate` makes of the body. One
// object per call and no closure: a fetch is the hot path of request/reply,
// and every closure per call is allocated and collected.
import { Wait } from '@streamtasks/link/internal';
import { Ports } from '../constants.js';
import { formatEndpoint, parseEndpoint, type Endpoint } from '../endpoint.js';
import { FetchError, InvalidResponseError } from '../errors.js';

/** Checks an answer body; what it returns is the fetch's result. */
export type AnswerValidator = (value: unknown, path?: string) => unknown;

/**
 * Names a fetch in a timeout or abort error (built only for an error): the
 * endpoint as given, parsed again here so that a fetch keeps no parse of it.
 */
export function describeFetch(descriptor: string, endpoint: Endpoint): string {
  return `an answer to fetch ${JSON.stringify(descriptor)} from ${formatEndpoint(parseEndpoint(endpoint, Ports.FETCH))}`;
}

export class PendingFetch extends Wait<unknown> {
  /**
   * @param port the return port the answer arrives on
   * @param endpoint where the request went, as given (named in a timeout or abort error)
   * @param descriptor what was asked for (likewise)
   * @param validate checks the body of a successful answer
   * @param onEnded called once when the wait ends, however it ends (gives the port back)
   */
  constructor(
    readonly port: number,
    private readonly endpoint: Endpoint,
    private readonly descriptor: string,
    private readonly validate: AnswerValidator | undefined,
    private readonly onEnded: (pending: PendingFetch) => void,
  ) {
    super();
  }

  /** The answer arrived: its body, or an error answer's body. */
  answer(body: unknown, error: boolean): void {
    if (this.isDone) return;
    if (error) this.reject(new FetchError(body));
    else if (this.validate === undefined) this.resolve(body);
    else this.resolveChecked(this.validate, body);
  }

  protected describe(): string {
    return describeFetch(this.descriptor, this.endpoint);
  }

  protected override ended(): void {
    this.onEnded(this);
  }

  /** The answer as `validate` returns it; what it throws becomes an {@link InvalidResponseError}. */
  private resolveChecked(validate: AnswerValidator, body: unknown): void {
    let value: unknown;
    try {
      value = validate(body, 'answer');
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      this.reject(new InvalidResponseError(`unexpected answer to fetch ${JSON.stringify(this.descriptor)}: ${reason}`, { cause }));
      return;
    }
    this.resolve(value);
  }
}
