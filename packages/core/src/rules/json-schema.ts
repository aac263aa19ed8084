// a namespace import, not the `z` object: lets bundlers drop what is unused (zod's 60 locales among it)
import * as z from 'zod';
import { restRulesSchema } from './model.js';

/** JSON Schema (draft-07) of native REST rule files, for yaml-language-server and editors. */
export function rulesJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(restRulesSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { title: 'psoxy REST rules', ...schema };
}
