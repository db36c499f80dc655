/**
 * One summary line per fault test, `[faults] <what>: key=value ...`, on stdout: docs/reliability.md copies these
 * figures from a run of `npm run test:faults`, so the numbers there are measured, not written by hand.
 */
export function report(what: string, figures: Readonly<Record<string, string | number | boolean | undefined>>): void {
  const fields = Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`);
  console.log(`[faults] ${what}: ${fields.join(' ')}`);
}
