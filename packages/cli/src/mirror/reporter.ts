import type { Logger } from '@bootsync/shared/logging';
import { formatBytes, formatTransfer, type Transfer } from '../progress/index.js';
import type { MirrorSelection } from './mirror-plan.js';

export interface PlanSummary {
  /** Files the selection names (one per path). */
  readonly files: number;
  readonly fetch: number;
  readonly bytes: number;
  /** Already at their path, not known to this mirror: verified before use. */
  readonly verify: number;
  readonly upToDate: number;
  readonly remove: number;
  readonly removeBytes: number;
}

export interface FileStored {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly ms: number;
  /** Bytes that were already there (a resumed partial). */
  readonly resumedFrom: number;
  /** A copy already in the mirror, verified and kept, rather than fetched. */
  readonly adopted: boolean;
}

export interface MirrorFinished {
  readonly files: number;
  readonly bytes: number;
  readonly removed: number;
  readonly documents: number;
  readonly ms: number;
}

/** What a mirror run tells its operator: a bar on a terminal, one JSON line per event otherwise. */
export interface MirrorReporter {
  started(source: string, dir: string): void;
  planned(plan: PlanSummary): void;
  /** The filters or `--max` differ from the last run's, and what only that run selected is about to go. */
  selectionChanged(before: MirrorSelection, now: MirrorSelection, removing: number): void;
  progress(transfer: Transfer): void;
  fileStored(file: FileStored): void;
  fileFailed(path: string, err: Error): void;
  fileRemoved(path: string, bytes: number): void;
  documentWritten(path: string, bytes: number): void;
  documentSkipped(path: string, reason: string): void;
  documentRemoved(path: string): void;
  finished(summary: MirrorFinished): void;
  failed(err: unknown): void;
}

const JSON_PROGRESS_MS = 1000;

/** One JSON line per event on stdout (pino, the stable field names), progress at most once a second. */
export class JsonLinesReporter implements MirrorReporter {
  readonly #log: Logger;
  #lastProgress = -Infinity;

  constructor(logger: Logger) {
    this.#log = logger;
  }

  started(source: string, dir: string): void {
    this.#log.info({ event: 'mirror.started', source, dir }, 'mirroring');
  }

  planned(plan: PlanSummary): void {
    const { files, fetch, bytes, verify, upToDate, remove, removeBytes } = plan;
    this.#log.info({ event: 'mirror.planned', files, fetch, bytes, verify, upToDate, remove, removeBytes }, 'planned');
  }

  selectionChanged(before: MirrorSelection, now: MirrorSelection, removing: number): void {
    this.#log.warn({ event: 'mirror.selection.changed', before, now, removing }, 'the selection differs from the last run: files it alone wanted go');
  }

  progress(t: Transfer): void {
    const now = performance.now();
    if (now - this.#lastProgress < JSON_PROGRESS_MS && t.bytes < t.total) return;
    this.#lastProgress = now;
    this.#log.info({ event: 'mirror.progress', bytes: t.bytes, total: t.total, filesDone: t.filesDone, files: t.files, ms: Math.round(t.elapsedMs) }, 'progress');
  }

  fileStored(f: FileStored): void {
    const event = f.adopted ? 'mirror.file.verified' : 'mirror.file.stored';
    this.#log.info({ event, path: f.path, bytes: f.bytes, sha256: f.sha256, ms: f.ms, resumedFrom: f.resumedFrom }, 'file in place');
  }

  fileFailed(path: string, err: Error): void {
    this.#log.error({ event: 'mirror.file.failed', path, err }, 'file failed');
  }

  fileRemoved(path: string, bytes: number): void {
    this.#log.info({ event: 'mirror.file.removed', path, bytes }, 'file removed');
  }

  documentWritten(path: string, bytes: number): void {
    this.#log.info({ event: 'mirror.document.written', path, bytes }, 'document written');
  }

  documentSkipped(path: string, reason: string): void {
    this.#log.warn({ event: 'mirror.document.skipped', path, reason }, 'document form not mirrored');
  }

  documentRemoved(path: string): void {
    this.#log.info({ event: 'mirror.document.removed', path }, 'document removed');
  }

  finished(s: MirrorFinished): void {
    const { files, bytes, removed, documents, ms } = s;
    this.#log.info({ event: 'mirror.finished', files, bytes, removed, documents, ms }, 'mirror up to date');
  }

  failed(err: unknown): void {
    this.#log.error({ event: 'mirror.failed', err }, 'mirror failed');
  }
}

/** Where the terminal reporter draws: stderr, so stdout stays for what scripts read. */
export interface Terminal {
  write(text: string): unknown;
}

const BAR_REDRAW_MS = 100;

/** A progress bar redrawn in place (bytes, rate, ETA, files), warnings above it, a summary line at the end. */
export class TerminalReporter implements MirrorReporter {
  readonly #out: Terminal;
  #lastDraw = -Infinity;
  #barShown = false;

  constructor(out: Terminal) {
    this.#out = out;
  }

  started(source: string, dir: string): void {
    this.#line(`Mirroring ${source} into ${dir}`);
  }

  planned(p: PlanSummary): void {
    const parts = [`${p.fetch} files to fetch (${formatBytes(p.bytes)})`];
    if (p.verify > 0) parts.push(`${p.verify} already there to verify`);
    parts.push(`${p.upToDate} up to date`);
    if (p.remove > 0) parts.push(`${p.remove} to remove (${formatBytes(p.removeBytes)})`);
    this.#line(parts.join(', '));
  }

  selectionChanged(before: MirrorSelection, now: MirrorSelection, removing: number): void {
    const show = (s: MirrorSelection): string => [...s.filters, ...(s.max === undefined ? [] : [`--max ${s.max}`])].join(' ') || '(everything)';
    this.#line(`The last run selected ${show(before)}, this one ${show(now)}: removing the ${removing} files only the last one wanted`);
  }

  progress(t: Transfer): void {
    const now = performance.now();
    if (now - this.#lastDraw < BAR_REDRAW_MS && t.bytes < t.total) return;
    this.#lastDraw = now;
    this.#out.write(`\r\x1b[K${formatTransfer(t)}`);
    this.#barShown = true;
  }

  fileStored(): void {}

  fileFailed(path: string, err: Error): void {
    this.#line(`failed: ${path}: ${err.message}`);
  }

  fileRemoved(): void {}

  documentWritten(): void {}

  documentSkipped(path: string, reason: string): void {
    this.#line(`not mirrored: ${path}: ${reason}`);
  }

  documentRemoved(): void {}

  finished(s: MirrorFinished): void {
    this.#line(
      `Mirror up to date in ${(s.ms / 1000).toFixed(1)} s: ${s.files} files fetched (${formatBytes(s.bytes)}), ` +
        `${s.removed} removed, ${s.documents} documents written`,
    );
  }

  failed(): void {
    this.#clearBar();
  }

  /** A line above the bar: the bar is cleared first and comes back with the next progress. */
  #line(text: string): void {
    this.#clearBar();
    this.#out.write(`${text}\n`);
  }

  #clearBar(): void {
    if (this.#barShown) this.#out.write('\r\x1b[K');
    this.#barShown = false;
    this.#lastDraw = -Infinity;
  }
}
