import { stringOption } from '../config/index.js';

/**
 * `--accel-redirect PREFIX`: the daemon sits behind nginx, which sends file bodies. A file request is checked and
 * answered with `X-Accel-Redirect: PREFIX<path>` instead of the bytes; nginx's `internal` location PREFIX maps it
 * onto the directory (deploy/nginx/). Unset: the daemon sends the bytes itself.
 */
export function accelRedirectOption(directory: string) {
  return stringOption({
    description: `behind nginx: answer file requests with X-Accel-Redirect PREFIX<path under ${directory}> for nginx to send (deploy/nginx/)`,
    default: undefined,
    valueName: 'PREFIX',
    validate(value) {
      if (!/^\/(?:[A-Za-z0-9._~-]+\/)*$/.test(value)) throw new Error('expected a URI path that starts and ends with /, e.g. /_bootsync/store/');
    },
  });
}

/** The X-Accel-Redirect URI of a file at `relativePath` (`/`-separated) under the prefix's directory. */
export function accelRedirectUri(prefix: string, relativePath: string): string {
  return prefix + relativePath.split('/').map(encodeURIComponent).join('/');
}
