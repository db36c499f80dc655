import type { Logger } from '@bootsync/shared/logging';

/** What a rack turned away is told to wait, in seconds, before it asks again (its downloader adds up to as much). */
export const RACK_TRANSFER_RETRY_AFTER_S = 1;
/**
 * How long a request waits in line at the region for a transfer to end before it is turned away. A turned-away
 * rack comes back 1 to 2 s later: without a line, a transfer shorter than that left its turn unused meanwhile (100
 * racks x 16 MiB: 15 transfers in flight on average under a limit of 64, and the burst took twice as long).
 */
const LINE_WAIT_MS = 2_000;

/** One rack transfer under way; `end()` once its body is sent or its reader gone (a second call does nothing). */
export interface RackTransferTurn {
  end(): void;
}

export interface RackTransferLimitOptions {
  /** Transfers sent at once; 0 sends every one at once. */
  readonly max: number;
  readonly logger: Logger;
  /** Told the number in flight whenever it changes (the region's gauge). */
  readonly inFlight?: (count: number) => void;
}

interface Waiting {
  /** Hands it the turn a transfer that ended left. */
  readonly take: () => void;
}

/**
 * `--max-rack-transfers`: how many blob transfers to racks the region sends at once. A request beyond them waits
 * in line (first come, first served; at most as many in line as in flight, each up to LINE_WAIT_MS), so a turn
 * that ends goes to the next at once; beyond the line, or after that wait, it is answered 503 + Retry-After and
 * the rack waits its turn (its downloader's waitWhileBusy, with jitter), which is not a failed attempt. Without a
 * limit, a thousand racks pulling after an import would each hold a response's buffers and the kernel's socket
 * buffers at once for no more bytes per second than a few dozen get.
 */
export class RackTransferLimit {
  #inFlight = 0;
  readonly #line: Waiting[] = [];

  constructor(private readonly options: RackTransferLimitOptions) {}

  /**
   * A turn for `rack`'s transfer of blob `sha256`, at once or after waiting in line; undefined when the line is
   * full or the wait ended without one (`gone`: the rack left meanwhile).
   */
  async begin(rack: string, sha256: string, gone: AbortSignal): Promise<RackTransferTurn | undefined> {
    const { max } = this.options;
    if (max <= 0 || this.#inFlight < max) return this.#start(rack, sha256);
    if (this.#line.length >= max || gone.aborted) return this.#busy(rack, sha256);
    return new Promise((resolve) => {
      const leave = (): void => {
        clearTimeout(timer);
        gone.removeEventListener('abort', onGone);
        const at = this.#line.indexOf(waiting);
        if (at >= 0) this.#line.splice(at, 1);
      };
      const onGone = (): void => {
        leave();
        resolve(undefined);
      };
      const waiting: Waiting = {
        take: () => {
          leave();
          resolve(this.#start(rack, sha256));
        },
      };
      const timer = setTimeout(() => {
        leave();
        resolve(this.#busy(rack, sha256));
      }, LINE_WAIT_MS);
      gone.addEventListener('abort', onGone, { once: true });
      this.#line.push(waiting);
    });
  }

  #busy(rack: string, sha256: string): undefined {
    this.options.logger.debug(
      { event: 'racks.transfer.busy', rack, sha256, inFlight: this.#inFlight },
      'rack transfer turned away: as many in flight as --max-rack-transfers, and as many waiting',
    );
    return undefined;
  }

  #start(rack: string, sha256: string): RackTransferTurn {
    this.#set(this.#inFlight + 1);
    this.options.logger.debug({ event: 'racks.transfer.started', rack, sha256, inFlight: this.#inFlight });
    let ended = false;
    return {
      end: () => {
        if (ended) return;
        ended = true;
        this.#set(this.#inFlight - 1);
        this.#line[0]?.take();
      },
    };
  }

  #set(count: number): void {
    this.#inFlight = count;
    this.options.inFlight?.(count);
  }
}
