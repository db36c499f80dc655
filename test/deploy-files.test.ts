import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { envName, flagName, parseConfigFile, resolveConfig } from '@bootsync/shared/config';
import { regionOptions } from '@bootsync/region/config';
import { rackOptions, resolveRackConfig } from '@bootsync/rack/config';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const deploy = (...parts: string[]): string => join(repoRoot, 'deploy', ...parts);
const read = (path: string): string => readFileSync(path, 'utf8');

/** The flags and env variables each bin accepts, from its option specs. */
const BINS = {
  'bootsync-region': {
    flags: new Set(Object.keys(regionOptions).map((k) => `--${flagName(k)}`)),
    env: new Set(Object.keys(regionOptions).map((k) => envName(k))),
  },
  'bootsync-rack': {
    flags: new Set(Object.keys(rackOptions).map((k) => `--${flagName(k)}`)),
    env: new Set(Object.keys(rackOptions).map((k) => envName(k))),
  },
} as const;
type Bin = keyof typeof BINS;

/** A systemd unit: section → key → values (a key may repeat). Refuses lines that are neither comment, section nor key=value. */
function parseUnit(text: string, file: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const section = /^\[([A-Za-z]+)\]$/.exec(trimmed);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      return;
    }
    const pair = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(trimmed);
    if (!pair || !current) throw new Error(`${file}:${i + 1}: not a unit file line: ${line}`);
    current.set(pair[1]!, [...(current.get(pair[1]!) ?? []), pair[2]!]);
  });
  return sections;
}

/** KEY=value lines of an env file, commented-out examples (`#BOOTSYNC_X=...`) included. */
function envFile(text: string): { set: Record<string, string>; mentioned: string[] } {
  const set: Record<string, string> = {};
  const mentioned: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^(#?)([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    mentioned.push(m[2]!);
    if (m[1] === '') set[m[2]!] = m[3]!;
  }
  return { set, mentioned };
}

/** The bin a command line runs and the `--flag value` pairs it passes. */
function commandLine(args: readonly string[]): { bin: string; flags: Record<string, string> } {
  const [first, ...rest] = args;
  const bin = (first ?? '').replace(/^.*\//, '').replace(/\.js$/, '');
  const flags: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    expect(rest[i], `${args.join(' ')}: expected --flag value pairs`).toMatch(/^--[a-z-]+$/);
    flags[rest[i]!] = rest[i + 1] ?? '';
  }
  return { bin, flags };
}

/** Settings as each bin resolves them: throws (ConfigError, RackConfigError) on an unknown or invalid one. */
function resolveFor(bin: Bin, flags: Record<string, string>, env: Record<string, string>): unknown {
  for (const flag of Object.keys(flags)) expect(BINS[bin].flags, `${bin} has no ${flag}`).toContain(flag);
  for (const name of Object.keys(env).filter((n) => n.startsWith('BOOTSYNC_'))) expect(BINS[bin].env, `${bin} reads no ${name}`).toContain(name);
  const bare = Object.fromEntries(Object.entries(flags).map(([k, v]) => [k.slice(2), v]));
  return bin === 'bootsync-region' ? resolveConfig(regionOptions, { flags: bare, env }).values : resolveRackConfig(bare, env);
}

const units = [
  { bin: 'bootsync-region', unit: 'bootsync-region.service', env: 'region.env.example', state: 'bootsync/region' },
  { bin: 'bootsync-rack', unit: 'bootsync-rack.service', env: 'rack.env.example', state: 'bootsync/rack' },
] as const;

