import type { Db } from './connection.js';
import { FieldErrorCollector, NotFoundError, ValidationError } from './errors.js';
import { isUniqueViolation, nowIso, parseJson } from './rows.js';
import type { BootSourceWithSelections, NewSelection, Selection, SelectionUpdate } from './types.js';
import { BootSourceRepository } from './boot-sources.js';

interface SelectionRow {
  id: number;
  boot_source_id: number;
  os: string;
  release: string;
  arches: string;
  subarches: string;
  labels: string;
}

function toSelection(r: SelectionRow): Selection {
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

/** What to import from each source: os/release with arches, subarches and labels (`*` = all). */
export class SelectionRepository {
  readonly #sources: BootSourceRepository;

  constructor(private readonly db: Db) {
    this.#sources = new BootSourceRepository(db);
  }

  listForSource(bootSourceId: number): Selection[] {
    this.#sources.get(bootSourceId);
    const rows = this.db
      .prepare('SELECT * FROM selections WHERE boot_source_id = ? ORDER BY id')
      .all(bootSourceId) as SelectionRow[];
    return rows.map(toSelection);
  }

  find(bootSourceId: number, id: number): Selection | undefined {
    const row = this.db
      .prepare('SELECT * FROM selections WHERE boot_source_id = ? AND id = ?')
      .get(bootSourceId, id) as SelectionRow | undefined;
    return row && toSelection(row);
  }

  get(bootSourceId: number, id: number): Selection {
    const found = this.find(bootSourceId, id);
    if (!found) throw new NotFoundError('BootSourceSelection', id);
    return found;
  }

  create(bootSourceId: number, input: NewSelection): Selection {
    this.#sources.get(bootSourceId);
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
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO selections (boot_source_id, os, release, arches, subarches, labels, created, updated)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(bootSourceId, record.os, record.release, JSON.stringify(record.arches), JSON.stringify(record.subarches), JSON.stringify(record.labels), now, now);
      return this.get(bootSourceId, Number(lastInsertRowid));
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicate();
      throw err;
    }
  }

  update(bootSourceId: number, id: number, patch: SelectionUpdate): Selection {
    const current = this.get(bootSourceId, id);
    const record: SelectionRecord = {
      os: patch.os ?? current.os,
      release: patch.release ?? current.release,
      arches: patch.arches ?? current.arches,
      subarches: patch.subarches ?? current.subarches,
      labels: patch.labels ?? current.labels,
    };
    validate(record);
    try {
      this.db
        .prepare(
          `UPDATE selections SET os = ?, release = ?, arches = ?, subarches = ?, labels = ?, updated = ?
           WHERE boot_source_id = ? AND id = ?`,
        )
        .run(record.os, record.release, JSON.stringify(record.arches), JSON.stringify(record.subarches), JSON.stringify(record.labels), nowIso(), bootSourceId, id);
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicate();
      throw err;
    }
    return this.get(bootSourceId, id);
  }

  delete(bootSourceId: number, id: number): void {
    const { changes } = this.db.prepare('DELETE FROM selections WHERE boot_source_id = ? AND id = ?').run(bootSourceId, id);
    if (changes === 0) throw new NotFoundError('BootSourceSelection', id);
  }

  /** Every selection of every source, for cleanup ("is this image still selected?"). */
  listAll(): Selection[] {
    return (this.db.prepare('SELECT * FROM selections ORDER BY boot_source_id, id').all() as SelectionRow[]).map(toSelection);
  }

  /**
   * The enabled sources with their selections, highest priority first, read in one transaction so an import
   * sees one consistent picture together with its `generation`.
   */
  enabledSourcesWithSelections(): { generation: number; sources: BootSourceWithSelections[] } {
    return this.db.transaction(() => {
      const sources = this.#sources.list().filter((s) => s.enabled);
      return {
        generation: this.#sources.generation(),
        sources: sources.map((s) => ({ ...s, selections: this.listForSource(s.id) })),
      };
    })();
  }
}
