import { describe, expect, it } from 'vitest';
import { formatResponse, formatTable } from '../src/commands/api-output.js';
import { importProgress, progressBar } from '../src/commands/import-progress.js';
import { parseApiKey, plaintextOAuthHeader } from '../src/api-client/index.js';
import { apiRootOf } from '../src/api-client/client.js';

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
});
