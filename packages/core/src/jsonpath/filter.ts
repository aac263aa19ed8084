import { jsonEquals } from '../json/equals.js';
import { javaNumberToString } from '../json/java-number.js';
import { JsonDouble, type JsonValue, isJsonObject, keysOf } from '../json/value.js';
import type { JavaPattern } from '../regex/pattern.js';
import { Decimal } from './decimal.js';
import type { FilterPredicate } from './tokens.js';

/** What a filter sub-path needs from a compiled path. */
export interface FilterPath {
  readonly isRoot: boolean; // starts with `$` (else `@`)
  readonly definite: boolean;
  /** Values matched from `doc`; throws PathNotFound when a definite path does not exist. */
  readValues(doc: JsonValue, root: JsonValue, requireProperties: boolean): JsonValue[];
}

/** Jayway's `ValueNode`s, the operands of a relational expression once evaluated. */
export type ValueNode =
  | { t: 'string'; v: string }
  | { t: 'number'; v: Decimal }
  | { t: 'boolean'; v: boolean }
  | { t: 'null' }
  | { t: 'undefined' }
  | { t: 'json'; v: JsonValue }
  | { t: 'pattern'; re: JavaPattern; source: string };

export type Operand = ValueNode | { t: 'path'; path: FilterPath; existsCheck: boolean; source: string };

export type RelOp =
  | '=='
  | '!='
  | '==='
  | '!=='
  | '<'
  | '<='
  | '>'
  | '>='
  | '=~'
  | 'in'
  | 'nin'
  | 'contains'
  | 'all'
  | 'size'
  | 'empty'
  | 'subsetof'
  | 'anyof'
  | 'noneof'
  | 'exists';

export type FilterExpr =
  | { kind: 'rel'; left: Operand; op: RelOp; right: Operand }
  | { kind: 'and'; items: FilterExpr[] }
  | { kind: 'or'; items: FilterExpr[] }
  | { kind: 'not'; expr: FilterExpr };

const UNDEFINED: ValueNode = { t: 'undefined' };
const NULL: ValueNode = { t: 'null' };
const TRUE: ValueNode = { t: 'boolean', v: true };
const FALSE: ValueNode = { t: 'boolean', v: false };

export function numberNode(text: string): ValueNode {
  const d = Decimal.parse(text);
  if (!d) throw new Error(`not a number: ${text}`);
  return { t: 'number', v: d };
}

/** A JSON value as Jayway's `ValueNode.toValueNode` (used for the elements of a JSON list). */
export function toValueNode(v: JsonValue): ValueNode {
  if (v === null) return NULL;
  if (typeof v === 'string') return { t: 'string', v };
  if (typeof v === 'boolean') return v ? TRUE : FALSE;
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof JsonDouble) return numberNode(javaNumberToString(v));
  return { t: 'json', v };
}

/** `PathNode.evaluate` of Jayway: the value(s) a filter sub-path selects, as a ValueNode. */
function evaluatePath(op: Extract<Operand, { t: 'path' }>, item: JsonValue, root: JsonValue): ValueNode {
  if (op.existsCheck) {
    try {
      // Jayway evaluates an exists check on the current item, even a `$...` one
      const values = op.path.readValues(item, root, true);
      return op.path.definite && values.length === 0 ? FALSE : TRUE;
    } catch (e) {
      if (isPathNotFound(e)) return FALSE;
      throw e;
    }
  }
  const doc = op.path.isRoot ? root : item;
  let values: JsonValue[];
  try {
    values = op.path.readValues(doc, root, false);
  } catch (e) {
    if (isPathNotFound(e)) return UNDEFINED;
    throw e;
  }
  if (!op.path.definite) return { t: 'json', v: values };
  if (values.length === 0) return UNDEFINED;
  const v = values[0] as JsonValue;
  return toValueNode(v);
}

function isPathNotFound(e: unknown): boolean {
  return e instanceof Error && e.name === 'PathNotFound';
}

function asStringNode(n: ValueNode): string | undefined {
  if (n.t === 'string') return n.v;
  if (n.t === 'number') return n.v.toString();
  return undefined;
}

function asNumber(n: ValueNode): Decimal | undefined {
  if (n.t === 'number') return n.v;
  if (n.t === 'string') return Decimal.parse(n.v);
  return undefined;
}

/** `ValueNode.equals` as Jayway implements it for each node type (note: not symmetric). */
function nodeEquals(a: ValueNode, b: ValueNode): boolean {
  switch (a.t) {
    case 'string': {
      if (b.t !== 'string' && b.t !== 'number') return false;
      return a.v === asStringNode(b);
    }
    case 'number': {
      if (b.t !== 'number' && b.t !== 'string') return false;
      const n = asNumber(b);
      return n !== undefined && a.v.compareTo(n) === 0;
    }
    case 'boolean':
      return b.t === 'boolean' && a.v === b.v;
    case 'null':
      return b.t === 'null';
    case 'undefined':
      return false;
    case 'json':
      return b.t === 'json' && jsonEquals(a.v, b.v);
    case 'pattern':
      return b.t === 'pattern' && a.source === b.source;
  }
}

