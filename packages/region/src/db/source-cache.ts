import type { ProductItem } from '@bootsync/shared/streams';
import type { Db } from './connection.js';
import { nowIso, parseJson } from './rows.js';
import type { CachedImage, SourceCacheEntry } from './types.js';

interface CacheRow {
  boot_source_id: number;
  os: string;
  release: string;
  arch: string;
  subarch: string;
  kflavor: string;
  label: string;
  release_title: string;
  release_codename: string;
  support_eol: string;
  bootloader_type: string;
  product_name: string;
  version_name: string;
  items: string;
  extra: string;
  read_at: string;
}

function toCachedImage(r: CacheRow): CachedImage {
  return {
    bootSourceId: r.boot_source_id,
    os: r.os,
    release: r.release,
    arch: r.arch,
    subarch: r.subarch,
    kflavor: r.kflavor,
    label: r.label,
    releaseTitle: r.release_title,
    releaseCodename: r.release_codename,
    supportEol: r.support_eol,
    bootloaderType: r.bootloader_type,
    productName: r.product_name,
    versionName: r.version_name,
    items: parseJson<ProductItem[]>(r.items),
    extra: parseJson<Record<string, unknown>>(r.extra),
    readAt: r.read_at,
  };
}

/** What each source offered at its last successful read; answers "what can be selected" without the network. */
export class SourceCacheRepository {
  constructor(private readonly db: Db) {}

  /**
   * Replaces everything cached for a source in one transaction. Call it only after a successful, non-empty read:
   * a failed read must leave the previous cache in place.
   */
  replace(bootSourceId: number, entries: readonly SourceCacheEntry[], readAt: string = nowIso()): void {
    const insert = this.db.prepare(
      `INSERT INTO source_cache (boot_source_id, os, release, arch, subarch, kflavor, label, release_title,
         release_codename, support_eol, bootloader_type, product_name, version_name, items, extra, read_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM source_cache WHERE boot_source_id = ?').run(bootSourceId);
      for (const e of entries) {
        insert.run(
          bootSourceId, e.os, e.release, e.arch, e.subarch, e.kflavor, e.label, e.releaseTitle, e.releaseCodename,
          e.supportEol, e.bootloaderType, e.productName, e.versionName, JSON.stringify(e.items), JSON.stringify(e.extra), readAt,
        );
      }
    })();
  }

  /** Cached images of one source, or of all sources (highest priority first) when no id is given. */
  list(bootSourceId?: number): CachedImage[] {
    const rows =
      bootSourceId === undefined
        ? this.db
            .prepare(
              `SELECT c.* FROM source_cache c JOIN boot_sources s ON s.id = c.boot_source_id
               ORDER BY s.priority DESC, c.id`,
            )
            .all()
        : this.db.prepare('SELECT * FROM source_cache WHERE boot_source_id = ? ORDER BY id').all(bootSourceId);
    return (rows as CacheRow[]).map(toCachedImage);
  }

  /** Whether a source offers os/release (MAAS refuses a selection of nothing: "has no available images"). */
  offers(bootSourceId: number, os: string, release: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM source_cache WHERE boot_source_id = ? AND os = ? AND release = ? LIMIT 1')
        .get(bootSourceId, os, release) !== undefined
    );
  }
}
