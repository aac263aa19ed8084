import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Connector, isConnector } from '@psoxy/core';
import { UserError } from './errors.js';

/** A connector found at run time, with the package it came from. */
export interface FoundConnector {
  connector: Connector;
  packageName: string;
  /** The package's version (`0.0.0` for a module file). */
  version: string;
  /** The module file it was loaded from, and how to import it again (for bundles). */
  entry: string;
  /** `name` of a named export, or `connectors[i]` for one in a `connectors` array. */
  exportPath: { name: string; index?: number };
}

const isConnectorPackage = (name: string) => /^@psoxy\/connector-[a-z0-9-]+$/.test(name) || /^(@[a-z0-9-._~]+\/)?psoxy-connector-[a-z0-9-._~]+$/.test(name);

function nodeModulesDirs(from: string): string[] {
  const out: string[] = [];
  let dir = resolve(from);
  for (;;) {
    const nm = join(dir, 'node_modules');
    if (existsSync(nm)) out.push(nm);
    const up = dirname(dir);
    if (up === dir) return out;
    dir = up;
  }
}

/** Package directories named like connector packages (`@psoxy/connector-*`, `psoxy-connector-*`, `@scope/psoxy-connector-*`). */
function candidatePackages(): Map<string, string> {
  const found = new Map<string, string>();
  const roots = [...nodeModulesDirs(process.cwd()), ...nodeModulesDirs(dirname(fileURLToPath(import.meta.url)))];
  for (const nm of roots) {
    let entries: string[];
    try {
      entries = readdirSync(nm);
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.startsWith('@')) {
        let scoped: string[];
        try {
          scoped = readdirSync(join(nm, e));
        } catch {
          continue;
        }
        for (const s of scoped) if (isConnectorPackage(`${e}/${s}`) && !found.has(`${e}/${s}`)) found.set(`${e}/${s}`, join(nm, e, s));
      } else if (isConnectorPackage(e) && !found.has(e)) found.set(e, join(nm, e));
    }
  }
  return found;
}

/** The ESM entry of a package directory (exports "." import/default, else main). */
function entryOf(dir: string): string {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports?: unknown; main?: string };
  let rel: unknown = pkg.exports;
  if (rel && typeof rel === 'object' && '.' in (rel as Record<string, unknown>)) rel = (rel as Record<string, unknown>)['.'];
  if (rel && typeof rel === 'object') rel = (rel as Record<string, unknown>).import ?? (rel as Record<string, unknown>).default;
  return join(dir, typeof rel === 'string' ? rel : (pkg.main ?? 'index.js'));
}

/** Every connector a module exports, as named exports or in an array, with where it is. */
function connectorsIn(mod: Record<string, unknown>): { connector: Connector; exportPath: FoundConnector['exportPath'] }[] {
  const out: { connector: Connector; exportPath: FoundConnector['exportPath'] }[] = [];
  for (const [name, v] of Object.entries(mod)) {
    if (isConnector(v)) out.push({ connector: v, exportPath: { name } });
    else if (Array.isArray(v)) {
      v.forEach((x, index) => {
        if (isConnector(x)) out.push({ connector: x, exportPath: { name, index } });
      });
    }
  }
  // named exports first: a bundle importing one of them lets the others be left out
  return out.sort((a, b) => (a.exportPath.index === undefined ? 0 : 1) - (b.exportPath.index === undefined ? 0 : 1));
}

/** The version in the package.json nearest above a module file. */
function versionOf(entry: string): string {
  for (let dir = dirname(entry); dirname(dir) !== dir; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const v = (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string; name?: string }).version;
      if (v) return v;
    }
  }
  return '0.0.0';
}

/** Imports a connector module and lists the connectors it exports, with where they came from. */
async function loadConnectors(name: string, entry: string): Promise<FoundConnector[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UserError(`cannot load connector package ${name}: ${(e as Error).message}`);
  }
  const version = versionOf(entry);
  return connectorsIn(mod).map(({ connector, exportPath }) => ({ connector, packageName: name, version, entry, exportPath }));
}

let cache: Promise<Map<string, FoundConnector>> | undefined;

/**
 * Finds installed connectors: packages named `@psoxy/connector-*`, `psoxy-connector-*` or
 * `@scope/psoxy-connector-*` in any node_modules above the working directory or the CLI, plus the
 * modules listed in PSOXY_CONNECTOR_MODULES (comma-separated package names or file paths).
 */
export function discoverConnectors(env: Record<string, string | undefined> = process.env, extraModules: readonly string[] = []): Promise<Map<string, FoundConnector>> {
  cache ??= (async () => {
    const byId = new Map<string, FoundConnector>();
    const packages = candidatePackages();
    const modules: [string, string][] = [...packages].map(([name, dir]) => [name, entryOf(dir)]);
    const listed = [...extraModules, ...(env.PSOXY_CONNECTOR_MODULES ?? '').split(',')].map((s) => s.trim()).filter((s) => s !== '');
    for (const m of listed) {
      const path = existsSync(m) ? resolve(m) : undefined;
      const dir = path ? undefined : packages.get(m);
      if (!path && !dir) throw new UserError(`connector module '${m}' is neither a file nor an installed package (named in ${extraModules.includes(m) ? 'the config file' : 'PSOXY_CONNECTOR_MODULES'})`);
      modules.push([m, path ?? entryOf(dir as string)]);
    }
    for (const [name, entry] of modules) {
      for (const found of await loadConnectors(name, entry)) if (!byId.has(found.connector.id)) byId.set(found.connector.id, found);
    }
    return byId;
  })();
  return cache;
}

/** The connector ids a package declares in its package.json (`"psoxy": {"connectors": [...]}`), if it does. */
function declaredIds(dir: string): string[] | undefined {
  try {
    const ids = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { psoxy?: { connectors?: unknown } }).psoxy?.connectors;
    return Array.isArray(ids) && ids.every((x) => typeof x === 'string') ? ids : undefined;
  } catch {
    return undefined;
  }
}

/** Imports the one package that declares `id`, if one does: loading every connector package costs the CLI a good part of a second. */
async function findDeclared(id: string): Promise<FoundConnector | undefined> {
  for (const [name, dir] of candidatePackages()) {
    if (!declaredIds(dir)?.includes(id)) continue;
    const hit = (await loadConnectors(name, entryOf(dir))).find((c) => c.connector.id === id);
    if (hit) return hit;
  }
  return undefined;
}

/** The connector with this id, or a clear error listing those installed. */
export async function findConnector(id: string, extraModules: readonly string[] = []): Promise<FoundConnector> {
  // full discovery would find the same: installed packages come before listed modules
  const declared = await findDeclared(id);
  if (declared) return declared;
  const all = await discoverConnectors(process.env, extraModules);
  // by id, or by Psoxy's SOURCE value where it differs (azure-ad is msft-entra-id)
  const found = all.get(id) ?? [...all.values()].find((f) => f.connector.sourceKind === id);
  if (found) return found;
  const known = [...all.keys()].sort();
  throw new UserError(
    `unknown connector '${id}': ${known.length > 0 ? `installed connectors are ${known.join(', ')}` : 'no connector packages are installed'} (install @psoxy/connector-<family> or a psoxy-connector-* package; 'psoxy connectors' lists them)`,
  );
}