describe('deploy/systemd', () => {
  it.each(units)('$unit runs $bin as a sandboxed Type=exec service of a dedicated user', ({ bin, unit, env, state }) => {
    const service = parseUnit(read(deploy('systemd', unit)), unit).get('Service')!;
    const one = (key: string): string | undefined => service.get(key)?.at(-1);
    expect(one('Type')).toBe('exec');
    expect(one('Restart')).toBe('on-failure');
    expect(one('User')).toBe('bootsync');
    expect(one('StateDirectory')).toBe(state);
    expect(one('ReadWritePaths')).toBe(`/var/lib/${state}`);
    expect(one('EnvironmentFile')).toBe(`-/etc/bootsync/${env.replace('.example', '')}`);
    for (const [key, value] of [['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes']]) {
      expect(one(key!), key).toBe(value);
    }
    expect(Number.parseInt(one('TimeoutStopSec') ?? '0', 10)).toBeGreaterThanOrEqual(15);
    // ExecStart names the bin shipped in the repository, installed under /opt/bootsync.
    const exec = one('ExecStart')!.split(/\s+/);
    expect(exec[0]).toBe('/usr/bin/node');
    expect(exec[1]).toMatch(/^\/opt\/bootsync\//);
    expect(exec[1]).toMatch(new RegExp(`/bin/${bin}\\.js$`));
    expect(existsSync(join(repoRoot, exec[1]!.replace('/opt/bootsync/', '')))).toBe(true);
    expect(readdirSync(deploy('systemd'))).toContain('bootsync.sysusers.conf');
  });

  it.each(units)('$env and the Environment= lines of $unit use only settings $bin has, with values it accepts', ({ bin, unit, env }) => {
    const service = parseUnit(read(deploy('systemd', unit)), unit).get('Service')!;
    const fromUnit = Object.fromEntries((service.get('Environment') ?? []).map((e) => e.split('=', 2) as [string, string]));
    const example = envFile(read(deploy('systemd', env)));
    expect(example.mentioned.length).toBeGreaterThan(2);
    for (const name of example.mentioned) expect(BINS[bin].env, `${env} mentions ${name}`).toContain(name);
    // Every setting of the bin is shown in its example, set or commented with its default.
    expect(new Set([...example.mentioned, ...Object.keys(fromUnit)])).toEqual(new Set(BINS[bin].env));
    // %d (the credentials dir) is expanded by systemd; any path stands for it here.
    const resolved = resolveFor(bin, commandLine(service.get('ExecStart')![0]!.split(/\s+/).slice(1)).flags, {
      ...fromUnit,
      ...example.set,
      ...(fromUnit.BOOTSYNC_SECRET_FILE && { BOOTSYNC_SECRET_FILE: fromUnit.BOOTSYNC_SECRET_FILE.replace('%d', '/run/credentials/x') }),
    });
    expect(resolved).toMatchObject({ dataDir: `/var/lib/${units.find((u) => u.bin === bin)!.state}` });
  });

  const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
  if (!analyze) console.warn('deploy/systemd: systemd-analyze is not installed here; `systemd-analyze verify` of the units is not run');
  it.runIf(analyze)('systemd-analyze verify accepts the units and their nginx fronts without a warning', async () => {
    const files = [...units.map((u) => deploy('systemd', u.unit)), deploy('nginx', 'bootsync-region-nginx.service'), deploy('nginx', 'bootsync-rack-nginx.service')];
    const { stdout, stderr } = await promisify(execFile)(analyze!, ['verify', ...files], { cwd: deploy('systemd') });
    expect(`${stdout}${stderr}`).toBe('');
  });
});

describe('deploy/nginx', () => {
  const fronts = [
    { bin: 'bootsync-region', who: 'region', publicPort: 5240 },
    { bin: 'bootsync-rack', who: 'rack', publicPort: 5248 },
  ] as const;
  /** What a front's nginx configuration expects of its daemon: the upstream's address and the internal location. */
  const expected = (who: string): { listen: string; accel: string } => {
    const conf = read(deploy('nginx', `${who}.conf`));
    const upstream = /upstream bootsync_\w+ \{\s*server (127\.0\.0\.1:\d+);/.exec(conf)?.[1];
    const internal = /location (\/\S+\/) \{\s*internal;/.exec(conf)?.[1];
    expect(upstream && internal, `${who}.conf names its daemon and an internal location`).toBeTruthy();
    return { listen: upstream!, accel: internal! };
  };

  it.each(fronts)('bootsync-$who-nginx.service runs nginx as bootsync with deploy/nginx/$who.conf, listening on $publicPort', ({ who, publicPort }) => {
    const service = parseUnit(read(deploy('nginx', `bootsync-${who}-nginx.service`)), who).get('Service')!;
    expect(service.get('User')).toEqual(['bootsync']);
    const exec = service.get('ExecStart')![0]!.split(/\s+/);
    expect(exec[0]).toBe('/usr/sbin/nginx');
    const conf = exec[exec.indexOf('-c') + 1]!;
    expect(conf).toBe(`/opt/bootsync/deploy/nginx/${who}.conf`);
    expect(read(deploy('nginx', `${who}.conf`))).toMatch(new RegExp(`^\\s*listen ${publicPort};$`, 'm'));
  });

  it.each(fronts)('the drop-in nginx.conf of bootsync-$who moves the daemon where deploy/nginx expects it, with flags $bin has', ({ bin, who }) => {
    const service = parseUnit(read(deploy('nginx', `bootsync-${who}.service.d`, 'nginx.conf')), who).get('Service')!;
    const [reset, command] = service.get('ExecStart')!;
    expect(reset).toBe('');
    const { flags } = commandLine(command!.split(/\s+/).slice(1));
    const { listen, accel } = expected(who);
    expect(flags).toEqual({ '--listen': listen, '--accel-redirect': accel });
    const example = envFile(read(deploy('systemd', `${who}.env.example`))).set;
    resolveFor(bin, flags, { ...example, ...(bin === 'bootsync-rack' ? { BOOTSYNC_SECRET_FILE: '/run/credentials/x/region-secret' } : {}) });
  });

  it('compose.nginx.yaml: an nginx beside each daemon, in its network namespace, running the image\'s own copy of the configuration', () => {
    const services = (parseYaml(read(deploy('container', 'compose.nginx.yaml'))) as {
      services: Record<string, { command?: string[]; network_mode?: string; user?: string; volumes?: string[] }>;
    }).services;
    const daemons = Object.keys(services).filter((name) => !name.endsWith('-nginx'));
    expect(daemons.sort()).toEqual(['rack-1', 'rack-2', 'region']);
    for (const name of daemons) {
      const { bin, flags } = commandLine(services[name]!.command!);
      const who = bin === 'bootsync-region' ? 'region' : 'rack';
      resolveFor(bin as Bin, flags, {});
      const { listen, accel } = expected(who);
      expect(flags['--listen']).toBe(listen);
      expect(flags['--accel-redirect']).toBe(accel);
      const nginx = services[`${name}-nginx`]!;
      expect(nginx.network_mode).toBe(`service:${name}`);
      expect(nginx.user).toBe('bootsync');
      expect(nginx.command!.slice(-2)).toEqual(['-c', `/opt/bootsync/deploy/nginx/${who}.conf`]);
      expect(nginx.volumes!.some((v) => v.endsWith(`:${flags['--data-dir']}:ro`))).toBe(true);
    }
    expect(read(deploy('container', 'Dockerfile'))).toMatch(/^COPY deploy\/nginx deploy\/nginx$/m);
  });
});

describe('deploy/config', () => {
  it('region.yaml is a valid --config file: every key known, every value accepted', () => {
    const file = parseConfigFile(read(deploy('config', 'region.yaml')), 'region.yaml');
    const { values, origins } = resolveConfig(regionOptions, { file });
    expect(Object.values(origins).filter((o) => o.kind === 'file')).toHaveLength(Object.keys(file.values).length);
    expect(values).toMatchObject({ dataDir: '/var/lib/bootsync/region', retention: 2, listen: { host: '0.0.0.0', port: 5240 } });
  });

  it('rack.yaml is a valid --config file for the rack, complete with the region URL and the secret file', () => {
    const file = parseConfigFile(read(deploy('config', 'rack.yaml')), 'rack.yaml');
    const { origins } = resolveConfig(rackOptions, { file });
    expect(Object.values(origins).filter((o) => o.kind === 'file')).toHaveLength(Object.keys(file.values).length);
    expect(resolveRackConfig({}, {}, file)).toMatchObject({ regionUrls: ['http://10.0.0.2:5240'], name: 'rack-1', snapshotGraceMs: 600_000 });
  });
});

describe('deploy/container', () => {
  const dockerfile = read(deploy('container', 'Dockerfile'));
  const compose = parseYaml(read(deploy('container', 'compose.yaml'))) as {
    services: Record<string, { command?: string[]; environment?: Record<string, string>; volumes?: string[]; image?: string; build?: { context: string; dockerfile: string } }>;
    volumes: Record<string, unknown>;
  };

  it('Dockerfile: two node:20-bookworm-slim stages, build tools only in the first, a non-root runtime, COPY sources that exist', () => {
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.map((s) => s.split(/\s/)[0])).toEqual(['node:20-bookworm-slim', 'node:20-bookworm-slim']);
    expect(stages[0]).toMatch(/npm ci/);
    expect(stages[0]).toMatch(/tsc -b/);
    expect(stages[0]).toMatch(/g\+\+/);
    expect(stages[1]).not.toMatch(/g\+\+|npm ci|npm install/);
    expect(stages[1]).toMatch(/^USER bootsync$/m);
    const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].map((m) => m[1]!.trim().split(/\s+/));
    expect(copies.length).toBeGreaterThan(3);
    for (const args of copies) for (const source of args.slice(0, -1)) expect(existsSync(join(repoRoot, source)), `COPY ${source}`).toBe(true);
    // Every workspace's manifest is copied before npm ci, or npm ci fails on the lock file.
    const workspaces = (JSON.parse(read(join(repoRoot, 'package.json'))) as { workspaces: string[] }).workspaces;
    for (const ws of workspaces) expect(copies.flat()).toContain(`${ws}/package.json`);
  });

  it('compose.yaml: Redis, one region and two racks, built from this Dockerfile, commands using only real flags', () => {
    const services = compose.services;
    expect(Object.keys(services).sort()).toEqual(['rack-1', 'rack-2', 'redis', 'region']);
    const build = services.region!.build!;
    expect(existsSync(join(deploy('container'), build.context, build.dockerfile))).toBe(true);
    const bins = new Set(workspaceBins());
    for (const [name, service] of Object.entries(services)) {
      if (name === 'redis') continue;
      const { bin, flags } = commandLine(service.command ?? []);
      expect(bins, `${name} runs ${bin}`).toContain(bin);
      resolveFor(bin as Bin, flags, service.environment ?? {});
    }
    expect(dockerfile).toMatch(new RegExp(`^CMD \\["${[...bins].find((b) => b === 'bootsync-region')}"\\]$`, 'm'));
  });

  it("compose.yaml: each rack reads the region's secret from the region's data volume, and has a volume of its own", () => {
    const region = commandLine(compose.services.region!.command!);
    const regionVolume = compose.services.region!.volumes!.map((v) => v.split(':')).find(([, target]) => target === region.flags['--data-dir']);
    expect(regionVolume).toBeDefined();
    for (const rack of ['rack-1', 'rack-2']) {
      const service = compose.services[rack]!;
      const { flags } = commandLine(service.command!);
      expect(flags['--name']).toBe(rack);
      const mounts = service.volumes!.map((v) => v.split(':'));
      const shared = mounts.find(([source]) => source === regionVolume![0]);
      expect(shared?.[2], `${rack} mounts the region's volume read-only`).toBe('ro');
      expect(flags['--secret-file']).toBe(`${shared![1]}/secret`);
      const own = mounts.find(([, target]) => target === flags['--data-dir']);
      expect(own?.[0]).toMatch(new RegExp(`^${rack}-`));
      expect(Object.keys(compose.volumes)).toContain(own![0]);
    }
  });
});

function workspaceBins(): string[] {
  const workspaces = (JSON.parse(read(join(repoRoot, 'package.json'))) as { workspaces: string[] }).workspaces;
  return workspaces.flatMap((ws) => Object.keys((JSON.parse(read(join(repoRoot, ws, 'package.json'))) as { bin?: Record<string, string> }).bin ?? {}));
}
