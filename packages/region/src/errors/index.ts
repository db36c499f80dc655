/**
 * The codes of @bootsync/region's errors, `<AREA>_<WHAT>` with one AREA per module (DEVELOPERS.md, "Error codes").
 * Codes are contracts: logs, the API's import errors, tests and operators' alerts key on them. Add codes; do not
 * rename them. The region also raises @bootsync/shared's (`SharedErrorCode`).
 */
export type RegionErrorCode = ApiErrorCode | DatabaseErrorCode | IdentityErrorCode | ImportErrorCode | PageErrorCode | UploadErrorCode;

/** api/: what the MAAS API answers itself. */
export type ApiErrorCode =
  | 'API_BAD_OP'
  | 'API_BAD_REQUEST'
  | 'API_FORBIDDEN'
  | 'API_FORM_INVALID'
  | 'API_NOT_FOUND'
  | 'API_SOURCE_UNREADABLE'
  | 'API_UNAUTHORIZED';

/** db/: the region database and its repositories. */
export type DatabaseErrorCode =
  | 'DB_CORRUPT'
  | 'DB_INTEGER_TOO_LARGE'
  | 'DB_NOT_FOUND'
  | 'DB_SCHEMA_TOO_NEW'
  | 'DB_SOURCE_MISSING'
  | 'DB_TARGET_NOT_EMPTY'
  | 'DB_UNREACHABLE'
  | 'DB_VALIDATION_FAILED';

/** identity/: the region's own files (id, secret) in its data directory. */
export type IdentityErrorCode = 'REGION_IDENTITY_INVALID';

/** import/: the import of the selected images (IMPORT_ERR_UNEXPECTED: what the run records for an error of no code). */
export type ImportErrorCode = 'IMPORT_ERR_EMPTY_SOURCE' | 'IMPORT_ERR_NO_SHA256' | 'IMPORT_ERR_SCHEDULE' | 'IMPORT_ERR_UNEXPECTED';

/** page/: the Images page's files. */
export type PageErrorCode = 'PAGE_ASSET_MISSING';

/** uploads/: custom images uploaded through boot-resources. */
export type UploadErrorCode = 'UPLOAD_CHUNK_REFUSED' | 'UPLOAD_CONTENT_MISMATCH' | 'UPLOAD_SHA256_MISMATCH';
