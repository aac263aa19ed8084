import { type JsonArray, JsonDouble, type JsonObject, type JsonValue, deleteKey, hasKeyOrder, isJsonObject, keysOf, setKey } from '../json/value.js';
import { PropertyToken, type RootToken, WildcardToken } from './tokens.js';

/**
 * Paths made only of single names and wildcards (`$.users[*].emails[*].address`), most of the
 * rules, are applied in one walk that changes each match where it finds it, instead of collecting
 * references, sorting them and applying them afterwards as Jayway does (and as the general
 * evaluator in compile.ts does).
 *
 * Why the result is the same: every match of such a path lies the same number of steps below the
 * root, so no match is inside another and changing one cannot change what the walk reaches later
 * (the steps above a match are only read). Jayway's order of application (its reference sort)
 * matters only for deleting several elements of one array, which is why a path ending in a
 * wildcard is never deleted here. Jayway throws (no match at all) where a step is missing while
 * every step before it was a name; here the walk just stops: the same, since such a path has only
 * one way down and nothing matched above the break.
 */

/** A step of a simple path: a property name, or null for a wildcard. */
export type SimpleStep = string | null;

/** The steps of a path made only of single names and wildcards after its root; else null. */
export function simpleSteps(root: RootToken): SimpleStep[] | null {
  const steps: SimpleStep[] = [];
  for (let t = root.next; t !== null; t = t.next) {
    if (t instanceof WildcardToken) steps.push(null);
    else if (t instanceof PropertyToken && t.names.length === 1) steps.push(t.names[0] as string);
    else return null;
  }
  return steps.length > 0 ? steps : null;
}

/** Whether `delete` may take the one-walk route (see the module comment). */
export const deletableSimply = (steps: readonly SimpleStep[]): boolean => steps[steps.length - 1] !== null;

/** What to do at a match: `value`, which lives in `parent` at `at`. */
type Leaf = (parent: JsonObject | JsonArray, at: string | number, value: JsonValue) => void;

function mapLeaf(f: (v: JsonValue) => JsonValue): Leaf {
  return (parent, at, value) => {
    if (typeof at === 'number') {
      (parent as JsonArray)[at] = f(value);
      return;
    }
    const o = parent as JsonObject;
    const v = f(value);
    // an existing key keeps its place: plain assignment, except for `__proto__` (a setter)
    if (at === '__proto__') setKey(o, at, v);
    else o[at] = v;
  };
}

// only reached for paths ending in a name (deletableSimply), so `at` is a key
const deleteLeaf: Leaf = (parent, at) => {
  deleteKey(parent as JsonObject, at as string);
};

/** Walks `model` from step `i`, calling `leaf` at every match. */
function walk(steps: readonly SimpleStep[], i: number, model: JsonValue, leaf: Leaf): void {
  const step = steps[i] as SimpleStep;
  const last = i === steps.length - 1;
  if (step !== null) {
    const v = valueAt(model, step);
    if (v === undefined) return;
    if (last) leaf(model as JsonObject, step, v);
    else walk(steps, i + 1, v, leaf);
    return;
  }
  if (Array.isArray(model)) {
    for (let k = 0; k < model.length; k++) {
      if (last) leaf(model, k, model[k] as JsonValue);
      else walk(steps, i + 1, model[k] as JsonValue, leaf);
    }
  } else if (isJsonObject(model)) {
    for (const key of keysOf(model)) {
      if (last) leaf(model, key, model[key] as JsonValue);
      else walk(steps, i + 1, model[key] as JsonValue, leaf);
    }
  }
}

/**
 * `model[name]` when `model` is an object holding that key, else undefined: `isJsonObject` and
 * `getKey` with one property read instead of two (this is the walks' innermost step).
 */
function valueAt(model: JsonValue, name: string): JsonValue | undefined {
  if (typeof model !== 'object' || model === null || Array.isArray(model) || model instanceof JsonDouble) return undefined;
  const v = (model as JsonObject)[name];
  // a JSON value is never undefined (a deleted key) nor a function (what Object.prototype has)
  if (v === undefined || typeof v === 'function') return undefined;
  return name === '__proto__' && !Object.hasOwn(model, name) ? undefined : v;
}

/** `leaf`, counting its calls into `counter.n`. */
function counting(leaf: Leaf, counter: { n: number }): Leaf {
  return (parent, at, value) => {
    counter.n++;
    leaf(parent, at, value);
  };
}

/** Replaces every match with `f(match)` (as `JsonPath.map`); returns how many were replaced. */
export function mapSimple(steps: readonly SimpleStep[], doc: JsonValue, f: (v: JsonValue) => JsonValue): number {
  const counter = { n: 0 };
  walk(steps, 0, doc, counting(mapLeaf(f), counter));
  return counter.n;
}

/** Deletes every match of a path that ends in a name (deletableSimply); returns how many. */
export function deleteSimple(steps: readonly SimpleStep[], doc: JsonValue): number {
  const counter = { n: 0 };
  walk(steps, 0, doc, counting(deleteLeaf, counter));
  return counter.n;
}

