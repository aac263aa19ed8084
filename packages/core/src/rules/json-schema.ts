// zod/mini, as the rules model (see there); a namespace import lets bundlers drop what is unused
import * as z from 'zod/mini';
import { restRulesSchema } from './model.js';

/** JSON Schema (draft-07) of native REST rule files, for yaml-language-server and editors. */
export function rulesJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(restRulesSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { title: 'psoxy REST rules', ...schema };
}
