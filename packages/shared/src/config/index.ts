export {
  stringOption,
  integerOption,
  booleanOption,
  durationOption,
  byteSizeOption,
  formatBytes,
  urlOption,
  urlListOption,
  DEFAULT_REDIS_URL,
  hostPortOption,
  hostPortListOption,
  parseHostPort,
  type OptionSpec,
  type AnyOptionSpec,
  type OptionSpecs,
  type ConfigValues,
  type HostPort,
} from './option.js';
export { ConfigError, ConfigFileError, describeOrigin, type ValueOrigin } from './config-error.js';
export { parseConfigFile, readConfigFile, type ConfigFile } from './config-file.js';
export { resolveConfig, specKey, flagName, envName, type ConfigInputs, type FlagName, type ResolvedConfig } from './resolve.js';
export { loadConfig } from './load.js';
export { formatDefault, optionHelp } from './help.js';
