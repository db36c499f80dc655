import { ValidationError } from '../db/errors.js';

/**
 * MAAS's BootResourceForm / BootResourceNoContentForm (maasserver/forms/__init__.py, 3.4) as a pure check: the
 * fields of `boot-resources create`, cleaned, or every field error with MAAS's wording. Pure: what it needs of the
 * region (usable architectures, reserved names, an existing upload's base image) comes in `UploadFormContext`.
 */

/** `filetype=` of an upload → the BootResourceFile filetype (and, as MAAS 3.4 names it, the file's name). */
export const UPLOAD_FILETYPES: Readonly<Record<string, string>> = {
  tgz: 'root-tgz',
  tbz: 'root-tbz',
  txz: 'root-txz',
  ddtgz: 'root-dd',
  ddtbz: 'root-dd.tar.bz2',
  ddtxz: 'root-dd.tar.xz',
  ddtar: 'root-dd.tar',
  ddbz2: 'root-dd.bz2',
  ddgz: 'root-dd.gz',
  ddxz: 'root-dd.xz',
  ddraw: 'root-dd.raw',
};

/** OperatingSystemRegistry's names, in MAAS's order (the order its message lists them in). */
export const SUPPORTED_OSYSTEMS: readonly string[] = [
  'ubuntu', 'ubuntu-core', 'bootloader', 'centos', 'rhel', 'custom', 'windows', 'suse', 'caringo', 'esxi',
];

/** maasserver/models/bootresource.py LINUX_OSYSTEMS: what a custom image may be built on. */
const LINUX_OSYSTEMS: readonly string[] = ['ubuntu', 'centos', 'rhel'];

/** Ubuntu series distro-info knows, for a base image's release (UbuntuOS.is_release_supported). */
const UBUNTU_SERIES: readonly string[] = [
  'warty', 'hoary', 'breezy', 'dapper', 'edgy', 'feisty', 'gutsy', 'hardy', 'intrepid', 'jaunty', 'karmic', 'lucid',
  'maverick', 'natty', 'oneiric', 'precise', 'quantal', 'raring', 'saucy', 'trusty', 'utopic', 'vivid', 'wily',
  'xenial', 'yakkety', 'zesty', 'artful', 'bionic', 'cosmic', 'disco', 'eoan', 'focal', 'groovy', 'hirsute',
  'impish', 'jammy', 'kinetic', 'lunar', 'mantic', 'noble', 'oracular', 'plucky', 'questing', 'resolute',
];
/** centos.py / rhel.py DISTRO_MATCHER. */
const RELEASE_MATCHERS: Readonly<Record<string, RegExp>> = {
  centos: /^centos(([0-9])([0-9])?)?([-.]?(.+))?$/i,
  rhel: /^rhel(([0-9])([0-9])?)?([-.]?(.+))?$/i,
};

export interface UploadFormContext {
  /** `list_all_usable_architectures()`, sorted: the only architectures an upload may name. */
  readonly usableArchitectures: readonly string[];
  /** os/release pairs the boot sources offer (BootSourceCache): these and their words are reserved. */
  readonly offered: readonly { readonly os: string; readonly release: string }[];
  /** The commissioning os/series: a custom image's base image when none is given. */
  readonly defaultBaseImage: string;
  /** The base image an upload of this name and architecture already has, if any. */
  readonly existingBaseImage: (name: string, architecture: string) => string | undefined;
}

export interface UploadForm {
  /** Always `os/release`: `custom/NAME` for a custom image (MAAS 3.4 strips the `custom/`; bootsync keeps it). */
  readonly name: string;
  readonly title: string;
  readonly architecture: string;
  /** The BootResourceFile filetype (`root-tgz`); also the file's name. */
  readonly filetype: string;
  /** `os/series` for a custom image, '' otherwise. */
  readonly baseImage: string;
  /** Given with the first request of a chunked upload; absent when the content comes in the same request. */
  readonly sha256?: string;
  readonly size?: number;
}

export type UploadFields = (key: string) => string | undefined;

/**
 * Cleans the fields of a create; `withContent` when the image comes in the same request (no sha256/size needed).
 * Throws ValidationError (the API's 400 `{field: [message]}`) with every field's errors.
 */
