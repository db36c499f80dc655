import type { Selectable } from 'kysely';
import type { Queryable } from './database.js';
import { FieldErrorCollector, isUniqueViolation, NotFoundError, ValidationError } from './errors.js';
import { fromBool, nowIso, toBool } from './rows.js';
import type { BootSourcesTable } from './schema.js';
import { normalizeSourceUrl, skipsVerificationByDefault, sourceUrlErrors } from './source-url.js';
import { exclusively } from './transactions.js';
import type { BootSource, BootSourceUpdate, NewBootSource } from './types.js';

function toBootSource(r: Selectable<BootSourcesTable>): BootSource {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    priority: r.priority,
    enabled: toBool(r.enabled),
    keyringFilename: r.keyring_filename,
    keyringData: r.keyring_data && r.keyring_data.length > 0 ? new Uint8Array(r.keyring_data) : null,
    skipKeyringVerification: toBool(r.skip_keyring_verification),
    created: r.created,
    updated: r.updated,
  };
}

/** MAAS's BootSource name: a CharField of at most 255 characters. */
const MAX_NAME_LENGTH = 255;

/**
 * The model rules of MAAS's BootSource (models/bootsource.py, MAAS 3.8: name and priority are new there), applied to
 * a complete record before it is written. `taken` says which of its unique fields another source holds.
 */
function validate(s: BootSourceRecord, taken: UniqueClashes): void {
  const errors = new FieldErrorCollector();
  for (const message of sourceUrlErrors(s.url)) errors.add('url', message);
  if (s.name.length > MAX_NAME_LENGTH) errors.add('name', `Ensure this value has at most ${MAX_NAME_LENGTH} characters (it has ${s.name.length}).`);
  if (!Number.isSafeInteger(s.priority)) errors.add('priority', 'Enter a whole number.');
  else if (s.priority < 0) errors.add('priority', 'Ensure this value is greater than or equal to 0.');
  // Django's validate_unique for the model's unique fields, then the database's unique priority, which the MAAS 3.8
  // API 2.0 answers with a 409 after retrying; the message is MAAS's own from its API 3.0 (docs/maas-cli-compat.md).
  if (taken.name) errors.add('name', 'Boot source with this Name already exists.');
  if (taken.url) errors.add('url', 'Boot source with this Url already exists.');
  if (taken.priority) errors.add('priority', 'A boot source with the same priority already exists.');
  const hasFile = s.keyringFilename !== '';
  const hasData = s.keyringData !== null && s.keyringData.length > 0;
  if (!s.skipKeyringVerification && !hasFile && !hasData) {
    errors.addNonField('One of keyring_data or keyring_filename must be specified.');
  } else if (!s.skipKeyringVerification && hasFile && hasData) {
    errors.addNonField('Only one of keyring_filename or keyring_data can be specified.');
  }
  errors.throwIfAny('BootSource');
}

type BootSourceRecord = Omit<BootSource, 'id' | 'created' | 'updated'>;

/** Which unique fields of a record another source already holds. */
type UniqueClashes = Readonly<Record<'name' | 'url' | 'priority', boolean>>;

/** Whether a change touches where the source is read from or how it is verified (not its name, priority...). */
function readsDifferently(before: BootSourceRecord, after: BootSourceRecord): boolean {
  const keyring = (r: BootSourceRecord): Buffer => Buffer.from(r.keyringData ?? []);
  return (
    before.url !== after.url ||
    before.keyringFilename !== after.keyringFilename ||
    !keyring(before).equals(keyring(after)) ||
    before.skipKeyringVerification !== after.skipKeyringVerification
  );
}

/** The columns a create or an update writes. */
function columnValues(r: BootSourceRecord) {
  return {
    name: r.name,
    url: r.url,
    priority: r.priority,
    enabled: fromBool(r.enabled),
    keyring_filename: r.keyringFilename,
    keyring_data: r.keyringData && Buffer.from(r.keyringData),
    skip_keyring_verification: fromBool(r.skipKeyringVerification),
  };
}

/** Boot sources: the signed mirrors the region imports from. */
export class BootSourceRepository {
  constructor(private readonly db: Queryable) {}

  /** All sources, the highest priority (read first) first. */
  async list(): Promise<BootSource[]> {
    const rows = await this.db.kysely.selectFrom('boot_sources').selectAll().orderBy('priority', 'desc').orderBy('id').execute();
    return rows.map(toBootSource);
  }

  async find(id: number): Promise<BootSource | undefined> {
    const row = await this.db.kysely.selectFrom('boot_sources').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toBootSource(row);
  }

