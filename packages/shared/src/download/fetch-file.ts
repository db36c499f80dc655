import { SizeMismatchError, type BlobSink, type ExpectedContent, type PartialFile } from '../store/index.js';
import { DownloadAbortedError, HttpStatusError, RetriesExhaustedError } from './errors.js';
import type { RetryPolicy } from './options.js';
import { isRetryable, pause, RetryStreak, turnDelay } from './retry.js';
import { ThrottledProgress } from './receive.js';
import type { ByteSource } from './sources.js';
import type { FileOutcome, FileRequest } from './types.js';

export interface FetchContext {
  readonly store: BlobSink;
  readonly retry: RetryPolicy;
  /** DownloaderOptions.waitWhileBusy: a Retry-After answer is a turn to wait, not a failure. */
  readonly waitWhileBusy: boolean;
  readonly signal: AbortSignal | undefined;
  /** Called with the bytes of the file now on disk. */
  readonly progress: (bytesOnDisk: number) => void;
}

/** Fetches one file into the store, resuming its partial and retrying per policy; never throws. */
export async function fetchFile(request: FileRequest, source: ByteSource, ctx: FetchContext): Promise<FileOutcome> {
  const expected: ExpectedContent = {
    checksums: request.checksums,
    size: request.size,
    source: request.url,
    ...(request.ref ? { ref: request.ref } : {}),
  };
  let partial: PartialFile | undefined;
  try {
    const present = await alreadyStored(request, ctx.store);
    if (present) return present;
    partial = await ctx.store.partial(expected);
    // Another download of the same file may have finished while this one waited for the partial.
    const doneMeanwhile = await alreadyStored(request, ctx.store);
    if (doneMeanwhile) return doneMeanwhile;
    const { resumedFrom, fetched } = await transferWithRetries(request, source, partial, ctx);
    const blob = await partial.finalize();
    return { ok: true, request, sha256: blob.sha256, bytes: blob.size, resumedFrom, fetched };
  } catch (err) {
    await partial?.close();
    const aborted = ctx.signal?.aborted === true;
    const error = aborted ? new DownloadAbortedError(request.url, partial?.offset ?? 0, request.ref) : asError(err);
    return { ok: false, request, error };
  }
}

async function transferWithRetries(
  request: FileRequest,
  source: ByteSource,
  partial: PartialFile,
  ctx: FetchContext,
): Promise<{ resumedFrom: number; fetched: number }> {
  const streak = new RetryStreak(ctx.retry);
  let resumedFrom: number | undefined;
  let fetched = 0;
  for (;;) {
    const before = partial.offset;
    try {
      if (partial.offset > request.size) await partial.restart();
      if (partial.offset === request.size) return { resumedFrom: resumedFrom ?? partial.offset, fetched };
      const opened = await source.open(partial.offset, partial.validator, ctx.signal);
      if (opened.start !== partial.offset) await partial.restart();
      if (opened.validator !== partial.validator) await partial.setValidator(opened.validator);
      resumedFrom ??= opened.start;
      ctx.progress(partial.offset);
      const progress = new ThrottledProgress(ctx.progress);
      try {
        await opened.body.deliver((chunk) => {
          if (partial.offset + chunk.byteLength > request.size) {
            throw new SizeMismatchError(request.ref, request.size, partial.offset + chunk.byteLength, request.url);
          }
          fetched += chunk.byteLength;
          const wait = partial.push(chunk);
          progress.report(partial.offset);
          return wait;
        });
      } finally {
        progress.flush(partial.offset);
      }
      return { resumedFrom, fetched };
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      if (ctx.waitWhileBusy && err instanceof HttpStatusError && err.retryAfterMs !== undefined) {
        await pause(turnDelay(err.retryAfterMs), ctx.signal);
        continue;
      }
      if (err instanceof SizeMismatchError) await partial.discard();
      if (!isRetryable(err)) throw err;
      const delay = streak.fail(partial.offset > before);
      if (delay === undefined) {
        throw new RetriesExhaustedError(request.url, streak.failures, streak.elapsedMs, request.ref, err);
      }
      await pause(delay, ctx.signal);
    }
  }
}

async function alreadyStored(request: FileRequest, store: BlobSink): Promise<FileOutcome | undefined> {
  const sha256 = request.checksums.sha256?.toLowerCase();
  if (!sha256) return undefined;
  const size = await store.size(sha256);
  if (size !== request.size) return undefined;
  return { ok: true, request, sha256, bytes: size, resumedFrom: size, fetched: 0 };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
