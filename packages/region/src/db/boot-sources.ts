import type { Db } from './connection.js';
import { FieldErrorCollector, NotFoundError, ValidationError } from './errors.js';
import { fromBool, isUniqueViolation, nowIso, toBool } from './rows.js';
import { normalizeSourceUrl, skipsVerificationByDefault, sourceUrlErrors } from './source-url.js';
import type { BootSource, BootSourceUpdate, NewBootSource } from './types.js';

interface BootSourceRow {
  id: number;
  name: string;
  url: string;
  priority: number;
  enabled: number;
  keyring_filename: string;
  keyring_data: Buffer | null;
  skip_keyring_verification: number;
  created: string;
  updated: string;
}

function toBootSource(r: BootSourceRow): BootSource {
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

/** Values in the column order of the INSERT and UPDATE statements (name .. skip_keyring_verification). */
function columnValues(r: BootSourceRecord): unknown[] {
  return [
    r.name,
    r.url,
    r.priority,
    fromBool(r.enabled),
    r.keyringFilename,
    r.keyringData && Buffer.from(r.keyringData),
    fromBool(r.skipKeyringVerification),
  ];
}

/** Boot sources: the signed mirrors the region imports from. */
export class BootSourceRepository {
  constructor(private readonly db: Db) {}

  /** All sources, the highest priority (read first) first. */
  list(): BootSource[] {
    const rows = this.db.prepare('SELECT * FROM boot_sources ORDER BY priority DESC, id').all() as BootSourceRow[];
    return rows.map(toBootSource);
  }

  find(id: number): BootSource | undefined {
    const row = this.db.prepare('SELECT * FROM boot_sources WHERE id = ?').get(id) as BootSourceRow | undefined;
    return row && toBootSource(row);
  }

  get(id: number): BootSource {
    const found = this.find(id);
    if (!found) throw new NotFoundError('BootSource', id);
    return found;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM boot_sources').get() as { n: number }).n;
  }

  /** Creates a source with MAAS's defaults: name = url, priority = max + 1, skip verification for `.json` URLs. */
  create(input: NewBootSource): BootSource {
    const url = normalizeSourceUrl(input.url ?? '');
    const maxPriority = (this.db.prepare('SELECT max(priority) AS p FROM boot_sources').get() as { p: number | null }).p;
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
    validate(record, this.clashes(record));
    const now = nowIso();
    const id = this.write(() =>
      this.db
        .prepare(
          `INSERT INTO boot_sources (name, url, priority, enabled, keyring_filename, keyring_data,
             skip_keyring_verification, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(...columnValues(record), now, now).lastInsertRowid,
    );
    return this.get(Number(id));
  }

  update(id: number, patch: BootSourceUpdate): BootSource {
    const current = this.get(id);
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
    validate(record, this.clashes(record, current));
    this.write(() =>
      this.db.transaction(() => {
        this.db
          .prepare(
            `UPDATE boot_sources SET name = ?, url = ?, priority = ?, enabled = ?, keyring_filename = ?,
               keyring_data = ?, skip_keyring_verification = ?, updated = ? WHERE id = ?`,
          )
          .run(...columnValues(record), nowIso(), id);
        // What the old mirror offered says nothing about the new one: selections are accepted unchecked (as for a
        // source never read) until the next read caches the new offer, as MAAS rebuilds its cache on a change.
        if (readsDifferently(current, record)) this.db.prepare('DELETE FROM source_cache WHERE boot_source_id = ?').run(id);
      })(),
    );
    return this.get(id);
  }

  /** Deletes the source with its selections and cache (cascade). */
  delete(id: number): void {
    const { changes } = this.db.prepare('DELETE FROM boot_sources WHERE id = ?').run(id);
    if (changes === 0) throw new NotFoundError('BootSource', id);
  }

  /**
   * A counter bumped by every change to sources or selections (SQL triggers), so an import compares the value it
   * started with to the current one to know it must start over.
   */
  generation(): number {
    return (this.db.prepare(`SELECT value FROM generations WHERE name = 'sources'`).get() as { value: number }).value;
  }

  /**
   * The unique fields of `record` another source holds. On an update only the fields it changes are checked: a
   * database from before priorities and names were unique may hold the same one twice, and editing anything else of
   * such a source still works (the two are read in id order, as before).
   */
  private clashes(record: BootSourceRecord, current?: BootSource): UniqueClashes {
    const taken = (column: 'name' | 'url' | 'priority'): boolean =>
      (current === undefined || current[column] !== record[column]) &&
      this.db.prepare(`SELECT 1 FROM boot_sources WHERE ${column} = ? AND id != ?`).get(record[column], current?.id ?? -1) !== undefined;
    return { name: taken('name'), url: taken('url'), priority: taken('priority') };
  }

  private write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ValidationError('BootSource', { url: ['Boot source with this Url already exists.'] });
      throw err;
    }
  }
}
