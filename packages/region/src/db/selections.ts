import type { Selectable } from 'kysely';
import { BootSourceRepository } from './boot-sources.js';
import type { Queryable } from './database.js';
import { FieldErrorCollector, isForeignKeyViolation, isUniqueViolation, NotFoundError, ValidationError } from './errors.js';
import { nowIso, parseJson } from './rows.js';
import type { SelectionsTable } from './schema.js';
import { inTransaction } from './transactions.js';
import type { BootSourceWithSelections, NewSelection, Selection, SelectionUpdate } from './types.js';

function toSelection(r: Selectable<SelectionsTable>): Selection {
  return {
    id: r.id,
    bootSourceId: r.boot_source_id,
    os: r.os,
    release: r.release,
    arches: parseJson<string[]>(r.arches),
    subarches: parseJson<string[]>(r.subarches),
    labels: parseJson<string[]>(r.labels),
  };
}

type SelectionRecord = Required<NewSelection>;

function validate(s: SelectionRecord): void {
  const errors = new FieldErrorCollector();
  if (s.os.trim() === '') errors.add('os', 'This field is required.');
  if (s.release.trim() === '') errors.add('release', 'This field is required.');
  for (const field of ['arches', 'subarches', 'labels'] as const) {
    const list = s[field];
    if (list.length === 0) errors.add(field, 'This field is required.');
    if (list.some((v) => typeof v !== 'string' || v.trim() === '')) errors.add(field, 'Enter a list of non-empty values.');
  }
  errors.throwIfAny('BootSourceSelection');
}

const duplicate = (): ValidationError =>
  new ValidationError('BootSourceSelection', {}, ['Boot source selection with this Boot source, Os and Release already exists.']);

const jsonColumns = (r: SelectionRecord) => ({
  os: r.os,
  release: r.release,
  arches: JSON.stringify(r.arches),
  subarches: JSON.stringify(r.subarches),
  labels: JSON.stringify(r.labels),
});

/** A write a unique constraint refused: the source already has a selection of that os/release. */
async function write<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate();
    throw err;
  }
}

/** What to import from each source: os/release with arches, subarches and labels (`*` = all). */
export class SelectionRepository {
  constructor(private readonly db: Queryable) {}

  async listForSource(bootSourceId: number): Promise<Selection[]> {
    await new BootSourceRepository(this.db).get(bootSourceId);
    const rows = await this.db.kysely.selectFrom('selections').selectAll().where('boot_source_id', '=', bootSourceId).orderBy('id').execute();
    return rows.map(toSelection);
  }

  async find(bootSourceId: number, id: number): Promise<Selection | undefined> {
    const row = await this.db.kysely
      .selectFrom('selections')
      .selectAll()
      .where('boot_source_id', '=', bootSourceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toSelection(row);
  }

  async get(bootSourceId: number, id: number): Promise<Selection> {
    const found = await this.find(bootSourceId, id);
    if (!found) throw new NotFoundError('BootSourceSelection', id);
    return found;
  }

  async create(bootSourceId: number, input: NewSelection): Promise<Selection> {
    await new BootSourceRepository(this.db).get(bootSourceId);
    const record: SelectionRecord = {
      os: input.os ?? '',
      release: input.release ?? '',
      arches: input.arches ?? ['*'],
      subarches: input.subarches ?? ['*'],
      labels: input.labels ?? ['*'],
    };
    validate(record);
    const now = nowIso();
    try {
      const row = await write(() =>
        this.db.kysely
          .insertInto('selections')
          .values({ boot_source_id: bootSourceId, ...jsonColumns(record), created: now, updated: now })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toSelection(row);
    } catch (err) {
      // The source was deleted since it was read.
      if (isForeignKeyViolation(err)) throw new NotFoundError('BootSource', bootSourceId);
      throw err;
    }
  }

  async update(bootSourceId: number, id: number, patch: SelectionUpdate): Promise<Selection> {
    const current = await this.get(bootSourceId, id);
    const record: SelectionRecord = {
      os: patch.os ?? current.os,
      release: patch.release ?? current.release,
      arches: patch.arches ?? current.arches,
      subarches: patch.subarches ?? current.subarches,
      labels: patch.labels ?? current.labels,
    };
    validate(record);
    const row = await write(() =>
      this.db.kysely
        .updateTable('selections')
        .set({ ...jsonColumns(record), updated: nowIso() })
        .where('boot_source_id', '=', bootSourceId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst(),
    );
    // Deleted meanwhile.
    if (!row) throw new NotFoundError('BootSourceSelection', id);
    return toSelection(row);
  }

  async delete(bootSourceId: number, id: number): Promise<void> {
    const { numDeletedRows } = await this.db.kysely
      .deleteFrom('selections')
      .where('boot_source_id', '=', bootSourceId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (numDeletedRows === 0n) throw new NotFoundError('BootSourceSelection', id);
  }

  /** Every selection of every source, for cleanup ("is this image still selected?"). */
  async listAll(): Promise<Selection[]> {
    const rows = await this.db.kysely.selectFrom('selections').selectAll().orderBy('boot_source_id').orderBy('id').execute();
    return rows.map(toSelection);
  }

  /**
   * The enabled sources with their selections, highest priority first, read in one transaction so an import
   * sees one consistent picture together with its `generation`.
   */
  async enabledSourcesWithSelections(): Promise<{ generation: number; sources: BootSourceWithSelections[] }> {
    return inTransaction(
      this.db,
      async (trx) => {
        const sources = new BootSourceRepository(trx);
        const enabled = (await sources.list()).filter((s) => s.enabled);
        const rows = await trx.kysely.selectFrom('selections').selectAll().orderBy('boot_source_id').orderBy('id').execute();
        const selections = rows.map(toSelection);
        return {
          generation: await sources.generation(),
          sources: enabled.map((s) => ({ ...s, selections: selections.filter((x) => x.bootSourceId === s.id) })),
        };
      },
      { snapshot: true },
    );
  }
}
