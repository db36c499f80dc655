import { isRegionConfigKey, REGION_CONFIG_DEFAULTS, type RegionConfig } from '../../db/index.js';
import { json, text } from '../answer.js';
import { FormError } from '../errors.js';
import type { ApiDeps } from '../deps.js';
import { parseBoolean, parseWholeNumber, required, type ParamBag } from '../params.js';
import type { ApiResource } from '../route-table.js';
import { isReleaseSetting, releaseChoiceError, releaseChoices } from './release-choices.js';

const NAMES = Object.keys(REGION_CONFIG_DEFAULTS).join(', ');

function configName(args: ParamBag): keyof RegionConfig {
  const name = required(args, 'name');
  if (!isRegionConfigKey(name)) throw new FormError({ name: [`'${name}' is not a config name this region knows: ${NAMES}.`] });
  return name;
}

/** The value as the setting's MAAS form field cleans it; form errors are keyed as MAAS keys them. */
async function configValue(deps: ApiDeps, name: keyof RegionConfig, args: ParamBag): Promise<RegionConfig[keyof RegionConfig]> {
  const kind = typeof REGION_CONFIG_DEFAULTS[name];
  if (kind === 'boolean') return parseBoolean('value', required(args, 'value'));
  if (kind === 'number') return parseWholeNumber(name, required(args, 'value'));
  const value = (args.text('value') ?? '').trim();
  if (isReleaseSetting(name)) {
    if (value === '') throw new FormError({ [name]: ['This field is required.'] });
    const error = releaseChoiceError(name, value, releaseChoices(name, await deps.bootResources.list(), await deps.config.get()));
    if (error) throw new FormError({ [name]: [error] });
  }
  return value;
}

export const maasResource: ApiResource = {
  name: 'MaasHandler',
  path: 'maas/',
  doc: 'Manage the region settings that govern image import.',
  actions: [
    {
      name: 'get_config',
      method: 'GET',
      op: 'get_config',
      summary: 'Get a configuration value.',
      description: 'Answers the value as JSON; http_proxy is null until it is set, as in MAAS.',
      params: [{ name: 'name', type: 'String', doc: `The setting: ${NAMES}.` }],
      handle: async ({ deps, args }) => json(await deps.config.shown(configName(args))),
    },
    {
      name: 'set_config',
      method: 'POST',
      op: 'set_config',
      summary: 'Set a configuration value.',
      params: [
        { name: 'name', type: 'String', doc: `The setting: ${NAMES}.` },
        { name: 'value', type: 'String', doc: 'The new value; booleans as true/false or 1/0.' },
      ],
      handle: async ({ deps, args }) => {
        const name = configName(args);
        await deps.config.set(name, (await configValue(deps, name, args)) as RegionConfig[typeof name]);
        return text('OK');
      },
    },
  ],
};
