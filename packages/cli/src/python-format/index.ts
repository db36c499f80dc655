export { MissingFormatKeyError, percentFormat } from './percent-format.js';
export { pprintDict } from './pprint.js';
export { pythonDictRepr, pythonStrRepr } from './repr.js';
