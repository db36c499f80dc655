import { envName, flagName, formatDefault, type OptionSpecs } from '@bootsync/shared/config';
import { regionOptions } from '@bootsync/region/config';
import { rackOptions } from '@bootsync/rack/config';
import { markdownTable } from './markdown.js';

const code = (text: string): string => `\`${text}\``;

/**
 * One row per setting: flag, env variable, config-file key, default, meaning; straight from the option specs.
 * `noDefault` words the default of settings whose spec default is `undefined` for a reason (required, computed).
 */
function optionsTable<S extends OptionSpecs>(specs: S, noDefault: Partial<Record<keyof S, string>> = {}): string {
  return markdownTable(
    ['flag', 'environment', 'config file key', 'default', 'meaning'],
    Object.entries(specs).map(([key, spec]) => {
      const shown = formatDefault(spec);
      return [
        code(`--${flagName(key)}${spec.valueName ? ` ${spec.valueName}` : ''}`),
        code(envName(key)),
        code(flagName(key)),
        noDefault[key] ?? (shown === undefined ? '(none)' : code(shown)),
        spec.description,
      ];
    }),
  );
}

/** The advertise URL is derived from where the region listens when not given (config/advertise-url.ts). */
export const regionOptionsTable = (): string => optionsTable(regionOptions, { advertiseUrl: 'from `--listen`' });

/** The rack checks the first two at start-up (RackConfigError) and names itself after the host by default. */
export const rackOptionsTable = (): string =>
  optionsTable(rackOptions, { regionUrl: '(required)', secretFile: '(required)', name: 'the host name' });
