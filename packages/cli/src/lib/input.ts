import { readFile } from 'node:fs/promises';
import { decodeUtf8 } from '@psoxy/core';
import { UserError } from './errors.js';

/** Reads a file (or stdin for `-`) as strict UTF-8 text. */
export async function readInput(file: string | undefined, what: string): Promise<string> {
  if (file === undefined || file === '-') {
    if (file === undefined && process.stdin.isTTY) {
      throw new UserError(`no ${what} given: pass a file, or '-' to read it from stdin`);
    }
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return decodeUtf8(Buffer.concat(chunks));
  }
  return decodeUtf8(await readFile(file));
}

/** A text file (rules, settings) as UTF-8; a binary file is named as the problem. */
export async function readText(file: string): Promise<string> {
  const bytes = await readFile(file);
  try {
    return decodeUtf8(bytes);
  } catch {
    throw new UserError(`${file} is not a text file (not valid UTF-8): give a YAML or JSON file`);
  }
}
