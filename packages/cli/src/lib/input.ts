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

export async function readText(file: string): Promise<string> {
  return decodeUtf8(await readFile(file));
}
