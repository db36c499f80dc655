import type { TranscriptCase, TranscriptSection } from './maas-transcript.js';

/**
 * What the transcript runs, in order, against one region (api.maas-transcript.test.ts): each command as a maas CLI
 * user types it, the request it makes (the real client's bytes where they were captured), and, where MAAS answers
 * otherwise, MAAS's answer from its source and why bootsync differs. MAAS means 3.7 unless a case says otherwise
 * (boot source names and priorities are 3.8's; racks that hold images are 3.4's, as bootsync's racks do).
 */
export interface TranscriptWorld {
  /** The signed mirror the region imports from, `http://127.0.0.1:PORT` (the doc shows `http://MIRROR`). */
  readonly mirrorUrl: string;
  /** Its keyring on the region (the doc shows `DIR/keyring.gpg`). */
  readonly keyring: string;
  /** Resolves when the import the next request starts has finished. */
  importFinishes(): Promise<void>;
  /** Registers a rack and records a sync of everything the region publishes, as a rack's job reports it. */
  rackSynced(name: string): Promise<void>;
}

const ADMIN_ONLY_37 = {
  version: '3.7',
  status: 403,
  body: 'User is not allowed access to this API.',
  source: 'src/maasserver/urls_api.py: boot sources and selections are AdminRestrictedResource',
};

/** boot-resources read and boot-resource read: MAAS's fields, and three more. */
const STATUS_FIELDS = (what: string): TranscriptCase['maas'] => ({
  version: '3.7',
  status: 200,
  body: `(${what} without status, size and last_synced)`,
  source: 'src/maasserver/api/boot_resources.py boot_resource_to_dict: id, type, name, architecture, resource_uri, last_deployed, the extra fields, base_image',
  why: "Added, nothing removed: status in MAAS's Images page words, size (the bytes of the set that status describes) and last_synced, so the Images page and scripts read them from this one list; the CLI prints the fields as it gets them.",
});

const UNRECOGNISED = (method: string, op: string): string => `Unrecognised signature: method=${method} op=${op}`;

