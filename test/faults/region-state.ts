import { DEFAULT_RELEASES, type MirrorSpec, type PayloadFtype } from '@bootsync/testkit/mirror';
import type { ImportHarness } from '@bootsync/region/testing';

/** One image family (ubuntu/noble amd64, ga and hwe), one version, payloads of the given sizes: fast to generate. */
export function nobleOnly(sizes: Partial<Record<PayloadFtype, number>>): MirrorSpec {
  return { releases: DEFAULT_RELEASES.filter((r) => r.release === 'noble'), arches: ['amd64'], versions: ['20250718'], sizes, bootloaders: false, centos: false };
}

/** `architecture version` of every complete set, sorted: what an operator can boot from. */
export async function completeSets(harness: ImportHarness): Promise<string[]> {
  const sets: string[] = [];
  for (const r of await harness.repos.bootResources.list()) {
    sets.push(...(await harness.repos.resourceSets.listForResource(r.id)).filter((s) => s.complete).map((s) => `${r.architecture} ${s.version}`));
  }
  return sets.sort();
}
