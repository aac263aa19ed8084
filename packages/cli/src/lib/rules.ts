import { type CompiledRestRules, compileRestRules, loadRestRules } from '@psoxy/core';
import { readText } from './input.js';

/** Loads and compiles a REST rule file (native YAML/JSON or Psoxy's YAML dialect). */
export async function loadRulesFile(file: string): Promise<CompiledRestRules> {
  const text = await readText(file);
  return compileRestRules(loadRestRules(text, { source: file }), { source: file });
}