function asList(n: ValueNode): ValueNode[] | undefined {
  if (n.t === 'json' && Array.isArray(n.v)) return n.v.map(toValueNode);
  return undefined;
}

function regexInput(n: ValueNode): string {
  if (n.t === 'string' || n.t === 'number') return asStringNode(n) as string;
  if (n.t === 'boolean') return String(n.v);
  return '';
}

function compare(a: ValueNode, b: ValueNode): number | undefined {
  if (a.t === 'number' && b.t === 'number') return a.v.compareTo(b.v);
  if (a.t === 'string' && b.t === 'string') return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
  return undefined;
}

function jsonLength(n: ValueNode): number | undefined {
  if (n.t !== 'json') return undefined;
  if (Array.isArray(n.v)) return n.v.length;
  if (isJsonObject(n.v)) return keysOf(n.v).length;
  return -1;
}

function evaluate(op: RelOp, l: ValueNode, r: ValueNode): boolean {
  switch (op) {
    case 'exists':
      return l.t === 'boolean' && r.t === 'boolean' && l.v === r.v;
    case '==':
      return nodeEquals(l, r);
    case '!=':
      return !nodeEquals(l, r);
    case '===':
      return l.t === r.t && nodeEquals(l, r);
    case '!==':
      return !(l.t === r.t && nodeEquals(l, r));
    case '<': {
      const c = compare(l, r);
      return c !== undefined && c < 0;
    }
    case '<=': {
      const c = compare(l, r);
      return c !== undefined && c <= 0;
    }
    case '>': {
      const c = compare(l, r);
      return c !== undefined && c > 0;
    }
    case '>=': {
      const c = compare(l, r);
      return c !== undefined && c >= 0;
    }
    case '=~': {
      if ((l.t === 'pattern') === (r.t === 'pattern')) return false;
      const [p, other] = l.t === 'pattern' ? [l, r] : [r as Extract<ValueNode, { t: 'pattern' }>, l];
      const list = asList(other);
      if (list) return list.some((x) => p.re.test(regexInput(x)));
      return p.re.test(regexInput(other));
    }
    case 'in':
    case 'nin': {
      const list = asList(r);
      // Jayway: a right side that is JSON but no list (an object) contains nothing, so `nin` holds;
      // any other (a string, a number, a missing property) throws, and the filter is false
      if (!list) return op === 'nin' ? r.t === 'json' : false;
      const found = list.some((x) => nodeEquals(l, x));
      return op === 'in' ? found : !found;
    }
    case 'contains': {
      const list = asList(l);
      if (list) return list.some((x) => nodeEquals(r, x));
      if (l.t === 'string' && r.t === 'string') return l.v.includes(r.v);
      return false;
    }
    case 'all': {
      const left = asList(l);
      const right = asList(r);
      if (!left || !right) return false;
      return right.every((x) => left.some((y) => nodeEquals(x, y)));
    }
    case 'subsetof':
    case 'anyof':
    case 'noneof': {
      // Jayway: a scalar on the left is no list, and the filter is false
      const left = asList(l);
      const right = asList(r);
      if (!left || !right) return false;
      const inRight = (x: ValueNode) => right.some((y) => nodeEquals(x, y));
      if (op === 'subsetof') return left.every(inRight);
      if (op === 'anyof') return left.some(inRight);
      return !left.some(inRight);
    }
    case 'size': {
      if (r.t !== 'number') return false;
      const expected = r.v.intValue();
      if (l.t === 'string') return l.v.length === expected;
      // Jayway's JsonNode.length: an array's size, -1 for anything else (an object has no size)
      if (l.t !== 'json') return false;
      return (Array.isArray(l.v) ? l.v.length : -1) === expected;
    }
    case 'empty': {
      if (r.t !== 'boolean') return false;
      if (l.t === 'string') return (l.v.length === 0) === r.v;
      if (l.t === 'json') {
        const n = jsonLength(l);
        return (n === 0 || (typeof l.v === 'string' && l.v.length === 0)) === r.v;
      }
      return false;
    }
  }
}

function operandValue(o: Operand, item: JsonValue, root: JsonValue): ValueNode {
  return o.t === 'path' ? evaluatePath(o, item, root) : o;
}

export function applyFilter(e: FilterExpr, item: JsonValue, root: JsonValue): boolean {
  switch (e.kind) {
    case 'rel':
      return evaluate(e.op, operandValue(e.left, item, root), operandValue(e.right, item, root));
    case 'and':
      return e.items.every((x) => applyFilter(x, item, root));
    case 'or':
      return e.items.some((x) => applyFilter(x, item, root));
    case 'not':
      return !applyFilter(e.expr, item, root);
  }
}

export function filterPredicate(e: FilterExpr): FilterPredicate {
  return { apply: (item, root) => applyFilter(e, item, root) };
}
