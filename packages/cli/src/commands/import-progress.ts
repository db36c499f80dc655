import { drawBar } from '../progress/index.js';

/** Where an import stands, from the per-image status strings of `boot-resources read`. Pure. */
export interface ImportProgress {
  readonly percent: number;
  /** Images the region holds completely. */
  readonly ready: number;
  readonly total: number;
}

/** "Synced" and the rack-side words mean the region holds the image; "Downloading N%" is N; the rest is 0. */
export function importProgress(statuses: readonly string[]): ImportProgress {
  const percents = statuses.map((s) => {
    const downloading = /^Downloading (\d+)%$/.exec(s);
    if (downloading) return Number(downloading[1]);
    return s === 'Synced' || /rack controller/.test(s) ? 100 : 0;
  });
  const total = statuses.length;
  const sum = percents.reduce((a, b) => a + b, 0);
  return { percent: total === 0 ? 0 : Math.floor(sum / total), ready: percents.filter((p) => p === 100).length, total };
}

/** `[########------------]  42%  3/7 images`, `width` cells of bar. */
export function progressBar(p: ImportProgress, width = 30): string {
  return `${drawBar(p.percent / 100, width)} ${String(p.percent).padStart(3)}%  ${p.ready}/${p.total} images`;
}