/**
 * Several simple paths of one transform that go through the same wildcard (`$.users[*].name`,
 * `$.users[*].id`, ...), applied in one walk over that wildcard's elements: at each element, each
 * path's remaining steps in the rule's order. A page of users is then read once, not once per
 * path, which is most of the cost of such rules (the elements lie all over memory).
 *
 * Why the result is Jayway's (each path applied to the whole document, one after the other):
 * every path of the group ends below the elements, so none changes the steps they share or which
 * elements there are; the elements' subtrees are disjoint, so what a path does in one element
 * cannot change another; and inside one element the paths still run in the rule's order, each
 * seeing what the ones before it did.
 */
export interface PathGroup {
  /** Names, then the wildcard. */
  readonly prefix: readonly SimpleStep[];
  /** What each path does below an element, in the rule's order. */
  readonly suffixes: readonly (readonly SimpleStep[])[];
}

function walkGroup(g: PathGroup, doc: JsonValue, leaf: Leaf): void {
  // the shared part is walked as a path of its own, whose matches are the elements
  walk(g.prefix, 0, doc, (_parent, _at, element) => {
    // an indexed loop: for-of made an iterator result per path and element where V8 left this
    // callback unoptimized (~0.9 MB of garbage on a 7 MB directory page)
    const suffixes = g.suffixes;
    for (let i = 0; i < suffixes.length; i++) walk(suffixes[i] as readonly SimpleStep[], 0, element, leaf);
  });
}

export function mapGroup(g: PathGroup, doc: JsonValue, f: (v: JsonValue) => JsonValue): void {
  walkGroup(g, doc, mapLeaf(f));
}

/** Only for groups whose paths all end in a name (deletableSimply). */
export function deleteGroup(g: PathGroup, doc: JsonValue): void {
  walkGroup(g, doc, deleteLeaf);
}

/** The shared part of a simple path (its names and first wildcard), or null if it has none. */
function prefixOf(steps: readonly SimpleStep[]): readonly SimpleStep[] | null {
  const w = steps.indexOf(null);
  return w < 0 || w === steps.length - 1 ? null : steps.slice(0, w + 1);
}

const samePrefix = (a: readonly SimpleStep[], b: readonly SimpleStep[]) => a.length === b.length && a.every((s, i) => s === b[i]);

/** A path applied by itself, or a group of paths walked together. */
export type PlanStep<P> = { readonly path: P; readonly group?: undefined } | { readonly group: PathGroup; readonly path?: undefined };

/**
 * Groups consecutive paths (only consecutive ones, so the order between groups is the rule's)
 * that share their names-and-first-wildcard part. `stepsOf` gives a path's steps when it may be
 * grouped, else null.
 */
export function planPaths<P>(paths: readonly P[], stepsOf: (p: P) => readonly SimpleStep[] | null): PlanStep<P>[] {
  const plan: PlanStep<P>[] = [];
  let i = 0;
  while (i < paths.length) {
    const steps = stepsOf(paths[i] as P);
    const prefix = steps ? prefixOf(steps) : null;
    if (steps && prefix) {
      const suffixes = [steps.slice(prefix.length)];
      let j = i + 1;
      for (; j < paths.length; j++) {
        const s = stepsOf(paths[j] as P);
        const p = s ? prefixOf(s) : null;
        if (!s || !p || !samePrefix(p, prefix)) break;
        suffixes.push(s.slice(prefix.length));
      }
      if (suffixes.length > 1) {
        plan.push({ group: { prefix, suffixes } });
        i = j;
        continue;
      }
    }
    plan.push({ path: paths[i] as P });
    i++;
  }
  return plan;
}

/**
 * `$..name`, the commonest rule after the simple paths, applied where each match is found, in
 * the order Jayway applies its references (document order, parent before child: references to one
 * key are never reordered by its sort). Jayway collects every reference before changing anything,
 * so a match inside another match is still found and changed, in the detached old value; mapping
 * therefore goes on down the old value (the function sees exactly the calls it would), while a
 * delete does not need to (nothing below a deleted value is written out or called).
 */
function scanApply(name: string, model: JsonValue, leaf: Leaf, descendOld: boolean): void {
  if (Array.isArray(model)) {
    for (let i = 0; i < model.length; i++) {
      const v = model[i] as JsonValue;
      if (typeof v === 'object' && v !== null) scanApply(name, v, leaf, descendOld);
    }
    return;
  }
  if (!isJsonObject(model)) return;
  // undefined: no match here (JSON values are never undefined)
  const old = valueAt(model, name);
  if (old !== undefined) leaf(model, name, old);
  // children in document order; under the matched key, the value as it was before the change
  if (hasKeyOrder(model)) {
    for (const key of keysOf(model)) scanChild(name, key, old, model, leaf, descendOld);
  } else {
    for (const key in model) scanChild(name, key, old, model, leaf, descendOld);
  }
}

function scanChild(name: string, key: string, old: JsonValue | undefined, model: JsonObject, leaf: Leaf, descendOld: boolean): void {
  let v: JsonValue;
  if (key === name && old !== undefined) {
    if (!descendOld) return;
    v = old;
  } else v = model[key] as JsonValue;
  if (typeof v === 'object' && v !== null) scanApply(name, v, leaf, descendOld);
}

export function mapScan(name: string, doc: JsonValue, f: (v: JsonValue) => JsonValue): number {
  const counter = { n: 0 };
  scanApply(name, doc, counting(mapLeaf(f), counter), true);
  return counter.n;
}

export function deleteScan(name: string, doc: JsonValue): number {
  const counter = { n: 0 };
  scanApply(name, doc, counting(deleteLeaf, counter), false);
  return counter.n;
}
