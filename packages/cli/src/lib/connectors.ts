import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Connector, isConnector } from '@psoxy/core';
import { UserError } from './errors.js';

/** A connector found at run time, with the package it came from. */
export interface FoundConnector {
  connector: Connector;
  packageName: string;
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

/** Every connector a module exports: as named exports or in a `connectors` array. */
function connectorsIn(mod: Record<string, unknown>): Connector[] {
  const out: Connector[] = [];
  for (const v of Object.values(mod)) {
    if (isConnector(v)) out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (isConnector(x)) out.push(x);
  }
  return out;
}

let cache: Promise<Map<string, FoundConnector>> | undefined;

/**
 * Finds installed connectors: packages named `@psoxy/connector-*`, `psoxy-connector-*` or
 * `@scope/psoxy-connector-*` in any node_modules above the working directory or the CLI, plus the
 * modules listed in PSOXY_CONNECTOR_MODULES (comma-separated package names or file paths).
 */
export function discoverConnectors(env: Record<string, string | undefined> = process.env): Promise<Map<string, FoundConnector>> {
  cache ??= (async () => {
    const byId = new Map<string, FoundConnector>();
    const modules: [string, string][] = [...candidatePackages()].map(([name, dir]) => [name, entryOf(dir)]);
    for (const m of (env.PSOXY_CONNECTOR_MODULES ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const path = existsSync(m) ? resolve(m) : undefined;
      const dir = path ? undefined : candidatePackages().get(m);
      if (!path && !dir) throw new UserError(`PSOXY_CONNECTOR_MODULES names '${m}', which is neither a file nor an installed package`);
      modules.push([m, path ?? entryOf(dir as string)]);
    }
    for (const [name, entry] of modules) {
      let mod: Record<string, unknown>;
      try {
        mod = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
      } catch (e) {
        throw new UserError(`cannot load connector package ${name}: ${(e as Error).message}`);
      }
      for (const c of connectorsIn(mod)) if (!byId.has(c.id)) byId.set(c.id, { connector: c, packageName: name });
    }
    return byId;
  })();
  return cache;
}

/** The connector with this id, or a clear error listing those installed. */
export async function findConnector(id: string): Promise<FoundConnector> {
  const all = await discoverConnectors();
  const found = all.get(id);
  if (found) return found;
  const known = [...all.keys()].sort();
  throw new UserError(
    `unknown connector '${id}': ${known.length > 0 ? `installed connectors are ${known.join(', ')}` : 'no connector packages are installed'} (install @psoxy/connector-<family> or a psoxy-connector-* package; 'psoxy connectors' lists them)`,
  );
}
