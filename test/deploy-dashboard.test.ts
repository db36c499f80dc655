import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bootsyncMetrics, exposedMetricNames } from '../scripts/operations-doc/metrics.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string }[];
}

/** Series names a PromQL expression reads: identifiers left once strings, matchers, ranges, grouping and calls are set aside. */
export function seriesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const keywords = new Set(['and', 'or', 'unless', 'offset', 'bool']);
  return [...bare.matchAll(/([a-zA-Z_:][\w:]*)\s*(\()?/g)].filter((m) => m[2] === undefined && !keywords.has(m[1]!)).map((m) => m[1]!);
}

/** Prometheus's own series, which no bootsync code defines. */
const PROMETHEUS_SERIES = new Set(['up']);

describe('docs/grafana/bootsync-dashboard.json', () => {
  it('queries only series the region and the racks expose (or Prometheus itself), and shows imports, bytes, sync age and failures', async () => {
    const dashboard = JSON.parse(await readFile(join(repoRoot, 'docs/grafana/bootsync-dashboard.json'), 'utf8')) as {
      panels: Panel[];
      templating: { list: { definition?: string }[] };
    };
    const exposed = await exposedMetricNames();
    const exprs = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
      ...dashboard.templating.list.flatMap((v) => (v.definition ? [v.definition.replace(/^label_values\(([^,]+),.*$/, '$1')] : [])),
    ];
    expect(exprs.length).toBeGreaterThan(10);
    const used = new Set<string>();
    for (const expr of exprs) {
      const series = seriesIn(expr);
      expect(series, `${expr} reads no series`).not.toEqual([]);
      for (const name of series) {
        expect(exposed.has(name) || PROMETHEUS_SERIES.has(name), `${expr}: no metric ${name} in the code`).toBe(true);
        used.add(name.replace(/_(bucket|sum|count)$/, ''));
      }
    }
    // What the issues ask the dashboard to show: imports, bytes, per-rack sync age, verification failures; serving (15).
    const wanted = [
      'imports_total', 'bytes_downloaded_total', 'bytes_fetched_total', 'last_sync_age_seconds', 'checksum_failures_total', 'verification_failures_total',
      'images_bytes_served_total', 'images_requests_in_flight', 'stream_bytes_served_total', 'stream_requests_in_flight',
    ];
    const ours = (await bootsyncMetrics()).map((m) => m.name);
    for (const suffix of wanted) {
      const metric = ours.find((name) => name.endsWith(`_${suffix}`));
      expect(metric, `a bootsync metric ending in _${suffix}`).toBeDefined();
      expect(used, `the dashboard shows ${metric}`).toContain(metric);
    }
  });

  it('has the panels the issue asks for, with unique ids and no overlap', async () => {
    const dashboard = JSON.parse(await readFile(join(repoRoot, 'docs/grafana/bootsync-dashboard.json'), 'utf8')) as { panels: Panel[] };
    const titles = dashboard.panels.map((p) => p.title);
    for (const wanted of ['Imports by outcome', 'Region: downloaded from boot sources', 'Racks: fetched from the region', 'Rack sync age', 'Rack sync state', 'Racks: verification failures', 'Racks: /images/ served', 'Requests in flight']) {
      expect(titles).toContain(wanted);
    }
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${p.title} overlaps another panel at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
  });

  it.each([
    ['sum by (rack) (rate(bootsync_rack_bytes_fetched_total{rack=~"$rack"}[5m]))', ['bootsync_rack_bytes_fetched_total']],
    ['histogram_quantile(0.95, sum by (le) (rate(x_bucket[6h])))', ['x_bucket']],
    ['time() - a_seconds', ['a_seconds']],
    ['increase(a[1h]) > 0 or increase(b{job="x"}[1h]) > 0', ['a', 'b']],
  ])('reads the series of %s', (expr, series) => {
    expect(seriesIn(expr)).toEqual(series);
  });
});
