import { Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { createRegionMetrics } from '@bootsync/region/metrics';
import { RackMetrics } from '@bootsync/rack/metrics';
import { markdownTable } from './markdown.js';

export interface MetricDoc {
  readonly daemon: 'region' | 'rack';
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly labels: readonly string[];
}

async function ownMetrics(daemon: MetricDoc['daemon'], registry: Registry, defaultPrefix: string): Promise<MetricDoc[]> {
  // Node's process metrics (prom-client defaults) are listed apart: name them by registering them alone.
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults, prefix: defaultPrefix });
  const defaultNames = new Set((await defaults.getMetricsAsJSON()).map((m) => m.name));
  const metrics = (await registry.getMetricsAsJSON()) as MetricObjectWithValues<MetricValue<string>>[];
  // A labelled metric without a value yet shows no labels in its values; its declared names are on the instance.
  const declared = new Map(
    registry.getMetricsAsArray().map((m) => [m.name, (m as typeof m & { labelNames?: readonly string[] }).labelNames ?? []]),
  );
  return metrics
    .filter((m) => !defaultNames.has(m.name))
    .map((m) => ({
      daemon,
      name: m.name,
      type: String(m.type),
      help: m.help,
      labels: [...new Set([...(declared.get(m.name) ?? []), ...m.values.flatMap((v) => Object.keys(v.labels))])].filter((l) => l !== 'le').sort(),
    }));
}

/** Every metric bootsync itself defines, from the metrics modules (not from a list kept by hand). */
export async function bootsyncMetrics(): Promise<MetricDoc[]> {
  const region = createRegionMetrics();
  const rack = new RackMetrics('rack-1');
  return [...(await ownMetrics('region', region.registry, 'bootsync_region_')), ...(await ownMetrics('rack', rack.registry, ''))];
}

/** Names of every series the daemons expose, Node's defaults included (what a dashboard may query). */
export async function exposedMetricNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const registry of [createRegionMetrics().registry, new RackMetrics('rack-1').registry]) {
    for (const m of await registry.getMetricsAsJSON()) {
      names.add(m.name);
      if (String(m.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${m.name}${suffix}`);
    }
  }
  return names;
}

export function metricsTable(metrics: readonly MetricDoc[]): string {
  return markdownTable(
    ['daemon', 'metric', 'type', 'labels', 'meaning'],
    metrics.map((m) => [m.daemon, `\`${m.name}\``, m.type, m.labels.map((l) => `\`${l}\``).join(', '), m.help]),
  );
}
