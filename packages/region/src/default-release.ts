import type { Offer } from '@bootsync/shared/select';

/** Debian's name for the host's architecture (what MAAS's get_architecture answers), from Node's. */
export function hostArchitecture(nodeArch: string = process.arch): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64el', s390x: 's390x', arm: 'armhf', ia32: 'i386', riscv64: 'riscv64' };
  return names[nodeArch] ?? nodeArch;
}

/** MAAS's ensure_boot_source_definition: amd64 always, and the host's architecture when it is another. */
export function defaultArches(hostArch: string): string[] {
  return hostArch === '' || hostArch === 'amd64' ? ['amd64'] : [hostArch, 'amd64'];
}

/** "24.04 LTS" → [24, 4]; undefined for a release the stream does not call LTS. */
function ltsVersion(releaseTitle: string | undefined): number[] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.\d+)?\s+LTS\b/.exec(releaseTitle ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * The Ubuntu release a fresh region selects from what its default source offers: the operator's
 * `commissioning_distro_series` when they set one and the source offers it, else the newest LTS offered for one of
 * `arches`; undefined when the source offers no Ubuntu LTS for them (the caller then keeps the configured one).
 */
export function newestOfferedLts(offer: Offer, arches: readonly string[], configured?: string): string | undefined {
  const ubuntu = offer.images.filter((r) => r.kind === 'ubuntu' && r.arches.some((a) => arches.includes(a)));
  if (configured !== undefined && ubuntu.some((r) => r.release === configured)) return configured;
  let best: { release: string; version: number[] } | undefined;
  for (const r of ubuntu) {
    const version = ltsVersion(r.releaseTitle);
    if (!version) continue;
    if (!best || version[0]! > best.version[0]! || (version[0] === best.version[0] && version[1]! > best.version[1]!)) {
      best = { release: r.release, version };
    }
  }
  return best?.release;
}