export function cleanUploadForm(get: UploadFields, ctx: UploadFormContext, withContent: boolean): UploadForm {
  const errors: Record<string, string[]> = {};
  const fail = (field: string, message: string): undefined => {
    (errors[field] ??= []).push(message);
    return undefined;
  };
  const given = (key: string): string | undefined => {
    const v = get(key);
    return v === undefined || v.trim() === '' ? undefined : v;
  };

  const name = cleanName(given('name'), ctx, fail);
  const title = get('title') ?? '';
  const architecture = cleanArchitecture(given('architecture'), ctx, fail);
  const filetypeWord = given('filetype') ?? 'tgz';
  const filetype = UPLOAD_FILETYPES[filetypeWord] ?? fail('filetype', `Select a valid choice. ${filetypeWord} is not one of the available choices.`);
  let sha256: string | undefined;
  let size: number | undefined;
  if (!withContent || given('sha256') !== undefined || given('size') !== undefined) {
    sha256 = cleanSha256(given('sha256'), fail);
    size = cleanSize(given('size'), fail);
  }
  const baseImage = name !== undefined && architecture !== undefined ? cleanBaseImage(get('base_image'), name, architecture, ctx, fail) : '';

  if (Object.keys(errors).length > 0 || name === undefined || architecture === undefined || filetype === undefined || baseImage === undefined) {
    throw new ValidationError('BootResource', errors);
  }
  return { name, title, architecture, filetype, baseImage, ...(sha256 !== undefined && { sha256 }), ...(size !== undefined && { size }) };
}

type Fail = (field: string, message: string) => undefined;

/** clean_name: `custom/NAME` or a bare NAME is a custom image; `OS/RELEASE` names a supported OS; reserved names refused. */
function cleanName(value: string | undefined, ctx: UploadFormContext, fail: Fail): string | undefined {
  if (value === undefined) return fail('name', 'This field is required.');
  const parts = value.split('/');
  if (parts.length > 2 || parts.some((p) => p === '' || /\s/.test(p))) {
    return fail('name', 'Name must be NAME, custom/NAME or OS/RELEASE without spaces.');
  }
  let checked = value;
  if (parts.length === 2) {
    const [os] = parts as [string, string];
    if (os === 'custom') checked = parts[1]!;
    else if (!SUPPORTED_OSYSTEMS.includes(os)) {
      return fail('name', `Unsupport operating system ${os}, supported operating systems: [${SUPPORTED_OSYSTEMS.map((o) => `'${o}'`).join(', ')}]`);
    }
  }
  const reserved = new Set([...SUPPORTED_OSYSTEMS, ...ctx.offered.flatMap((o) => [`${o.os}/${o.release}`, o.os, o.release])]);
  // MAAS reserves CentOS version names for its own use.
  if (reserved.has(checked) || /^centos\d\d?$/.test(checked)) return fail('name', `${checked} is a reserved name`);
  return checked.includes('/') ? checked : `custom/${checked}`;
}

function cleanArchitecture(value: string | undefined, ctx: UploadFormContext, fail: Fail): string | undefined {
  if (value === undefined) return fail('architecture', 'This field is required.');
  if (ctx.usableArchitectures.includes(value)) return value;
  const choices = ctx.usableArchitectures.length === 0 ? ["''"] : ctx.usableArchitectures.map((a) => `'${a}'`);
  return fail('architecture', `'${value}' is not a valid architecture.  It should be one of: ${choices.join(', ')}.`);
}

function cleanSha256(value: string | undefined, fail: Fail): string | undefined {
  if (value === undefined) return fail('sha256', 'This field is required.');
  if (value.length > 64) return fail('sha256', `Ensure this value has at most 64 characters (it has ${value.length}).`);
  if (value.length < 64) return fail('sha256', `Ensure this value has at least 64 characters (it has ${value.length}).`);
  // MAAS stores any 64 characters; bootsync addresses its store by the digest, so it must be one.
  if (!/^[0-9a-fA-F]{64}$/.test(value)) return fail('sha256', 'Enter a sha256 digest: 64 hexadecimal characters.');
  return value.toLowerCase();
}

function cleanSize(value: string | undefined, fail: Fail): number | undefined {
  if (value === undefined) return fail('size', 'This field is required.');
  const t = value.trim();
  if (!/^[-+]?\d+$/.test(t) || !Number.isSafeInteger(Number(t))) return fail('size', 'Enter a whole number.');
  const n = Number(t);
  if (n <= 0) return fail('size', 'Ensure this value is greater than or equal to 1.');
  return n;
}

/** clean_base_image: only custom images have one; given as `os/series`, else the existing one, else commissioning's. */
function cleanBaseImage(value: string | undefined, name: string, architecture: string, ctx: UploadFormContext, fail: Fail): string | undefined {
  if (!name.startsWith('custom/')) return '';
  const given = value !== undefined && value !== '';
  const chosen = given ? value : (ctx.existingBaseImage(name, architecture) ?? '');
  const parts = chosen.split('/');
  if (parts.length !== 2) {
    if (!given) return ctx.defaultBaseImage;
    return fail('base_image', 'a base image must follow the format: <osystem>/<series>');
  }
  const [os, release] = [parts[0]!.toLowerCase(), parts[1]!.toLowerCase()];
  if (!LINUX_OSYSTEMS.includes(os)) return fail('base_image', 'custom images require a valid non-custom OS type base image');
  const supported = os === 'ubuntu' ? UBUNTU_SERIES.includes(release) : (RELEASE_MATCHERS[os]?.test(release) ?? false);
  if (!supported) return fail('base_image', 'please select a valid base image OS and version');
  return `${os}/${release}`;
}
