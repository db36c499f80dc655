import type { ProductItem } from '@bootsync/shared/streams';
import type { Selectable } from 'kysely';
import type { Queryable } from './database.js';
import { nowIso, parseJson } from './rows.js';
import type { SourceCacheTable } from './schema.js';
import { inTransaction } from './transactions.js';
import type { CachedImage, SourceCacheEntry } from './types.js';

/** Rows per INSERT: 16 columns each, well under SQLite's 32,766 bound parameters and PostgreSQL's 65,535. */
const INSERT_BATCH = 500;

function toCachedImage(r: Selectable<SourceCacheTable>): CachedImage {
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
  constructor(private readonly db: Queryable) {}

  /**
   * Replaces everything cached for a source in one transaction. Call it only after a successful, non-empty read:
   * a failed read must leave the previous cache in place.
   */
  async replace(bootSourceId: number, entries: readonly SourceCacheEntry[], readAt: string = nowIso()): Promise<void> {
    const rows = entries.map((e) => ({
      boot_source_id: bootSourceId,
      os: e.os,
      release: e.release,
      arch: e.arch,
      subarch: e.subarch,
      kflavor: e.kflavor,
      label: e.label,
      release_title: e.releaseTitle,
      release_codename: e.releaseCodename,
      support_eol: e.supportEol,
      bootloader_type: e.bootloaderType,
      product_name: e.productName,
      version_name: e.versionName,
      items: JSON.stringify(e.items),
      extra: JSON.stringify(e.extra),
      read_at: readAt,
    }));
    await inTransaction(this.db, async (trx) => {
      await trx.kysely.deleteFrom('source_cache').where('boot_source_id', '=', bootSourceId).execute();
      // Batches of rows per INSERT, under both dialects' limits on bound parameters (16 columns a row).
      for (let i = 0; i < rows.length; i += INSERT_BATCH) await trx.kysely.insertInto('source_cache').values(rows.slice(i, i + INSERT_BATCH)).execute();
    });
  }

  /** Cached images of one source, or of all sources (highest priority first) when no id is given. */
  async list(bootSourceId?: number): Promise<CachedImage[]> {
    const rows =
      bootSourceId === undefined
        ? await this.db.kysely
            .selectFrom('source_cache as c')
            .innerJoin('boot_sources as s', 's.id', 'c.boot_source_id')
            .selectAll('c')
            .orderBy('s.priority', 'desc')
            .orderBy('c.id')
            .execute()
        : await this.db.kysely.selectFrom('source_cache').selectAll().where('boot_source_id', '=', bootSourceId).orderBy('id').execute();
    return rows.map(toCachedImage);
  }

  /** Whether a source offers os/release (MAAS refuses a selection of nothing: "has no available images"). */
  async offers(bootSourceId: number, os: string, release: string): Promise<boolean> {
    const row = await this.db.kysely
      .selectFrom('source_cache')
      .select('id')
      .where('boot_source_id', '=', bootSourceId)
      .where('os', '=', os)
      .where('release', '=', release)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
