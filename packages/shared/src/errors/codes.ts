/**
 * The codes of @bootsync/shared's errors, `<AREA>_<WHAT>` with one AREA per module (DEVELOPERS.md, "Error codes").
 * Codes are contracts: logs, the API's import and rack errors, tests and operators' alerts key on them. Add codes;
 * do not rename them.
 */
export type SharedErrorCode =
  | ConfigErrorCode
  | DownloadErrorCode
  | RackProtocolErrorCode
  | SelectErrorCode
  | SignatureErrorCode
  | SimplestreamsErrorCode
  | StoreErrorCode;

/** config/: a setting or a --config file. */
export type ConfigErrorCode = 'CONFIG_FILE_INVALID' | 'CONFIG_INVALID';

/** download/: fetching one file. */
export type DownloadErrorCode =
  | 'DOWNLOAD_ABORTED'
  | 'DOWNLOAD_ERR_CONNECTIONS_RESET'
  | 'DOWNLOAD_HTTP_STATUS'
  | 'DOWNLOAD_ERR_PROTOCOL'
  | 'DOWNLOAD_ERR_REDIRECT'
  | 'DOWNLOAD_RETRIES_EXHAUSTED'
  | 'DOWNLOAD_SOURCE_FILE'
  | 'DOWNLOAD_UNSUPPORTED_SOURCE'
  | 'DOWNLOAD_ERR_WORKER';

/** rack-protocol/: the region-rack contract, as either side meets it. */
export type RackProtocolErrorCode =
  | 'RACK_INVALID_NAME'
  | 'RACK_PROTOCOL_MALFORMED'
  | 'RACK_PROTOCOL_MISMATCH'
  | 'RACK_REGION_ERROR'
  | 'RACK_REGION_REFUSED'
  | 'RACK_REGISTRATION_REFUSED'
  | 'RACK_SYNC_ABORTED'
  | 'RACK_SYNC_FAILED';

/** select/: selections and the import plan. */
export type SelectErrorCode = 'SELECT_INVALID_RETENTION' | 'SELECT_NO_AVAILABLE_IMAGES';

/** signing/: keyrings and signatures. */
export type SignatureErrorCode = 'SIG_ERR_BAD' | 'SIG_ERR_KEYRING' | 'SIG_ERR_MISSING' | 'SIG_ERR_UNKNOWN_KEY';

/** source/ and streams/: reading a simplestreams mirror and its documents. */
export type SimplestreamsErrorCode =
  | 'SS_ERR_CONTENT_ID'
  | 'SS_ERR_FILTER'
  | 'SS_ERR_FORMAT'
  | 'SS_ERR_LOCATION'
  | 'SS_ERR_READ'
  | 'SS_ERR_TOO_LARGE'
  | 'SS_ERR_UNSAFE_PATH';

/** store/: the content-addressed store. */
export type StoreErrorCode =
  | 'STORE_BLOB_NOT_FOUND'
  | 'STORE_CHECKSUM_MISMATCH'
  | 'STORE_INSUFFICIENT_SPACE'
  | 'STORE_INVALID_DIGEST'
  | 'STORE_MISSING_CHECKSUM'
  | 'STORE_SIZE_MISMATCH';
