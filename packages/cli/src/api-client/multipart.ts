import { randomInt } from 'node:crypto';

/** One key=value argument; `file` for `key@=FILE`, whose part carries a filename as maascli's does. */
export interface FormField {
  readonly name: string;
  readonly value: string | Uint8Array;
  readonly file?: boolean;
}

/**
 * Encodes fields as maascli does with Python's `email` package, so this CLI exercises the same server contract:
 * a quoted `===============<digits>==` boundary and every value base64 in 76-column CRLF lines.
 */
export function encodeMaasMultipart(
  fields: readonly FormField[],
  boundary = `===============${String(randomInt(2 ** 47)).padStart(19, '0')}==`,
): { contentType: string; body: Buffer } {
  const chunks: string[] = [];
  for (const field of fields) {
    const lines = Buffer.from(field.value).toString('base64').match(/.{1,76}/g) ?? [];
    const filename = field.file ? `; filename="${field.name}"` : '';
    // Header order, content types and the blank line after the base64 text are those Python's email writes.
    chunks.push(
      `--${boundary}`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: form-data; name="${field.name}"${filename}`,
      'MIME-Version: 1.0',
      field.file ? 'Content-Type: application/octet-stream' : 'Content-Type: text/plain; charset="utf-8"',
      '',
      ...lines,
      '',
    );
  }
  chunks.push(`--${boundary}--`);
  return { contentType: `multipart/form-data; boundary="${boundary}"`, body: Buffer.from(chunks.join('\r\n')) };
}
