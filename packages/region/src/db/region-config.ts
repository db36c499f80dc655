import type { Db } from './connection.js';
import { ValidationError } from './errors.js';
import { parseJson } from './rows.js';
import type { RegionConfig } from './types.js';

/**
 * MAAS's defaults for the settings the region knows (maasservicelayer/models/configurations.py). The releases are
 * MAAS's LTS of the day; a fresh region stores the newest LTS its default source offers instead (default-source.ts).
 */
export const REGION_CONFIG_DEFAULTS: RegionConfig = Object.freeze({
  boot_images_auto_import: true,
  http_proxy: '',
  enable_http_proxy: true,
  boot_images_no_proxy: false,
  boot_images_import_interval_minutes: 60,
  commissioning_osystem: 'ubuntu',
  commissioning_distro_series: 'noble',
  default_osystem: 'ubuntu',
  default_distro_series: 'noble',
});

export type RegionConfigKey = keyof RegionConfig;

/** Settings MAAS has no default for (None): its get_config answers null until someone sets them. */
const NULL_UNTIL_SET: ReadonlySet<RegionConfigKey> = new Set(['http_proxy']);

export function isRegionConfigKey(key: string): key is RegionConfigKey {
  return Object.hasOwn(REGION_CONFIG_DEFAULTS, key);
}

function checkValue(key: RegionConfigKey, value: unknown): void {
  const expected = typeof REGION_CONFIG_DEFAULTS[key];
  if (typeof value !== expected) throw new ValidationError('Config', { [key]: [`Expected a ${expected}, got ${JSON.stringify(value)}.`] });
  if (key === 'boot_images_import_interval_minutes' && !(Number.isSafeInteger(value) && (value as number) >= 1)) {
    throw new ValidationError('Config', { [key]: ['Ensure this value is greater than or equal to 1.'] });
  }
  if (key === 'http_proxy' && value !== '') {
    try {
      new URL(value as string);
    } catch {
      throw new ValidationError('Config', { [key]: ['Enter a valid URL.'] });
    }
  }
}

/** The region's settings (key → JSON value); keys not stored read as their MAAS default. */
export class RegionConfigRepository {
  constructor(private readonly db: Db) {}

  get(): RegionConfig {
    const rows = this.db.prepare('SELECT key, value FROM config').all() as { key: string; value: string }[];
    const stored = Object.fromEntries(rows.filter((r) => isRegionConfigKey(r.key)).map((r) => [r.key, parseJson<unknown>(r.value)]));
    return { ...REGION_CONFIG_DEFAULTS, ...stored };
  }

  /** One setting as MAAS's get_config shows it: the stored value, else the default, or null where MAAS has none. */
  shown<K extends RegionConfigKey>(key: K): RegionConfig[K] | null {
    const row = this.db.prepare('SELECT value FROM config WHERE key = ?').get(key) as { value: string } | undefined;
    if (row) return parseJson<RegionConfig[K]>(row.value);
    return NULL_UNTIL_SET.has(key) ? null : REGION_CONFIG_DEFAULTS[key];
  }

  /** Whether a setting was ever stored (by an operator, or by the region's first start), rather than defaulted. */
  isSet(key: RegionConfigKey): boolean {
    return this.db.prepare('SELECT 1 FROM config WHERE key = ?').get(key) !== undefined;
  }

  set<K extends RegionConfigKey>(key: K, value: RegionConfig[K]): RegionConfig {
    if (!isRegionConfigKey(key)) throw new ValidationError('Config', { name: [`Unknown config name: ${String(key)}.`] });
    checkValue(key, value);
    this.db
      .prepare('INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(key, JSON.stringify(value));
    return this.get();
  }
}