export function transcriptSections(world: TranscriptWorld): TranscriptSection[] {
  const mirror = world.mirrorUrl;
  let importDone: Promise<void> | undefined;
  const login: TranscriptSection = {
    title: 'Logging in',
    note: '`maas login` asks whoami with the key, then reads describe unsigned.',
    cases: [
      { cli: 'maas login admin http://HOST/MAAS/ KEY', request: { captured: '01-login-whoami' } },
      {
        cli: '(maas login, then) GET describe',
        request: { method: 'GET', path: 'describe/', as: 'nobody' },
        show: (body) => {
          const d = JSON.parse(body) as { handlers: { name: string }[]; hash: string };
          return `{"doc":"MAAS API","handlers":[${d.handlers.length} handlers: ${d.handlers.map((h) => h.name).join(', ')}],...}`;
        },
      },
      { cli: 'maas login bad http://HOST/MAAS/ aaa:bbb:ccc', request: { captured: '02-login-whoami-rejected-key' } },
      {
        cli: 'maas login anon http://HOST/MAAS/ < /dev/null',
        request: { captured: '06-login-macaroon-probe' },
        maas: {
          version: '3.7',
          status: 401,
          body: 'Forbidden',
          source: 'src/maasserver/macaroon_auth.py MacaroonAPIAuthentication.challenge without external auth',
          why: 'bootsync has no macaroon login, so no account handler: the CLI takes any answer but 200 to this probe as "no macaroons" and asks for a key, so both end the same way.',
        },
      },
      { cli: 'maas login viewer http://HOST/MAAS/ VIEWER_KEY   (bootsync-region apikey --user viewer)', request: { captured: '13-whoami-non-admin', as: 'viewer' } },
    ],
  };

  const sources: TranscriptSection = {
    title: 'Boot sources',
    note:
      'The region starts with one source, the signed mirror it imports from (`http://MIRROR`). Names and priorities are ' +
      "MAAS 3.8's (3.7's boot sources have neither): both unique, priorities >= 0. URLs are Django's URLField's.",
    cases: [
      { cli: 'maas admin boot-sources read', request: { method: 'GET', path: 'boot-sources/' } },
      { cli: 'maas admin boot-sources create url=http://127.0.0.1:18731/other/ keyring_data@=keyring.gpg', request: { captured: '03-boot-sources-create-keyring-file' } },
      { cli: 'maas admin boot-sources create url=http://127.0.0.1:18731/x/', request: { method: 'POST', path: 'boot-sources/', fields: [['url', 'http://127.0.0.1:18731/x/']] } },
      {
        cli: 'maas admin boot-sources create url=http://mirror/maas keyring_filename=/k.gpg',
        request: { method: 'POST', path: 'boot-sources/', fields: [['url', 'http://mirror/maas'], ['keyring_filename', '/k.gpg']] },
      },
      {
        cli: 'maas admin boot-sources create url=mirror.example/maas/ keyring_filename=/k.gpg',
        request: { method: 'POST', path: 'boot-sources/', fields: [['url', 'mirror.example/maas/'], ['keyring_filename', '/k.gpg']] },
      },
      {
        cli: 'maas admin boot-sources create url=file:///srv/maas-images/ keyring_filename=/k.gpg',
        request: { method: 'POST', path: 'boot-sources/', fields: [['url', 'file:///srv/maas-images/'], ['keyring_filename', '/k.gpg']] },
        maas: {
          version: '3.8 (main)',
          status: 400,
          body: '{"url":["Enter a valid URL."]}',
          source: "src/maasserver/models/bootsource.py: url is a URLField (Django's URLValidator: http, https, ftp, ftps)",
          why: "bootsync's documented extension: a mirror on the region's own disk, built with `bootsync stream mirror` (docs/operations.md, Local image mirror).",
        },
      },
      {
        cli: 'maas admin boot-sources create url=ftp://mirror.example/maas keyring_filename=/k.gpg',
        request: { method: 'POST', path: 'boot-sources/', fields: [['url', 'ftp://mirror.example/maas'], ['keyring_filename', '/k.gpg']] },
        maas: {
          version: '3.8 (main)',
          status: 201,
          body: '(the new source)',
          source: "src/maasserver/models/bootsource.py URLField: Django's URLValidator takes ftp and ftps",
          why: 'bootsync reads mirrors over http, https and file:// only; an ftp source would fail every import, so it is refused when made.',
        },
      },
      { cli: 'maas admin boot-source update 3 name=local-mirror priority=5', request: { method: 'PUT', path: 'boot-sources/3/', fields: [['name', 'local-mirror'], ['priority', '5']] } },
      {
        cli: 'maas admin boot-source update 4 priority=5',
        request: { method: 'PUT', path: 'boot-sources/4/', fields: [['priority', '5']] },
        maas: {
          version: '3.8 (main)',
          status: 409,
          body: '(an HTML "Conflict" page, after retrying the request 10 times)',
          source: 'alembic 0005_add_columns_to_bootsource.py: a unique constraint on priority the Django model does not declare; maasserver/utils/views.py retries unique violations, then answers 409',
          why: "bootsync checks it as a form error, with MAAS's API 3.0 message (maasapiserver v3 boot_sources.py validate_priority), so the CLI user reads which field is wrong.",
        },
      },
      { cli: 'maas admin boot-source update 4 name=local-mirror priority=-1', request: { method: 'PUT', path: 'boot-sources/4/', fields: [['name', 'local-mirror'], ['priority', '-1']] } },
      { cli: 'maas admin boot-source update 3 priority=abc', request: { method: 'PUT', path: 'boot-sources/3/', fields: [['priority', 'abc']] } },
      { cli: 'maas admin boot-source read 3', request: { method: 'GET', path: 'boot-sources/3/' } },
      { cli: 'maas admin boot-source delete 2', request: { captured: '04-boot-source-delete', vars: { SOURCE_ID: '2' } } },
      { cli: 'maas admin boot-source delete 3', request: { method: 'DELETE', path: 'boot-sources/3/' } },
      { cli: 'maas admin boot-source delete 4', request: { method: 'DELETE', path: 'boot-sources/4/' } },
      { cli: 'maas admin boot-source read 99', request: { captured: '05-boot-source-read-unknown' } },
      {
        cli: 'maas admin boot-sources fetch url=http://MIRROR/ keyring_filename=DIR/keyring.gpg',
        request: { method: 'POST', path: 'boot-sources/?op=fetch', fields: [['url', `${mirror}/`], ['keyring_filename', world.keyring]] },
        maas: {
          version: '3.7',
          status: 400,
          body: UNRECOGNISED('POST', 'fetch'),
          source: 'src/maasserver/api/boot_sources.py has no fetch; api/support.py OperationsHandler.dispatch',
          why: "bootsync's Images page reads a mirror before saving it as a source (MAAS's UI does that over its websocket API, which bootsync does not have).",
        },
      },
    ],
  };

  const selections: TranscriptSection = {
    title: 'Selections, checked against what the source offers',
    note:
      'The source was never imported: a selection is checked against its index, read now. MAAS checks its cache of ' +
      "the source (BootSourceCache), which it fills when the source is saved; the answers are the same where both can read the source.",
    cases: [
      { cli: 'maas admin boot-source-selections create 1 os=ubuntu release=nobel arches=amd64', request: { captured: '11-boot-source-selections-create-typo', vars: { SOURCE_ID: '1' } } },
      { cli: 'maas admin boot-source-selections read 1', request: { method: 'GET', path: 'boot-sources/1/selections/' } },
      { cli: 'maas admin boot-resources read', request: { method: 'GET', path: 'boot-resources/' } },
      {
        cli: 'maas admin boot-source-selections create 1 os=ubuntu release=noble arches=amd64',
        request: { captured: '12-boot-source-selections-create-defaults', vars: { SOURCE_ID: '1' } },
        maas: {
          version: '3.7',
          status: 200,
          body: '{"boot_source_id":1,"id":1,"os":"ubuntu","release":"noble","arches":["amd64"],"subarches":[],"labels":[],"resource_uri":"/MAAS/api/2.0/boot-sources/1/selections/1/"}',
          source: 'src/maasserver/forms/__init__.py BootSourceSelectionForm: omitted lists clean to []; import_images/download_descriptions.py value_passes_filter_list matches nothing in []',
          why: 'MAAS stores a selection that imports nothing, and says nothing about it. bootsync reads an omitted arches, subarches or labels as `*` (all) on create, as its API doc says; on update an omitted one stays as it was, as in MAAS.',
        },
      },
      {
        cli: 'maas admin boot-source-selection update 1 1 arches=amd64 arches=s390x',
        request: { method: 'PUT', path: 'boot-sources/1/selections/1/', fields: [['arches', 'amd64'], ['arches', 's390x']] },
        maas: {
          version: '3.7',
          status: 400,
          body: `{"arches":["No available images to download for ['amd64', 's390x']"]}`,
          source: 'src/maasserver/forms/__init__.py BootSourceSelectionForm.clean: the list sent',
          why: 'Same words and form; bootsync names only the values the source lacks, since amd64 is offered and naming it misleads (issue 16: the message names the missing arches).',
        },
      },
      { cli: 'maas admin boot-source-selection update 1 1 labels=stable', request: { method: 'PUT', path: 'boot-sources/1/selections/1/', fields: [['labels', 'stable']] } },
      { cli: 'maas admin boot-source-selection read 1 1', request: { method: 'GET', path: 'boot-sources/1/selections/1/' } },
      { cli: 'maas admin boot-source-selection delete 1 1', request: { method: 'DELETE', path: 'boot-sources/1/selections/1/' } },
      {
        cli: 'maas admin boot-source-selections create 1 os=ubuntu release=jammy arches=amd64 subarches=* labels=*',
        request: { method: 'POST', path: 'boot-sources/1/selections/', fields: [['os', 'ubuntu'], ['release', 'jammy'], ['arches', 'amd64'], ['subarches', '*'], ['labels', '*']] },
      },
      { cli: 'maas admin boot-source-selection delete 1 2', request: { method: 'DELETE', path: 'boot-sources/1/selections/2/' } },
      {
        cli: 'maas admin boot-sources create url=http://127.0.0.1:9/gone/ keyring_filename=DIR/keyring.gpg',
        request: { method: 'POST', path: 'boot-sources/', fields: [['url', 'http://127.0.0.1:9/gone/'], ['keyring_filename', world.keyring]] },
      },
      {
        cli: 'maas admin boot-source-selections create 5 os=ubuntu release=noble arches=amd64',
        request: { method: 'POST', path: 'boot-sources/5/selections/', fields: [['os', 'ubuntu'], ['release', 'noble'], ['arches', 'amd64']] },
        maas: {
          version: '3.7',
          status: 400,
          body: '{"os":["OS ubuntu with release noble has no available images for download"]}',
          source: 'src/maasserver/forms/__init__.py BootSourceSelectionForm.clean: the cache of a source never read is empty',
          why: 'bootsync reads the source to check the selection; when it cannot, it says so (a 503 naming the source and the reason) rather than blaming a release the source may well offer.',
        },
      },
      { cli: 'maas admin boot-source delete 5', request: { method: 'DELETE', path: 'boot-sources/5/' } },
    ],
  };

  const imports: TranscriptSection = {
    title: 'Imports and images',
    cases: [
      { cli: 'maas admin boot-resources is-importing', request: { method: 'GET', path: 'boot-resources/?op=is_importing' } },
      {
        cli: 'maas admin boot-resources import foo=bar',
        request: { method: 'POST', path: 'boot-resources/?op=import', fields: [['foo', 'bar']] },
        maas: {
          version: '3.7',
          status: 200,
          body: 'Import of boot resources started',
          source: 'piston and Django forms ignore keys an operation does not read',
          why: 'A key an action does not document is refused, naming it (issue 5: a bad field is a 4xx with a message). maas clients before 3.6 send key=value to any action.',
        },
      },
      {
        cli: 'maas admin boot-resources import',
        request: { method: 'POST', path: 'boot-resources/?op=import' },
        before: async () => {
          importDone = world.importFinishes();
        },
        after: async () => {
          await importDone;
        },
      },
      { cli: '(once it finished) maas admin boot-resources is-importing', request: { method: 'GET', path: 'boot-resources/?op=is_importing' } },
      {
        cli: 'maas admin boot-resources import-status',
        request: { method: 'GET', path: 'boot-resources/?op=import_status' },
        maas: {
          version: '3.7',
          status: 400,
          body: UNRECOGNISED('GET', 'import_status'),
          source: 'src/maasserver/api/boot_resources.py has no import_status',
          why: "bootsync's own: the last import runs with their outcome and errors (MAAS shows those as events and in its UI).",
        },
      },
      { cli: 'maas admin boot-resources read', request: { method: 'GET', path: 'boot-resources/' }, maas: STATUS_FIELDS('the same entries') },
      { cli: 'maas admin boot-resources read type=bogus', request: { method: 'GET', path: 'boot-resources/', fields: [['type', 'bogus']] } },
      { cli: 'maas admin boot-resource read 1', request: { method: 'GET', path: 'boot-resources/1/' }, maas: STATUS_FIELDS('the same resource and sets') },
      { cli: 'maas admin boot-resource read 99', request: { method: 'GET', path: 'boot-resources/99/' } },
      { cli: 'maas admin boot-resources stop-import', request: { method: 'POST', path: 'boot-resources/?op=stop_import' } },
    ],
  };

  const custom: TranscriptSection = {
    title: 'Custom images',
    note: "The CLI's first request of a chunked upload (its 4 MiB PUTs are replayed by api.real-client.test.ts); the image is then deleted unfinished.",
    cases: [
      {
        cli: 'maas admin boot-resources create name=custom/fidelity-100mb title="Fidelity 100 MB" architecture=amd64/generic filetype=ddxz base_image=ubuntu/jammy content@=image-100MB.ddxz',
        request: { captured: '09-boot-resources-create-chunked' },
      },
      { cli: 'maas admin boot-resources read type=uploaded', request: { method: 'GET', path: 'boot-resources/', fields: [['type', 'uploaded']] } },
      { cli: 'maas admin boot-resource delete 4', request: { method: 'DELETE', path: 'boot-resources/4/' } },
    ],
  };

  const settings: TranscriptSection = {
    title: 'Settings',
    cases: [
      { cli: "maas admin maas set-config name=http_proxy 'value=http://u:p%40ss@proxy.example:3128/?a=b&c=d é'", request: { captured: '07-set-config-http-proxy' } },
      { cli: 'maas admin maas get-config name=http_proxy', request: { method: 'GET', path: 'maas/?op=get_config', fields: [['name', 'http_proxy']] } },
      { cli: 'maas admin maas get-config name=é', request: { captured: '08-get-config-unknown-name' } },
      { cli: 'maas admin maas set-config name=boot_images_auto_import value=maybe', request: { method: 'POST', path: 'maas/?op=set_config', fields: [['name', 'boot_images_auto_import'], ['value', 'maybe']] } },
      { cli: 'maas admin maas get-config name=commissioning_distro_series', request: { method: 'GET', path: 'maas/?op=get_config', fields: [['name', 'commissioning_distro_series']] } },
    ],
  };

  const rackDiff = (what: string): TranscriptCase['maas'] => ({
    version: '3.7',
    status: 200,
    body: `(${what}: a generated system_id such as "4y3h7n", hostname, fqdn, interfaces, power and some 60 other fields)`,
    source: 'src/maasserver/api/rackcontrollers.py DISPLAYED_RACK_CONTROLLER_FIELDS',
    why: "bootsync's racks only hold images: the fields are those of image syncing, named as MAAS names them where it has them; a rack's system_id is the name it registered with.",
  });
  const racks: TranscriptSection = {
    title: 'Rack controllers',
    note: "A rack registered and reported holding everything the region publishes. bootsync's racks hold images as MAAS 3.4's did, so list-boot-images and import-boot-images answer as 3.4 does.",
    cases: [
      {
        cli: 'maas admin rack-controllers read',
        request: { method: 'GET', path: 'rackcontrollers/' },
        before: () => world.rackSynced('rack-1'),
        maas: rackDiff("a list of MAAS's node representations"),
      },
      {
        cli: 'maas admin rack-controllers summary',
        request: { method: 'GET', path: 'rackcontrollers/?op=summary' },
        maas: {
          version: '3.7',
          status: 400,
          body: UNRECOGNISED('GET', 'summary'),
          source: 'src/maasserver/api/rackcontrollers.py has no summary; api/support.py OperationsHandler.dispatch',
          why: "bootsync's Images page shows how many racks read each image sync status without listing a thousand of them (issue 18); read takes image_sync_status, offset and limit for the page of racks it shows.",
        },
      },
      { cli: 'maas admin rack-controller read rack-1', request: { method: 'GET', path: 'rackcontrollers/rack-1/' }, maas: rackDiff("MAAS's node representation") },
      { cli: 'maas admin rack-controller list-boot-images rack-1', request: { method: 'GET', path: 'rackcontrollers/rack-1/?op=list_boot_images' } },
      {
        cli: 'maas admin rack-controller import-boot-images rack-1',
        request: { method: 'POST', path: 'rackcontrollers/rack-1/?op=import_boot_images' },
        maas: {
          version: '3.7',
          status: 202,
          body: 'Accepted',
          source: 'src/maasserver/api/rackcontrollers.py: deprecated, no action since 3.5 (3.4 answers as bootsync)',
          why: "bootsync's racks hold images and pull them from the region: the rack syncs now, as on MAAS 3.4.",
        },
      },
      {
        cli: 'maas admin rack-controllers import-boot-images',
        request: { method: 'POST', path: 'rackcontrollers/?op=import_boot_images' },
        maas: {
          version: '3.7',
          status: 202,
          body: 'Accepted',
          source: 'src/maasserver/api/rackcontrollers.py: deprecated, no action since 3.5 (3.4 answers as bootsync)',
          why: 'Every rack syncs now, as on MAAS 3.4.',
        },
      },
      { cli: 'maas admin rack-controller delete rack-1', request: { method: 'DELETE', path: 'rackcontrollers/rack-1/' } },
      { cli: 'maas admin rack-controller read rack-1', request: { method: 'GET', path: 'rackcontrollers/rack-1/' } },
    ],
  };

  const viewer: TranscriptSection = {
    title: 'A user who is not an admin',
    note: "Users read everything and change nothing (issue 16). The refusal is MAAS's admin_method 403, the same words on every write.",
    cases: [
      { cli: 'maas viewer boot-resources import', request: { captured: '14-boot-resources-import-non-admin', as: 'viewer' } },
      {
        cli: 'maas viewer boot-source-selections create 1 os=ubuntu release=noble arches=amd64',
        request: { captured: '15-boot-source-selections-create-non-admin', as: 'viewer', vars: { SOURCE_ID: '1' } },
        maas: {
          ...ADMIN_ONLY_37,
          why: "bootsync answers every write of a user with MAAS's admin_method words (3.8 says \"User does not have permission to perform this operation. The user should have permission 'can_edit_boot_entities'\").",
        },
      },
      {
        cli: 'maas viewer boot-sources read',
        request: { method: 'GET', path: 'boot-sources/', as: 'viewer' },
        maas: { ...ADMIN_ONLY_37, why: 'Users read sources and selections (issue 16), as MAAS 3.8 lets users with can_view_boot_entities.' },
      },
      { cli: 'maas viewer boot-resources read', request: { method: 'GET', path: 'boot-resources/', as: 'viewer' } },
      {
        cli: 'maas viewer maas set-config name=boot_images_auto_import value=true',
        request: { method: 'POST', path: 'maas/?op=set_config', fields: [['name', 'boot_images_auto_import'], ['value', 'true']], as: 'viewer' },
      },
      {
        cli: 'maas viewer rack-controller list-boot-images rack-2',
        request: { method: 'GET', path: 'rackcontrollers/rack-2/?op=list_boot_images', as: 'viewer' },
        before: () => world.rackSynced('rack-2'),
        maas: {
          version: '3.7',
          status: 403,
          body: 'This method is reserved for admin users.',
          source: 'src/maasserver/api/rackcontrollers.py list_boot_images is an admin_method (3.4 to 3.7)',
          why: 'Users read everything (issue 16); MAAS 3.8 lets users with can_view_controllers list them too.',
        },
      },
    ],
  };

  return [login, sources, selections, imports, custom, settings, racks, viewer];
}