  async get(id: number): Promise<BootSource> {
    const found = await this.find(id);
    if (!found) throw new NotFoundError('BootSource', id);
    return found;
  }

  async count(): Promise<number> {
    const { n } = await this.db.kysely.selectFrom('boot_sources').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(n);
  }

  /** Creates a source with MAAS's defaults: name = url, priority = max + 1, skip verification for `.json` URLs. */
  async create(input: NewBootSource): Promise<BootSource> {
    const url = normalizeSourceUrl(input.url ?? '');
    // The priority, the checks and the insert in one locked transaction: two creates at once get two priorities.
    return exclusively(this.db, 'boot_sources', async (trx) => {
      const { p: maxPriority } = await trx.kysely
        .selectFrom('boot_sources')
        .select((eb) => eb.fn.max('priority').as('p'))
        .executeTakeFirstOrThrow();
      const record = {
        url,
        // MAAS: a blank name is the URL.
        name: input.name?.trim() || url,
        priority: input.priority ?? (maxPriority ?? 0) + 1,
        enabled: input.enabled ?? true,
        keyringFilename: input.keyringFilename ?? '',
        keyringData: input.keyringData ?? null,
        skipKeyringVerification: input.skipKeyringVerification ?? skipsVerificationByDefault(url),
      };
      validate(record, await clashes(trx, record));
      const now = nowIso();
      const row = await write(() =>
        trx.kysely
          .insertInto('boot_sources')
          .values({ ...columnValues(record), created: now, updated: now })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toBootSource(row);
    });
  }

  async update(id: number, patch: BootSourceUpdate): Promise<BootSource> {
    return exclusively(this.db, 'boot_sources', async (trx) => {
      const current = await new BootSourceRepository(trx).get(id);
      const url = patch.url === undefined ? current.url : normalizeSourceUrl(patch.url);
      const record = {
        url,
        name: patch.name === undefined ? current.name : patch.name.trim() || url,
        priority: patch.priority ?? current.priority,
        enabled: patch.enabled ?? current.enabled,
        keyringFilename: patch.keyringFilename ?? current.keyringFilename,
        keyringData: patch.keyringData === undefined ? current.keyringData : patch.keyringData,
        skipKeyringVerification: patch.skipKeyringVerification ?? current.skipKeyringVerification,
      };
      validate(record, await clashes(trx, record, current));
      const row = await write(() =>
        trx.kysely
          .updateTable('boot_sources')
          .set({ ...columnValues(record), updated: nowIso() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      // What the old mirror offered says nothing about the new one: selections are accepted unchecked (as for a
      // source never read) until the next read caches the new offer, as MAAS rebuilds its cache on a change.
      if (readsDifferently(current, record)) await trx.kysely.deleteFrom('source_cache').where('boot_source_id', '=', id).execute();
      return toBootSource(row);
    });
  }

  /** Deletes the source with its selections and cache (cascade). */
  async delete(id: number): Promise<void> {
    const { numDeletedRows } = await this.db.kysely.deleteFrom('boot_sources').where('id', '=', id).executeTakeFirst();
    if (numDeletedRows === 0n) throw new NotFoundError('BootSource', id);
  }

  /**
   * A counter bumped by every change to sources or selections (SQL triggers), so an import compares the value it
   * started with to the current one to know it must start over.
   */
  async generation(): Promise<number> {
    const { value } = await this.db.kysely.selectFrom('generations').select('value').where('name', '=', 'sources').executeTakeFirstOrThrow();
    return Number(value);
  }
}

/**
 * The unique fields of `record` another source holds. On an update only the fields it changes are checked: a
 * database from before priorities and names were unique may hold the same one twice, and editing anything else of
 * such a source still works (the two are read in id order, as before).
 */
async function clashes(db: Queryable, record: BootSourceRecord, current?: BootSource): Promise<UniqueClashes> {
  const taken = async (column: 'name' | 'url' | 'priority'): Promise<boolean> =>
    (current === undefined || current[column] !== record[column]) &&
    (await db.kysely
      .selectFrom('boot_sources')
      .select('id')
      .where(column, '=', record[column])
      .where('id', '!=', current?.id ?? -1)
      .executeTakeFirst()) !== undefined;
  return { name: await taken('name'), url: await taken('url'), priority: await taken('priority') };
}

/** A write that a unique constraint refused (the URL, checked before but taken meanwhile) is a validation error. */
async function write<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ValidationError('BootSource', { url: ['Boot source with this Url already exists.'] });
    throw err;
  }
}
