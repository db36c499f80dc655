import { readFileSync } from 'node:fs';
import type { FormField } from '../api-client/index.js';
import { UsageError } from '../exit-codes.js';

/** `key=value` as typed, or `key@=FILE` for a file's bytes (a keyring), as the maas CLI takes them. */
export function parseKeyValues(args: readonly string[]): FormField[] {
  return args.map((arg) => {
    const file = /^([A-Za-z_][\w-]*)@=(.*)$/s.exec(arg);
    if (file) {
      try {
        return { name: file[1]!, value: readFileSync(file[2]!), file: true };
      } catch (err) {
        throw new UsageError(`${file[1]}@=${file[2]}: cannot read the file: ${(err as Error).message}`);
      }
    }
    const kv = /^([A-Za-z_][\w-]*)=(.*)$/s.exec(arg);
    if (!kv) throw new UsageError(`'${arg}' is not a key=value (or key@=FILE) argument`);
    return { name: kv[1]!, value: kv[2]! };
  });
}
