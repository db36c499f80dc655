import { describe, expect, it } from 'vitest';
import { ItemFilterError, matchesAll, matchesFilter, parseItemFilter, parseItemFilters } from '@bootsync/shared/streams';

const fields = { arch: 'amd64', release: 'noble', os: 'grub-efi-signed', size: 14997896, 'bootloader-type': 'uefi' };

describe('item filters, as sstream-query reads them', () => {
  it.each([
    ['arch=amd64', true],
    ['arch=amd', false],
    ['arch!=arm64', true],
    ['release~(jammy|noble)', true],
    ['release~^jam', false],
    ['os~grub*', true],
    ['os!~pxe', true],
    ['size=14997896', true],
    ['bootloader-type=uefi', true],
    ['subarch=', true],
    ['subarch!=', false],
    ['arch = amd64', true],
  ])('%s → %s', (text, expected) => {
    expect(matchesFilter(parseItemFilter(text), fields)).toBe(expected);
  });

  it('parses the four operators', () => {
    expect(parseItemFilters(['a=1', 'b!=2', 'c~3', 'd!~4']).map((f) => [f.key, f.op, f.value])).toEqual([
      ['a', '=', '1'],
      ['b', '!=', '2'],
      ['c', '~', '3'],
      ['d', '!~', '4'],
    ]);
  });

  it('ANDs filters', () => {
    expect(matchesAll(parseItemFilters(['arch=amd64', 'release=noble']), fields)).toBe(true);
    expect(matchesAll(parseItemFilters(['arch=amd64', 'release=jammy']), fields)).toBe(false);
  });

  it.each(['arch', '=amd64', 'arch~(unclosed'])('refuses %j', (text) => {
    const err = (() => {
      try {
        parseItemFilter(text);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ItemFilterError);
    expect(err).toMatchObject({ code: 'SS_ERR_FILTER', filter: text });
  });
});
