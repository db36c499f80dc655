/** `[########------------]`: `width` cells, filled for the done fraction (clamped to 0..1). Pure. */
export function drawBar(fraction: number, width = 30): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `512 B`, `16.0 KiB`, `1.1 GiB`: binary units, one decimal from KiB up. Pure. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** `0:07`, `12:30`, `1:02:03`. Pure. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const two = (n: number): string => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

export interface Transfer {
  readonly bytes: number;
  readonly total: number;
  readonly elapsedMs: number;
  readonly filesDone: number;
  readonly files: number;
}

/**
 * One progress line for a download: `[####----]  42%  460.0 MiB / 1.1 GiB  96.3 MiB/s  ETA 0:07  3/12 files`.
 * The rate is the average since the start; no ETA until a rate is known. Pure.
 */
export function formatTransfer(t: Transfer, width = 24): string {
  const fraction = t.total === 0 ? 1 : t.bytes / t.total;
  const rate = t.elapsedMs > 0 ? (t.bytes * 1000) / t.elapsedMs : 0;
  const eta = rate > 0 ? formatDuration((t.total - t.bytes) / rate) : '-:--';
  return (
    `${drawBar(fraction, width)} ${String(Math.floor(fraction * 100)).padStart(3)}%  ` +
    `${formatBytes(t.bytes)} / ${formatBytes(t.total)}  ${formatBytes(rate)}/s  ETA ${eta}  ${t.filesDone}/${t.files} files`
  );
}
