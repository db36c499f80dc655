import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MissingFormatKeyError, percentFormat, pprintDict, pythonDictRepr } from '../src/python-format/index.js';

type Item = Record<string, string | number | boolean>;

/** What Python 3 itself prints for the same item, values turned to strings first as simplestreams' stringitems does. */
function python(code: string, item: Item, format = ''): string {
  const script = `import json, sys, pprint\nitem = {k: (str(v) if not isinstance(v, str) else v) for k, v in json.loads(sys.argv[1]).items()}\nfmt = sys.argv[2]\n${code}`;
  return execFileSync('python3', ['-c', script, JSON.stringify(item), format], { encoding: 'utf8' });
}

const short: Item = { arch: 'amd64', release: 'noble', size: 512 };
const real: Item = {
  content_id: 'com.ubuntu.maas:stable:v3:download',
  product_name: 'com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04',
  release_title: '24.04 LTS',
  release_codename: 'Noble Numbat',
  subarches: 'generic,hwe-p,hwe-q,hwe-r,hwe-s,hwe-t,hwe-u,hwe-v,hwe-w,ga-16.04,ga-18.04,ga-20.04,ga-22.04,ga-24.04',
  src_version: "3:6.04~git20190206.bf6db5b4+dfsg1-3ubuntu1 it's a long version with words that has to be split somewhere",
  notes: 'a "quoted" and \\ backslashed value\twith a tab and a line\nbreak and non-ASCII: é',
  size: 14997896,
  boolean: true,
  item_url: 'http://images.maas.io/ephemeral-v3/stable/noble/amd64/20250618/ga-24.04/generic/boot-kernel',
};

describe('sstream-query --pretty: Python pprint of an item', () => {
  it.each([
    ['a short item on one line', short],
    ['a real-shaped item, one key a line, long values with spaces split', real],
  ])('prints %s exactly as Python 3 does', (_what, item) => {
    expect(`${pprintDict(item)}\n`).toBe(python('pprint.pprint(item)', item));
  });

  it('prints str(dict) in the item order, as sstream-query names an item it cannot format', () => {
    expect(`${pythonDictRepr(real)}\n`).toBe(python('print(str(item))', real));
  });
});

describe('sstream-query -o: Python %-formatting with the item', () => {
  it.each([
    '%(release)s %(arch)s',
    '%(size)12s|%(arch)-8s|%(release).3s',
    '%(release)r and 100%%',
    '%(size)d %(size)08d %(size)-10d|',
  ])('formats %j as Python does', (format) => {
    expect(`${percentFormat(format, short)}\n`).toBe(python('print(fmt % {k: (int(v) if k == "size" else v) for k, v in item.items()})', short, format));
  });

  it('names the missing key', () => {
    expect(() => percentFormat('%(kflavor)s', short)).toThrow(MissingFormatKeyError);
    expect(() => percentFormat('%(kflavor)s', short)).toThrow('Missing kflavor');
  });
});
