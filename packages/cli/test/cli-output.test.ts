import { describe, expect, it } from 'vitest';
import { formatResponse, formatTable } from '../src/commands/api-output.js';
import { importProgress, progressBar } from '../src/commands/import-progress.js';
import { parseApiKey, plaintextOAuthHeader } from '../src/api-client/index.js';
import { apiRootOf } from '../src/api-client/client.js';
import { encodeMaasMultipart } from '../src/api-client/multipart.js';
import { pythonMaasMultipart } from '@bootsync/region/testing';

describe('import progress from image statuses', () => {
  it.each([
    [[], { percent: 0, ready: 0, total: 0 }],
    [['Synced', 'Queued for download'], { percent: 50, ready: 1, total: 2 }],
    [['Downloading 42%', 'Synced', 'Waiting for rack controller(s) to sync'], { percent: 80, ready: 2, total: 3 }],
    [['Downloading 99%'], { percent: 99, ready: 0, total: 1 }],
  ])('%j → %j', (statuses, expected) => {
    expect(importProgress(statuses)).toEqual(expected);
  });

  it('draws a bar of the given width', () => {
    expect(progressBar({ percent: 50, ready: 1, total: 2 }, 10)).toBe('[#####-----]  50%  1/2 images');
  });
});

describe('output', () => {
  it('aligns an array of objects in columns, lists joined, nested objects as JSON', () => {
    expect(formatTable([{ id: 1, arches: ['amd64', 'arm64'], url: 'http://a' }, { id: 22, arches: [], url: 'http://bb', sets: { x: 1 } }])).toBe(
      'ID  ARCHES       URL        SETS\n' + '1   amd64,arm64  http://a\n' + '22               http://bb  {"x":1}\n',
    );
  });

  it('shows an object holding one list of objects as its other fields, then the list as a table', () => {
    expect(formatTable({ url: 'http://m', images: [{ os: 'ubuntu', release: 'noble' }] })).toBe(
      'url: http://m\nOS      RELEASE\nubuntu  noble\n',
    );
    expect(formatTable({ id: 1, sets: [] })).toBe('KEY   VALUE\nid    1\nsets\n');
  });

  it('prints text answers as they are and JSON pretty-printed', () => {
    expect(formatResponse({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'OK' }, false)).toBe('OK\n');
    expect(formatResponse({ status: 200, contentType: 'application/json', body: '{"a":true}' }, false)).toBe('{\n  "a": true\n}\n');
    expect(formatResponse({ status: 200, contentType: 'application/json', body: 'false' }, true)).toBe('false\n');
  });
});

describe('requests as maascli makes them', () => {
  it('builds the API root as api_url() does', () => {
    expect(apiRootOf('http://r:5240/MAAS')).toBe('http://r:5240/MAAS/api/2.0/');
    expect(apiRootOf('http://r:5240/MAAS/api/2.0/')).toBe('http://r:5240/MAAS/api/2.0/');
  });

  it('signs PLAINTEXT with %26<secret> and refuses keys without three parts', () => {
    const h = plaintextOAuthHeader(parseApiKey('ck:tk:s/e+c'));
    expect(h).toMatch(/^OAuth oauth_nonce="\d+", oauth_timestamp="\d+", oauth_version="1.0", oauth_signature_method="PLAINTEXT", /);
    expect(h).toContain('oauth_consumer_key="ck", oauth_token="tk", oauth_signature="%26s%2Fe%2Bc"');
    expect(() => parseApiKey('ck:tk')).toThrow(/three parts/);
  });

  it("writes multipart bodies byte for byte as maascli's Python email package does", () => {
    const boundary = '===============1234567890123456789==';
    const long = 'k'.repeat(200);
    const bytes = Buffer.from([0, 255, 1, 254]);
    const ours = encodeMaasMultipart(
      [{ name: 'url', value: 'http://x/' }, { name: 'arches', value: 'amd64' }, { name: 'arches', value: 'arm64' },
        { name: 'name', value: long }, { name: 'empty', value: '' }, { name: 'keyring_data', value: bytes, file: true }],
      boundary,
    );
    const python = pythonMaasMultipart(
      [['url', 'http://x/'], ['arches', 'amd64'], ['arches', 'arm64'], ['name', long], ['empty', ''], ['keyring_data', bytes, 'file']],
      boundary,
    );
    expect(ours.contentType).toBe(python.contentType);
    expect(ours.body.toString('latin1')).toBe(python.body.toString('latin1'));
  });
});
