import type { Db } from './connection.js';
import { FieldErrorCollector, NotFoundError } from './errors.js';
import { nowIso, parseJson } from './rows.js';
import type { BootResource, ResourceType } from './types.js';

interface ResourceRow {
  id: number;
  rtype: ResourceType;
  name: string;
  architecture: string;
  extra: string;
  created: string;
  updated: string;
}

const RTYPES: readonly ResourceType[] = ['synced', 'generated', 'uploaded'];

function toBootResource(r: ResourceRow): BootResource {
  return {
    id: r.id,
    rtype: r.rtype,
    name: r.name,
    architecture: r.architecture,
    extra: parseJson<Record<string, unknown>>(r.extra),
    created: r.created,
    updated: r.updated,
  };
}

export interface BootResourceInput {
  readonly rtype: ResourceType;
  readonly name: string;
  readonly architecture: string;
  readonly extra?: Readonly<Record<string, unknown>>;
}

function validate(r: BootResourceInput): void {
  const errors = new FieldErrorCollector();
  if (!RTYPES.includes(r.rtype)) errors.add('rtype', `Select a valid choice. ${String(r.rtype)} is not one of the available choices.`);
  if (!/^[^/\s]+\/[^/\s]+$/.test(r.name)) errors.add('name', 'Expected os/release, e.g. ubuntu/noble.');
  if (!/^[^/\s]+\/[^/\s]+$/.test(r.architecture)) errors.add('architecture', 'Expected arch/subarch, e.g. amd64/ga-24.04.');
  errors.throwIfAny('BootResource');
}

/** Boot resources: one image (os/release for arch/subarch) the region holds sets of. */
export class BootResourceRepository {
  constructor(private readonly db: Db) {}

  list(filter: { rtype?: ResourceType } = {}): BootResource[] {
    const rows = (
      filter.rtype === undefined
        ? this.db.prepare('SELECT * FROM boot_resources ORDER BY name, architecture').all()
        : this.db.prepare('SELECT * FROM boot_resources WHERE rtype = ? ORDER BY name, architecture').all(filter.rtype)
    ) as ResourceRow[];
    return rows.map(toBootResource);
  }

  find(id: number): BootResource | undefined {
    const row = this.db.prepare('SELECT * FROM boot_resources WHERE id = ?').get(id) as ResourceRow | undefined;
    return row && toBootResource(row);
  }

  get(id: number): BootResource {
    const found = this.find(id);
    if (!found) throw new NotFoundError('BootResource', id);
    return found;
  }

  findByName(name: string, architecture: string): BootResource | undefined {
    const row = this.db
      .prepare('SELECT * FROM boot_resources WHERE name = ? AND architecture = ?')
      .get(name, architecture) as ResourceRow | undefined;
    return row && toBootResource(row);
  }

  /** Creates the resource, or updates its type and extra when (name, architecture) exists. */
  upsert(input: BootResourceInput): BootResource {
    validate(input);
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO boot_resources (rtype, name, architecture, extra, created, updated) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name, architecture) DO UPDATE SET rtype = excluded.rtype, extra = excluded.extra,
           updated = excluded.updated`,
      )
      .run(input.rtype, input.name, input.architecture, JSON.stringify(input.extra ?? {}), now, now);
    const saved = this.findByName(input.name, input.architecture);
    if (!saved) throw new NotFoundError('BootResource', `${input.name} ${input.architecture}`);
    return saved;
  }

  /** Deletes the resource with its sets and file rows (cascade); blobs are the store's to collect. */
  delete(id: number): void {
    const { changes } = this.db.prepare('DELETE FROM boot_resources WHERE id = ?').run(id);
    if (changes === 0) throw new NotFoundError('BootResource', id);
  }
}
