import type { BootResource, RegionConfig } from '../../db/index.js';

/**
 * What MAAS's settings form offers for the OS and release settings (forms/settings.py, utils/osystems.py): the
 * OSes and releases of the boot resources the region holds, bootloaders left out. Pure: resources and config in.
 */
export type ReleaseSetting = 'commissioning_osystem' | 'commissioning_distro_series' | 'default_osystem' | 'default_distro_series';

export function isReleaseSetting(name: string): name is ReleaseSetting {
  return ['commissioning_osystem', 'commissioning_distro_series', 'default_osystem', 'default_distro_series'].includes(name);
}

/** MAAS's placeholder choice when the region holds no usable image ("--- No Usable Release ---"). */
const NONE = '---';

interface Held {
  readonly os: string;
  readonly release: string;
  readonly title: string;
}

function held(resources: readonly BootResource[]): Held[] {
  return resources
    .filter((r) => r.extra.bootloader_type === undefined)
    .map((r) => {
      const [os = '', release = ''] = r.name.includes('/') ? r.name.split('/') : ['custom', r.name];
      return { os, release, title: typeof r.extra.title === 'string' ? r.extra.title : r.name };
    });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The values the setting accepts now, in MAAS's order (releases by title). */
export function releaseChoices(name: ReleaseSetting, resources: readonly BootResource[], config: RegionConfig): string[] {
  const images = [...held(resources)].sort((a, b) => a.title.localeCompare(b.title));
  const releasesOf = (os: string): string[] => unique(images.filter((i) => i.os === os).map((i) => i.release));
  switch (name) {
    // Only Ubuntu commissions machines.
    case 'commissioning_osystem':
      return ['ubuntu'];
    case 'commissioning_distro_series': {
      // The current commissioning release stays a choice even when no image of it is held ("No image available").
      const releases = releasesOf('ubuntu');
      return releases.includes(config.commissioning_distro_series) ? releases : [config.commissioning_distro_series, ...releases];
    }
    case 'default_osystem': {
      const oses = unique(images.map((i) => i.os));
      return oses.length > 0 ? oses : [NONE];
    }
    case 'default_distro_series': {
      const releases = releasesOf(config.default_osystem);
      return releases.length > 0 ? releases : [NONE];
    }
  }
}

/** MAAS's compose_invalid_choice_text names what the value should be: `osystem`, `release` or the setting. */
const CHOICE_OF: Record<ReleaseSetting, string> = {
  commissioning_osystem: 'commissioning_osystem',
  commissioning_distro_series: 'commissioning_distro_series',
  default_osystem: 'osystem',
  default_distro_series: 'release',
};

/** MAAS's message for a value that is not among the choices, or undefined when it is. */
export function releaseChoiceError(name: ReleaseSetting, value: string, choices: readonly string[]): string | undefined {
  if (value === NONE) return 'Unable to determine supported operating systems, due to missing boot images.';
  if (choices.includes(value)) return undefined;
  return `'${value}' is not a valid ${CHOICE_OF[name]}.  It should be one of: ${choices.map((c) => `'${c}'`).join(', ')}.`;
}
