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
export function encodeMaasMultipart(fields: readonly FormField[]): { contentType: string; body: Buffer } {
  const boundary = `===============${String(randomInt(2 ** 47)).padStart(19, '0')}==`;
  const chunks: string[] = [];
  for (const field of fields) {
    const lines = Buffer.from(field.value).toString('base64').match(/.{1,76}/g) ?? [''];
    const filename = field.file ? `; filename="${field.name}"` : '';
    chunks.push(
      `--${boundary}`,
      'Content-Type: text/plain; charset="utf-8"',
      'MIME-Version: 1.0',
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: form-data; name="${field.name}"${filename}`,
      '',
      ...lines,
    );
  }
  chunks.push(`--${boundary}--`, '');
  return { contentType: `multipart/form-data; boundary="${boundary}"`, body: Buffer.from(chunks.join('\r\n')) };
}
