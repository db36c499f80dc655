import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { markdownTable } from './markdown.js';

export interface LogEvent {
  readonly event: string;
  /** pino levels it is logged at (`info`, `warn`...). */
  readonly levels: readonly string[];
  /** Fields logged beside `event`, over every place that logs it. */
  readonly fields: readonly string[];
  /** Files (relative to the repository) that log it. */
  readonly files: readonly string[];
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/**
 * Pure: the `{ event: '...', ... }` objects passed to a logger call in one source file, with their other fields.
 * Read with the TypeScript parser, so a field is a real property, not a word that happens to follow `event:`.
 */
export function eventsInSource(text: string, file: string): LogEvent[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: LogEvent[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && LEVELS.has(node.expression.name.text)) {
      const first = objectArgument(node.arguments[0], source);
      if (first) {
        let events: string[] = [];
        const fields: string[] = [];
        for (const p of first.properties) {
          const name = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
          if (name === 'event' && ts.isPropertyAssignment(p)) events = literalValues(p.initializer, source);
          else if (name === 'event' && ts.isShorthandPropertyAssignment(p)) events = literalValues(p.name, source);
          else if (name !== undefined) fields.push(name);
          else if (ts.isSpreadAssignment(p)) fields.push(`...${p.expression.getText(source)}`);
        }
        const level = node.expression.name.text;
        for (const event of events) found.push({ event, levels: [level], fields, files: [file] });
      }
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'watchRedisOutage') {
      found.push(...redisOutageEvents(objectArgument(node.arguments[1], source), source, file));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * What `watchRedisOutage(connection, { error: 'x', restored: 'y', level?, fields? })` logs (shared/logging/
 * redis-outage.ts): its caller names the events, so they are listed where the caller is.
 */
function redisOutageEvents(options: ts.ObjectLiteralExpression | undefined, source: ts.SourceFile, file: string): LogEvent[] {
  if (!options) return [];
  const property = (name: string): ts.Expression | undefined => {
    const p = options.properties.find((q) => ts.isPropertyAssignment(q) && q.name.getText(source) === name);
    return p && ts.isPropertyAssignment(p) ? p.initializer : undefined;
  };
  const strings = (name: string): string[] => {
    const value = property(name);
    return value ? literalValues(value, source) : [];
  };
  const extra = property('fields');
  const fields = extra && ts.isObjectLiteralExpression(extra) ? extra.properties.flatMap((p) => (p.name ? [p.name.getText(source)] : [])) : [];
  const level = strings('level')[0] ?? 'warn';
  return [
    ...strings('error').map((event) => ({ event, levels: [level], fields: ['err', 'failures', 'ms', ...fields], files: [file] })),
    ...strings('restored').map((event) => ({ event, levels: ['info'], fields: ['failures', 'ms', ...fields], files: [file] })),
  ];
}

/**
 * The strings an expression can be: a literal, either branch of `a ? 'x' : 'y'`, or what a `const` of that name
 * in the same file is initialised to (`const event = failed ? 'a' : 'b'; logger.error({ event })`).
 */
function literalValues(expr: ts.Expression, source: ts.SourceFile): string[] {
  if (ts.isStringLiteralLike(expr)) return [expr.text];
  if (ts.isParenthesizedExpression(expr)) return literalValues(expr.expression, source);
  if (ts.isConditionalExpression(expr)) return [...literalValues(expr.whenTrue, source), ...literalValues(expr.whenFalse, source)];
  if (ts.isIdentifier(expr)) return initializers(expr.text, source).flatMap((init) => literalValues(init, source));
  return [];
}

/** The logger's first argument as an object literal: written in place, or a `const line = { event: ... }` of the file. */
function objectArgument(arg: ts.Expression | undefined, source: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  if (arg === undefined) return undefined;
  if (ts.isObjectLiteralExpression(arg)) return arg;
  if (ts.isIdentifier(arg)) return initializers(arg.text, source).find(ts.isObjectLiteralExpression);
  return undefined;
}

/** Initial values of the variables called `name` anywhere in the file. */
function initializers(name: string, source: ts.SourceFile): ts.Expression[] {
  const found: ts.Expression[] = [];
  const find = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name && node.initializer) found.push(node.initializer);
    ts.forEachChild(node, find);
  };
  find(source);
  return found;
}

/** Merges the events of several places: one entry per event name, sorted. */
function mergeEvents(events: readonly LogEvent[]): LogEvent[] {
  const byName = new Map<string, { levels: Set<string>; fields: Set<string>; files: Set<string> }>();
  for (const e of events) {
    const entry = byName.get(e.event) ?? { levels: new Set(), fields: new Set(), files: new Set() };
    e.levels.forEach((l) => entry.levels.add(l));
    e.fields.forEach((f) => entry.fields.add(f));
    e.files.forEach((f) => entry.files.add(f));
    byName.set(e.event, entry);
  }
  return [...byName]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([event, e]) => ({ event, levels: [...e.levels].sort(), fields: [...e.fields].sort(), files: [...e.files].sort() }));
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')).map((e) => join(e.parentPath, e.name));
}

/** Every log event of the daemons and the CLI: `packages/<pkg>/src/**` of the repository at `repoRoot`. */
export async function collectLogEvents(repoRoot: string): Promise<LogEvent[]> {
  const all: LogEvent[] = [];
  for (const pkg of ['region', 'rack', 'cli', 'shared']) {
    for (const file of await sourceFiles(join(repoRoot, 'packages', pkg, 'src'))) {
      all.push(...eventsInSource(await readFile(file, 'utf8'), relative(repoRoot, file)));
    }
  }
  return mergeEvents(all);
}

export function logEventsTable(events: readonly LogEvent[]): string {
  return markdownTable(
    ['event', 'level', 'fields besides event', 'logged in'],
    events.map((e) => [
      `\`${e.event}\``,
      e.levels.join(', '),
      e.fields.map((f) => `\`${f}\``).join(', '),
      e.files.map((f) => f.replace(/^packages\/([^/]+)\/src\//, '$1: ')).join('<br>'),
    ]),
  );
}
