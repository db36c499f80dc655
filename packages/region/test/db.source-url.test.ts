import { describe, expect, it } from 'vitest';
import { normalizeSourceUrl } from '@bootsync/region/db';
import { sourceUrlErrors } from '../src/db/source-url.js';

/**
 * Boot source URLs as MAAS's Django URLField takes them (Django 4.2: forms.URLField.to_python, URLValidator,
 * max_length 200), with file:// as bootsync's extension. The cases are Django's own tests' kinds
 * (tests/validators/valid_urls.txt, invalid_urls.txt).
 */
describe('a boot source URL', () => {
  it.each([
    'http://images.maas.io/ephemeral-v3/stable',
    'https://mirror.example/maas/streams/v1/index.sjson',
    'http://127.0.0.1:18731',
    'http://localhost:8000/maas',
    'http://[::1]:8080/maas',
    'http://[2001:db8::1]/',
    'http://user:pass@mirror.example/maas',
    'http://xn--bcher-kva.example/maas',
    'http://bücher.example/maas',
    'http://mirror.example./maas',
    'http://a.b-c.example/?x=1#y',
    'file:///srv/maas-images',
    'file://localhost/srv/maas-images',
  ])('takes %s', (url) => {
    expect(sourceUrlErrors(url)).toEqual([]);
  });

  it.each([
    ['no host', 'http://'],
    ['a host without a top-level domain (Django wants one, or localhost)', 'http://mirror/maas'],
    ['an underscore in the host', 'http://my_mirror.example/'],
    ['a label starting with a dash', 'http://-mirror.example/'],
    ['a one-letter top-level domain', 'http://mirror.e/'],
    ['an IPv4 address out of range', 'http://256.1.1.1/'],
    ['a bad IPv6 address', 'http://[::1::2]/'],
    ['an unbalanced bracket', 'http://[::1/'],
    ['a space in the host', 'http://not a url'],
    ['a port of six digits', 'http://mirror.example:123456/'],
    ['another scheme', 'gopher://mirror.example/'],
    ['a file URL naming another host', 'file://mirror.example/srv'],
    ['a file URL without a path', 'file://'],
  ])('refuses %s with "Enter a valid URL."', (_what, url) => {
    expect(sourceUrlErrors(url)).toEqual(['Enter a valid URL.']);
  });

  it('refuses ftp and ftps, which Django takes but bootsync cannot read, saying so', () => {
    expect(sourceUrlErrors('ftp://mirror.example/maas')).toEqual(['bootsync reads mirrors over http, https or file:// only, not ftp.']);
    expect(sourceUrlErrors('ftps://mirror.example/maas')).toEqual(['bootsync reads mirrors over http, https or file:// only, not ftps.']);
  });

  it('refuses more than 200 characters as the model field does, beside any other error', () => {
    const long = `http://mirror.example/${'a'.repeat(179)}`;
    expect(long).toHaveLength(201);
    expect(sourceUrlErrors(long)).toEqual(['Ensure this value has at most 200 characters (it has 201).']);
    expect(sourceUrlErrors(`http://mirror/${'a'.repeat(200)}`)).toEqual(['Enter a valid URL.', 'Ensure this value has at most 200 characters (it has 214).']);
  });

  it.each([
    ['  http://mirror.example/maas/  ', 'http://mirror.example/maas'],
    ['mirror.example/maas/', 'http://mirror.example/maas'],
    ['mirror.example', 'http://mirror.example'],
    ['HTTP://Mirror.example/Maas', 'http://Mirror.example/Maas'],
    ['https://mirror.example//', 'https://mirror.example'],
    ['file:///srv/maas-images/', 'file:///srv/maas-images'],
    ['/srv/maas-images', 'http:///srv/maas-images'],
  ])('stores %j as MAAS does: %j', (sent, stored) => {
    expect(normalizeSourceUrl(sent)).toBe(stored);
  });
});
