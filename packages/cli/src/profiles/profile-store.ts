import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { BootsyncError } from '@bootsync/shared/errors';
import type { CommandErrorCode } from '../errors/index.js';

/** The handlers of a region's describe document, kept with the profile so commands are built without a request. */
export interface ApiDescription {
  readonly handlers: readonly {
    readonly name: string;
    readonly params: readonly string[];
    readonly path: string;
    readonly actions: readonly { readonly name: string; readonly method: string; readonly op: string | null; readonly doc: string }[];
  }[];
}

/** A logged-in region: `bootsync login NAME URL KEY` stores one. */
export interface Profile {
  readonly name: string;
  /** The API root, ending in `/api/2.0/`. */
  readonly url: string;
  /** `consumer_key:token_key:token_secret`. */
  readonly key: string;
  readonly description: ApiDescription;
}

export class ProfileError extends BootsyncError<CommandErrorCode> {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super('CLI_ERR_PROFILE', message);
  }
}

/**
 * Where profiles live: `$BOOTSYNC_CONFIG_DIR/profiles.json` (tests), else `$XDG_CONFIG_HOME/bootsync/profiles.json`,
 * else `~/.config/bootsync/profiles.json`.
 */
export function profilesFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BOOTSYNC_CONFIG_DIR) return join(env.BOOTSYNC_CONFIG_DIR, 'profiles.json');
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'bootsync', 'profiles.json');
}

/** The profiles file: JSON `{profiles: {name: Profile}}`, mode 0600 since it holds API keys. */
export class ProfileStore {
  constructor(readonly file: string = profilesFile()) {}

  list(): Profile[] {
    return Object.values(this.#read());
  }

  find(name: string): Profile | undefined {
    return this.#read()[name];
  }

  save(profile: Profile): void {
    this.#write({ ...this.#read(), [profile.name]: profile });
  }

  /** Returns false when there was no such profile. */
  remove(name: string): boolean {
    const all = this.#read();
    if (!(name in all)) return false;
    delete all[name];
    this.#write(all);
    return true;
  }

  #read(): Record<string, Profile> {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new ProfileError(`cannot read ${this.file}: ${(err as Error).message}`, this.file);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new ProfileError(`${this.file} is not valid JSON (${(err as Error).message}); fix or delete it`, this.file);
    }
    const profiles = isObject(doc) ? (doc.profiles ?? {}) : undefined;
    if (!isObject(profiles)) throw new ProfileError(`${this.file} is not a {"profiles": {...}} document; fix or delete it`, this.file);
    return { ...(profiles as Record<string, Profile>) };
  }

  /** Written to a temp file created 0600 then renamed, so the keys are never readable by others, even briefly. */
  #write(profiles: Record<string, Profile>): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ profiles }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.file);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
