import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maasCall, startApi, type ApiHarness } from './api-harness.js';

/** The release settings and the import interval through maas get-config / set-config, as MAAS validates them. */
let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const get = async (name: string): Promise<unknown> => (await maasCall(api, 'GET', 'maas/?op=get_config', [['name', name]])).json();
const set = (name: string, value: string) => maasCall(api, 'POST', 'maas/?op=set_config', [['name', name], ['value', value]]);

describe('release defaults', () => {
  it("answer MAAS's defaults on a fresh region", async () => {
    expect(await get('commissioning_osystem')).toBe('ubuntu');
    expect(await get('commissioning_distro_series')).toBe('noble');
    expect(await get('default_osystem')).toBe('ubuntu');
    expect(await get('default_distro_series')).toBe('noble');
    expect(await get('boot_images_import_interval_minutes')).toBe(60);
  });

  it('refuse OSes and releases the region holds no image of, listing the choices as MAAS does', async () => {
    // Nothing held yet: MAAS's "--- No Usable ... ---" placeholder is the only choice.
    expect((await set('default_osystem', 'ubuntu')).json()).toEqual({ default_osystem: ["'ubuntu' is not a valid osystem.  It should be one of: '---'."] });
    const { bootResources } = api.repos;
    await bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04', extra: { title: 'Ubuntu 24.04 LTS' } });
    await bootResources.upsert({ rtype: 'synced', name: 'ubuntu/jammy', architecture: 'amd64/ga-22.04', extra: { title: 'Ubuntu 22.04 LTS' } });
    await bootResources.upsert({ rtype: 'synced', name: 'centos/centos70', architecture: 'amd64/generic', extra: { title: 'CentOS 7' } });
    await bootResources.upsert({ rtype: 'synced', name: 'grub-efi-signed/uefi', architecture: 'amd64/generic', extra: { bootloader_type: 'uefi' } });

    const typo = await set('commissioning_distro_series', 'nobel');
    expect(typo.statusCode).toBe(400);
    expect(typo.json()).toEqual({
      commissioning_distro_series: ["'nobel' is not a valid commissioning_distro_series.  It should be one of: 'jammy', 'noble'."],
    });
    expect((await set('default_osystem', 'grub-efi-signed')).json()).toEqual({
      default_osystem: ["'grub-efi-signed' is not a valid osystem.  It should be one of: 'centos', 'ubuntu'."],
    });
    expect((await set('default_distro_series', 'centos70')).json()).toEqual({
      default_distro_series: ["'centos70' is not a valid release.  It should be one of: 'jammy', 'noble'."],
    });
    expect((await set('commissioning_osystem', 'centos')).json()).toEqual({
      commissioning_osystem: ["'centos' is not a valid commissioning_osystem.  It should be one of: 'ubuntu'."],
    });
    expect(await get('commissioning_distro_series')).toBe('noble');
  });

  it('store a valid choice', async () => {
    expect((await set('commissioning_distro_series', 'jammy')).body).toBe('OK');
    expect(await get('commissioning_distro_series')).toBe('jammy');
    expect((await set('default_osystem', 'centos')).body).toBe('OK');
    // default_distro_series now chooses among the releases of the default OS.
    expect((await set('default_distro_series', 'centos70')).body).toBe('OK');
    expect(await get('default_distro_series')).toBe('centos70');
  });
});

describe('boot_images_import_interval_minutes', () => {
  it('takes a whole number of minutes, at least 1', async () => {
    expect((await set('boot_images_import_interval_minutes', '15')).body).toBe('OK');
    expect(await get('boot_images_import_interval_minutes')).toBe(15);
    expect((await set('boot_images_import_interval_minutes', 'hourly')).json()).toEqual({ boot_images_import_interval_minutes: ['Enter a whole number.'] });
    expect((await set('boot_images_import_interval_minutes', '0')).json()).toEqual({
      boot_images_import_interval_minutes: ['Ensure this value is greater than or equal to 1.'],
    });
    expect(await get('boot_images_import_interval_minutes')).toBe(15);
  });
});
