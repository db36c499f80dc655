import { envName, flagName, type AnyOptionSpec, type OptionSpecs } from '@bootsync/shared/config';
import { regionOptions } from '@bootsync/region/config';
import { RACK_DEFAULTS, RACK_SETTINGS, type RackSetting } from '@bootsync/rack/config';
import { markdownTable } from './markdown.js';

/** What each rack setting means; a setting missing here reads "(undocumented)", which the doc test refuses. */
const RACK_DESCRIPTIONS: Readonly<Partial<Record<RackSetting, string>>> = {
  'region-url': "the region's base URL, e.g. http://10.0.0.2:5240",
  'secret-file': "file holding the region's secret (`<region data dir>/secret`)",
  name: 'rack name: letters, digits, `.` `_` `-`; unique per region',
  'data-dir': 'snapshots and cache; `current` points at the snapshot served',
  listen: 'address of the image server (`/images/`), health and metrics',
  'redis-url': 'Redis shared with the region',
  'snapshot-grace': 'how long a replaced snapshot stays on disk, so a machine mid-boot is not cut off',
};

/** Rack settings without an entry in RACK_DEFAULTS, and what stands for their default. */
const RACK_NO_DEFAULT: Readonly<Partial<Record<RackSetting, string>>> = {
  'region-url': '(required)',
  'secret-file': '(required)',
  name: 'the host name',
};

const code = (text: string): string => `\`${text}\``;

export const UNDOCUMENTED = '(undocumented)';

function shownDefault(spec: AnyOptionSpec): string {
  if (spec.default === undefined) return '(none)';
  const format = (spec.format ?? String) as (value: unknown) => string;
  return code(format(spec.default));
}

/** Region settings: flag, env variable, config-file key, default, meaning; straight from `regionOptions`. */
export function regionOptionsTable(specs: OptionSpecs = regionOptions): string {
  return markdownTable(
    ['flag', 'environment', 'config file key', 'default', 'meaning'],
    Object.entries(specs).map(([key, spec]) => [
      code(`--${flagName(key)}${spec.valueName ? ` ${spec.valueName}` : ''}`),
      code(envName(key)),
      code(flagName(key)),
      shownDefault(spec),
      spec.description,
    ]),
  );
}

/** Rack settings: flag, env variable, default, meaning; from RACK_SETTINGS and RACK_DEFAULTS. */
export function rackOptionsTable(): string {
  const defaults: Readonly<Record<string, string>> = RACK_DEFAULTS;
  return markdownTable(
    ['flag', 'environment', 'default', 'meaning'],
    RACK_SETTINGS.map((setting) => {
      const key = setting.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      const fallback = defaults[key];
      return [
        code(`--${setting}`),
        code(`BOOTSYNC_${setting.toUpperCase().replace(/-/g, '_')}`),
        fallback === undefined ? (RACK_NO_DEFAULT[setting] ?? '(none)') : code(fallback),
        RACK_DESCRIPTIONS[setting] ?? UNDOCUMENTED,
      ];
    }),
  );
}
