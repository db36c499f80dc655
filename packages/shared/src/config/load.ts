import { readConfigFile } from './config-file.js';
import type { OptionSpecs } from './option.js';
import { envName, resolveConfig, specKey, type ConfigInputs, type ResolvedConfig } from './resolve.js';

/**
 * Reads the file named by the `config` option (flag, then env) if any, then resolves. The I/O wrapper around
 * `resolveConfig`; daemons call this once at start-up.
 */
export async function loadConfig<S extends OptionSpecs>(
  specs: S,
  inputs: Omit<ConfigInputs, 'file'>,
  configKey = 'config',
): Promise<ResolvedConfig<S>> {
  const flagged = Object.entries(inputs.flags ?? {}).find(([k, v]) => specKey(k) === configKey && v !== undefined)?.[1];
  const fromEnv = inputs.env?.[envName(configKey, inputs.envPrefix)];
  const path = typeof flagged === 'string' ? flagged : fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
  const file = path === undefined ? undefined : await readConfigFile(path);
  return resolveConfig(specs, { ...inputs, file });
}
