/**
 * Why a stream `path` could leave the mirror root, or undefined when it is safe. Stricter than simplestreams'
 * `assert_safe_path`: besides absolute paths and `..` it refuses what other platforms or URL parsers would read as a
 * way out (a scheme, a backslash, a NUL). Pure.
 */
export function unsafePathReason(path: string): string | undefined {
  if (path === '') return 'empty';
  if (path.includes('\0')) return 'contains NUL';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'absolute';
  if (/^[A-Za-z]:\//.test(path)) return 'absolute (drive letter)';
  // Content ids put colons in file names (`com.ubuntu.maas:stable:v3:download.json`), so only a real URL form counts.
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(path) || /^(https?|file|ftp|data):/i.test(path)) return 'has a scheme';
  const segments = path.split('/');
  if (segments.includes('..')) return 'has a .. segment';
  if (segments.some((s) => s === '')) return 'has an empty segment';
  return undefined;
}

/** The segments of a path already known to be safe, without `.` segments. */
export function pathSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '.');
}
