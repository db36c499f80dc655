import { describe, expect, it } from 'vitest';
import { parseOAuthHeader, verifyPlaintextOAuth } from '../src/api/auth.js';
import { parseBody } from '../src/api/body.js';
import { maasMultipart } from './api-harness.js';

const key = { consumerKey: 'ck', tokenKey: 'tk', tokenSecret: 's3cret' };
const header = (sig: string): string =>
  `OAuth oauth_nonce="1", oauth_timestamp="2", oauth_version="1.0", oauth_signature_method="PLAINTEXT", ` +
  `oauth_consumer_key="ck", oauth_token="tk", oauth_signature="${sig}"`;

describe('multipart bodies as Python email writes them', () => {
  it('decodes base64 parts (76-column CRLF lines), repeated keys and file parts', () => {
    const long = 'x'.repeat(200);
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    const { contentType, body } = maasMultipart([['arches', 'amd64'], ['arches', 'arm64'], ['title', long], ['keyring_data', bytes, 'file']]);
    expect(body.toString()).toMatch(/\r\n[A-Za-z0-9+/]{76}\r\n/);
    const bag = parseBody(contentType, body);
    expect(bag.list('arches')).toEqual(['amd64', 'arm64']);
    expect(bag.text('title')).toBe(long);
    expect(bag.raw('keyring_data')).toEqual({ bytes, isFile: true });
    expect(bag.raw('title')?.isFile).toBe(false);
  });

  it('accepts an unquoted boundary, LF line ends, folded headers and parts without encoding', () => {
    const body = [
      '--b1',
      'Content-Disposition: form-data;',
      ' name="os"',
      '',
      'ubuntu',
      '--b1',
      'Content-Transfer-Encoding: quoted-printable',
      'Content-Disposition: form-data; name="release"',
      '',
      'nob=6Ce',
      '--b1--',
      '',
    ].join('\n');
    const bag = parseBody('multipart/form-data; boundary=b1', Buffer.from(body));
    expect(bag.text('os')).toBe('ubuntu');
    expect(bag.text('release')).toBe('noble');
  });

  it.each([
    ['multipart/form-data', '--x\r\n\r\n--x--', /boundary/],
    ['multipart/form-data; boundary="x"', 'no delimiter here', /does not contain its boundary/],
    ['multipart/form-data; boundary="x"', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nv', /truncated/],
    ['multipart/form-data; boundary="x"', '--x\r\nContent-Type: text/plain\r\n\r\nv\r\n--x--', /Content-Disposition/],
    ['multipart/form-data; boundary="x"', '--x\r\nContent-Transfer-Encoding: uuencode\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--x--', /unsupported/],
    ['application/json', '[1, 2]', /JSON object/],
    ['application/json', '{"a": {"b": 1}}', /'a' must be/],
    ['text/csv', 'a,b', /Unsupported request body type 'text\/csv'/],
  ])('refuses %s %j with a message', (contentType, body, message) => {
    expect(() => parseBody(contentType, Buffer.from(body))).toThrow(message);
  });
});

describe('PLAINTEXT OAuth as oauthlib signs it', () => {
  const lookup = async (token: string): Promise<typeof key | undefined> => (token === key.tokenKey ? key : undefined);

  it('accepts the percent-encoded signature &<secret>', async () => {
    expect(await verifyPlaintextOAuth(header('%26s3cret'), lookup)).toBe(key);
    expect(parseOAuthHeader(header('%26s3cret')).get('oauth_signature')).toBe('&s3cret');
  });

  it.each([
    ['the secret without &', header('s3cret')],
    ['another secret', header('%26other')],
    ['a secret prefix', header('%26s3cre')],
    ['bad percent-encoding', header('%E0%A4%A')],
    ['garbage', 'OAuth this is not, a header'],
  ])('refuses %s', async (_what, h) => {
    await expect(verifyPlaintextOAuth(h, lookup)).rejects.toThrow(expect.objectContaining({ status: 401 }));
  });
});
