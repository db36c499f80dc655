import type { Queryable } from './database.js';
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
  constructor(private readonly db: Queryable) {}

  async get(): Promise<RegionConfig> {
    const rows = await this.db.kysely.selectFrom('config').select(['key', 'value']).execute();
    const stored = Object.fromEntries(rows.filter((r) => isRegionConfigKey(r.key)).map((r) => [r.key, parseJson<unknown>(r.value)]));
    return { ...REGION_CONFIG_DEFAULTS, ...stored };
  }

  /** One setting as MAAS's get_config shows it: the stored value, else the default, or null where MAAS has none. */
  async shown<K extends RegionConfigKey>(key: K): Promise<RegionConfig[K] | null> {
    const row = await this.db.kysely.selectFrom('config').select('value').where('key', '=', key).executeTakeFirst();
    if (row) return parseJson<RegionConfig[K]>(row.value);
    return NULL_UNTIL_SET.has(key) ? null : REGION_CONFIG_DEFAULTS[key];
  }

  /** Whether a setting was ever stored (by an operator, or by the region's first start), rather than defaulted. */
  async isSet(key: RegionConfigKey): Promise<boolean> {
    return (await this.db.kysely.selectFrom('config').select('key').where('key', '=', key).executeTakeFirst()) !== undefined;
  }

  async set<K extends RegionConfigKey>(key: K, value: RegionConfig[K]): Promise<RegionConfig> {
    if (!isRegionConfigKey(key)) throw new ValidationError('Config', { name: [`Unknown config name: ${String(key)}.`] });
    checkValue(key, value);
    await this.db.kysely
      .insertInto('config')
      .values({ key, value: JSON.stringify(value) })
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
      .execute();
    return this.get();
  }
}
