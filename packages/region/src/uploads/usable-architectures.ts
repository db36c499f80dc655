import type { BootResource, ResourceSetWithFiles } from '../db/index.js';

/**
 * MAAS's BootResource.objects.get_usable_architectures (3.4): the architectures of images that can commission and
 * deploy (a kernel, an initrd and a root image in their newest complete set), without the hwe-/ga- kernels, plus
 * each `arch/<subarch>` of their `subarches` and `arch/<platform>`. Sorted, as list_all_usable_architectures is. Pure.
 */
export function usableArchitectures(images: readonly { resource: BootResource; set: ResourceSetWithFiles }[]): string[] {
  const arches = new Set<string>();
  const isKernelFlavour = (subarch: string): boolean => subarch.includes('hwe-') || subarch.includes('ga-');
  for (const { resource, set } of images) {
    const types = new Set(set.files.map((f) => f.filetype));
    const root = types.has('squashfs') || types.has('root-image.gz');
    if (!(root && types.has('boot-kernel') && types.has('boot-initrd'))) continue;
    if (!isKernelFlavour(resource.architecture)) arches.add(resource.architecture);
    const [arch] = resource.architecture.split('/');
    const { subarches, platform } = resource.extra;
    if (typeof subarches === 'string') {
      for (const subarch of subarches.split(',').map((s) => s.trim())) if (subarch && !isKernelFlavour(subarch)) arches.add(`${arch}/${subarch}`);
    }
    if (typeof platform === 'string') arches.add(`${arch}/${platform}`);
  }
  return [...arches].sort();
}

/**
 * BootResource.get_next_version_name: today's `YYYYMMDD`, or `YYYYMMDD.N` after the sets already named for today,
 * so a new upload sorts after the resource's older sets as simplestreams sorts versions. Pure.
 */
export function nextVersionName(existing: readonly string[], now: Date): string {
  const today = now.toISOString().slice(0, 10).replace(/-/g, '');
  const same = existing.filter((v) => v.startsWith(today));
  if (same.length === 0) return today;
  const highest = Math.max(0, ...same.map((v) => Number(v.split('.')[1] ?? 0)).filter(Number.isSafeInteger));
  return `${today}.${highest + 1}`;
}
