import { type JsonArray, type JsonObject, type JsonValue, hasKey, hasKeyOrder, internKey, isJsonObject, keysOf, setKey } from '../json/value.js';
import type { PathRef } from './refs.js';

/** Thrown while evaluating a definite path that does not exist (Jayway's PathNotFoundException). */
export class PathNotFound extends Error {
  override readonly name = 'PathNotFound';
}

/** A path that cannot be applied to the document (Jayway's InvalidPathException at run time). */
export class InvalidPathError extends Error {
  override readonly name = 'InvalidPathError';
}

/** A filter predicate, evaluated against the current item. */
export interface FilterPredicate {
  apply(item: JsonValue, root: JsonValue): boolean;
}

export interface EvalContext {
  readonly root: JsonValue;
  readonly forUpdate: boolean;
  /** Jayway's `REQUIRE_PROPERTIES` (used by existence checks inside filters). */
  readonly requireProperties: boolean;
  readonly values: JsonValue[];
  readonly refs: PathRef[];
  /**
   * Jayway keeps an "upstream array index" on tokens reached through a deep scan of an array and
   * only collects a leaf if it equals the fragment before the leaf. It is per-evaluation state here.
   */
  readonly upstreamIndex: Map<PathToken, number>;
  readonly tailPrevFragment: string;
}

const isMap = isJsonObject as (v: JsonValue) => v is JsonObject;

type Container = JsonObject | JsonArray;

function makeRef(parent: Container | null, at: string | number): PathRef {
  if (parent === null) return { kind: 'root' };
  if (typeof at === 'number') return { kind: 'index', parent: parent as JsonArray, index: at };
  return { kind: 'property', parent: parent as JsonObject, key: at };
}
const isArray = (v: JsonValue): v is JsonArray => Array.isArray(v);

export abstract class PathToken {
  next: PathToken | null = null;
  prev: PathToken | null = null;
  private upstreamDefiniteCache: boolean | undefined;

  isLeaf(): boolean {
    return this.next === null;
  }

  isUpstreamDefinite(): boolean {
    if (this.upstreamDefiniteCache === undefined) {
      this.upstreamDefiniteCache = this.prev === null || (this.prev.isTokenDefinite() && this.prev.isUpstreamDefinite());
    }
    return this.upstreamDefiniteCache;
  }

  abstract isTokenDefinite(): boolean;
  abstract fragment(): string;
  /**
   * `parent` and `at` say where `model` lives (its container and key or index; null for the root):
   * a reference object is only made for a result, not for every node visited.
   */
  abstract evaluate(parent: Container | null, at: string | number, model: JsonValue, ctx: EvalContext): void;

  protected addResult(parent: Container | null, at: string | number, value: JsonValue, ctx: EvalContext): void {
    if (ctx.forUpdate) ctx.refs.push(makeRef(parent, at));
    else ctx.values.push(value);
  }

  /** Jayway `PathToken.handleObjectProperty` for one name, shared by property and wildcard tokens. */
  protected handleProperty(model: JsonObject, key: string, ctx: EvalContext): void {
    if (!hasKey(model, key)) {
      if (this.isLeaf()) {
        if (ctx.requireProperties) throw new PathNotFound(`no results for path ['${key}']`);
        return;
      }
      if (!(this.isUpstreamDefinite() && this.isTokenDefinite()) && !ctx.requireProperties) return;
      throw new PathNotFound(`missing property ['${key}']`);
    }
    const value = model[key] as JsonValue;
    if (this.isLeaf()) {
      const idx = ctx.upstreamIndex.size === 0 ? -1 : (ctx.upstreamIndex.get(this) ?? -1);
      if (idx === -1 || ctx.tailPrevFragment === `[${idx}]`) this.addResult(model, key, value, ctx);
    } else {
      (this.next as PathToken).evaluate(model, key, value, ctx);
    }
  }

  /** Several names as the leaf: one merged result whose reference covers every name. */
  protected handleMergedProperties(model: JsonObject, names: readonly string[], ctx: EvalContext): void {
    if (ctx.requireProperties) {
      for (const name of names) if (!hasKey(model, name)) throw new PathNotFound(`missing property ['${name}']`);
    }
    if (ctx.forUpdate) {
      // the token's own (never changed) list: references only read it
      ctx.refs.push({ kind: 'properties', parent: model, keys: names });
      return;
    }
    const merged: JsonObject = {};
    for (const name of names) if (hasKey(model, name)) setKey(merged, name, model[name] as JsonValue);
    ctx.values.push(merged);
  }

  protected handleArrayIndex(model: JsonArray, index: number, ctx: EvalContext): void {
    const effective = index < 0 ? model.length + index : index;
    if (effective < 0 || effective >= model.length) return;
    const value = model[effective] as JsonValue;
    if (this.isLeaf()) this.addResult(model, effective, value, ctx);
    else (this.next as PathToken).evaluate(model, effective, value, ctx);
  }
}

export class RootToken extends PathToken {
  constructor(readonly symbol: '$' | '@') {
    super();
  }
  isTokenDefinite(): boolean {
    return true;
  }
  fragment(): string {
    return this.symbol;
  }
  evaluate(parent: Container | null, at: string | number, model: JsonValue, ctx: EvalContext): void {
    if (this.isLeaf()) this.addResult(parent, at, model, ctx);
    else (this.next as PathToken).evaluate(parent, at, model, ctx);
  }
}

export class PropertyToken extends PathToken {
  readonly names: string[];
  constructor(names: string[]) {
    super();
    this.names = names.map(internKey);
  }
  private singleProperty(): boolean {
    return this.names.length === 1;
  }
  private mergeCase(): boolean {
    return this.isLeaf() && this.names.length > 1;
  }
  isTokenDefinite(): boolean {
    return this.singleProperty() || this.mergeCase();
  }
  fragment(): string {
    return `[${this.names.map((n) => `'${n}'`).join(',')}]`;
  }
  evaluate(_parent: Container | null, _at: string | number, model: JsonValue, ctx: EvalContext): void {
    if (!isMap(model)) {
      if (!this.isUpstreamDefinite()) return;
      throw new PathNotFound(`expected an object with property ${this.fragment()}`);
    }
    if (this.mergeCase()) {
      this.handleMergedProperties(model, this.names, ctx);
      return;
    }
    const names = this.names;
    for (let i = 0; i < names.length; i++) this.handleProperty(model, names[i] as string, ctx);
  }
}

export class ArrayIndexToken extends PathToken {
  constructor(readonly indexes: number[]) {
    super();
  }
  isTokenDefinite(): boolean {
    return this.indexes.length === 1;
  }
  fragment(): string {
    return `[${this.indexes.join(',')}]`;
  }
  evaluate(_parent: Container | null, _at: string | number, model: JsonValue, ctx: EvalContext): void {
    if (!isArray(model)) {
      if (!this.isUpstreamDefinite()) return;
      throw new PathNotFound(`${this.fragment()} can only be applied to arrays`);
    }
    for (const i of this.indexes) this.handleArrayIndex(model, i, ctx);
  }
}

export class ArraySliceToken extends PathToken {
  constructor(
    readonly from: number | undefined,
    readonly to: number | undefined,
  ) {
    super();
  }
  isTokenDefinite(): boolean {
    return false;
  }
  fragment(): string {
    return `[${this.from ?? ''}:${this.to ?? ''}]`;
  }
  evaluate(_parent: Container | null, _at: string | number, model: JsonValue, ctx: EvalContext): void {
    if (!isArray(model)) {
      if (!this.isUpstreamDefinite()) return;
      throw new PathNotFound(`${this.fragment()} can only be applied to arrays`);
    }
    // Jayway's three slice operations, each with its own bounds rules: only [from:] and [:to]
    // count a negative bound from the end; [from:to] takes `to` as it is and walks from `from`,
    // a negative index then reading from the end
    const len = model.length;
    if (len === 0) return;
    if (this.to === undefined) {
      const from = this.from ?? 0;
      for (let i = Math.max(0, from < 0 ? len + from : from); i < len; i++) this.handleArrayIndex(model, i, ctx);
    } else if (this.from === undefined) {
      const to = Math.min(len, this.to < 0 ? len + this.to : this.to);
      for (let i = 0; i < to; i++) this.handleArrayIndex(model, i, ctx);
    } else {
      const to = Math.min(len, this.to);
      for (let i = this.from; i < to; i++) this.handleArrayIndex(model, i, ctx);
    }
  }
}

export class WildcardToken extends PathToken {
  isTokenDefinite(): boolean {
    return false;
  }
  fragment(): string {
    return '[*]';
  }
  evaluate(_parent: Container | null, _at: string | number, model: JsonValue, ctx: EvalContext): void {
    if (isMap(model)) {
      for (const key of keysOf(model)) this.handleProperty(model, key, ctx);
    } else if (isArray(model)) {
      // Jayway swallows PathNotFound here unless REQUIRE_PROPERTIES, in which case it rethrows; but
      // below a wildcard no token is upstream-definite, so without REQUIRE_PROPERTIES none throws.
      for (let i = 0; i < model.length; i++) this.handleArrayIndex(model, i, ctx);
    }
  }
}

export class FilterToken extends PathToken {
  constructor(
    readonly predicate: FilterPredicate,
    readonly source: string,
  ) {
    super();
  }
  isTokenDefinite(): boolean {
    return false;
  }
  fragment(): string {
    return `[?(${this.source})]`;
  }
  accept(item: JsonValue, ctx: EvalContext): boolean {
    try {
      return this.predicate.apply(item, ctx.root);
    } catch (e) {
      if (e instanceof InvalidPathError) return false;
      throw e;
    }
  }
  evaluate(parent: Container | null, at: string | number, model: JsonValue, ctx: EvalContext): void {
    if (isMap(model)) {
      // A filter applied to an object tests the object itself.
      if (this.accept(model, ctx)) {
        if (this.isLeaf()) this.addResult(parent, at, model, ctx);
        else (this.next as PathToken).evaluate(parent, at, model, ctx);
      }
    } else if (isArray(model)) {
      for (let i = 0; i < model.length; i++) {
        if (this.accept(model[i] as JsonValue, ctx)) this.handleArrayIndex(model, i, ctx);
      }
    } else if (this.isUpstreamDefinite()) {
      throw new InvalidPathError(`filter ${this.fragment()} can not be applied to a primitive`);
    }
  }
}

type ScanPredicate = (model: JsonValue) => boolean;

export class ScanToken extends PathToken {
  isTokenDefinite(): boolean {
    return false;
  }
  fragment(): string {
    return '..';
  }
  /** For a scan from the root to a property token (`$..name`, `$..['a','b'].c`), that token. */
  private rootPropertyScan: PropertyToken | null | undefined;

  evaluate(parent: Container | null, at: string | number, model: JsonValue, ctx: EvalContext): void {
    const pt = this.next as PathToken;
    if (this.rootPropertyScan === undefined) {
      // (tokens are linked after construction, so this is decided on first use)
      this.rootPropertyScan = this.prev instanceof RootToken && pt instanceof PropertyToken ? pt : null;
    }
    if (this.rootPropertyScan !== null && !ctx.requireProperties) {
      scanForProperties([this.rootPropertyScan], [ctx], parent, at, model);
      return;
    }
    this.walk(pt, parent, at, model, ctx, scanPredicate(pt, ctx));
  }

  private walk(pt: PathToken, parent: Container | null, at: string | number, model: JsonValue, ctx: EvalContext, pred: ScanPredicate): void {
    if (isArray(model)) this.walkArray(pt, parent, at, model, ctx, pred);
    else if (isMap(model)) this.walkObject(pt, parent, at, model, ctx, pred);
  }

  private walkArray(pt: PathToken, parent: Container | null, at: string | number, model: JsonArray, ctx: EvalContext, pred: ScanPredicate): void {
    if (pred(model)) {
      if (pt.isLeaf()) {
        pt.evaluate(parent, at, model, ctx);
      } else {
        // Jayway hands each element straight to the token after `pt` (see EvalContext.upstreamIndex).
        const next = pt.next as PathToken;
        for (let i = 0; i < model.length; i++) {
          ctx.upstreamIndex.set(next, i);
          next.evaluate(parent, at, model[i] as JsonValue, ctx);
        }
      }
    }
    for (let i = 0; i < model.length; i++) {
      const value = model[i] as JsonValue;
      if (typeof value === 'object' && value !== null) this.walk(pt, model, i, value, ctx, pred);
    }
  }

  private walkObject(pt: PathToken, parent: Container | null, at: string | number, model: JsonObject, ctx: EvalContext, pred: ScanPredicate): void {
    if (pred(model)) pt.evaluate(parent, at, model, ctx);
    if (hasKeyOrder(model)) {
      for (const key of keysOf(model)) {
        const value = model[key] as JsonValue;
        if (typeof value === 'object' && value !== null) this.walk(pt, model, key, value, ctx, pred);
      }
    } else {
      // for-in: document order without allocating a key array (our objects come from JSON.parse
      // or literals, so nothing enumerable is inherited)
      for (const key in model) {
        const value = model[key] as JsonValue;
        if (typeof value === 'object' && value !== null) this.walk(pt, model, key, value, ctx, pred);
      }
    }
  }
}

/** What a root scan does at one object: hand it to the property token if it holds its names. */
function matchPropertyAt(pt: PropertyToken, parent: Container | null, at: string | number, model: JsonObject, ctx: EvalContext): void {
  const names = pt.names;
  if (names.length === 1) {
    const name = names[0] as string;
    if (hasKey(model, name)) {
      // a single-name leaf is collected here; anything else goes on through the token
      if (pt.next === null) {
        if (ctx.forUpdate) ctx.refs.push({ kind: 'property', parent: model, key: name });
        else ctx.values.push(model[name] as JsonValue);
      } else pt.evaluate(parent, at, model, ctx);
    }
  } else {
    const all = pt.isTokenDefinite();
    let found = 0;
    for (let i = 0; i < names.length; i++) if (hasKey(model, names[i] as string)) found++;
    if (all ? found === names.length : found > 0) pt.evaluate(parent, at, model, ctx);
  }
}

/**
 * The deep scan of {@link ScanToken.walk} when it starts at the root and looks for a property
 * token, the commonest rule (`$..email`), with the predicate and token calls folded in. Same
 * visits in the same order: arrays are only descended (a property token never matches one, so no
 * upstream index is ever set), and an object is handed to the token when it holds the names the
 * token needs (all of them when it is definite; any, as a token missing them all yields nothing).
 * Several such scans (`$..title`, `$..['user','owner'].login`) can share the walk, each
 * collecting in its own context exactly what its own walk would: runs of paths whose results
 * cannot depend on each other (see scan-run.ts).
 */
export function scanForProperties(pts: readonly PropertyToken[], ctxs: readonly EvalContext[], parent: Container | null, at: string | number, model: JsonValue): void {
  if (isArray(model)) {
    for (let i = 0; i < model.length; i++) {
      const value = model[i] as JsonValue;
      if (typeof value === 'object' && value !== null) scanForProperties(pts, ctxs, model, i, value);
    }
    return;
  }
  if (!isMap(model)) return;
  for (let k = 0; k < pts.length; k++) matchPropertyAt(pts[k] as PropertyToken, parent, at, model, ctxs[k] as EvalContext);
  if (hasKeyOrder(model)) {
    for (const key of keysOf(model)) {
      const value = model[key] as JsonValue;
      if (typeof value === 'object' && value !== null) scanForProperties(pts, ctxs, model, key, value);
    }
  } else {
    for (const key in model) {
      const value = model[key] as JsonValue;
      if (typeof value === 'object' && value !== null) scanForProperties(pts, ctxs, model, key, value);
    }
  }
}

function scanPredicate(target: PathToken, ctx: EvalContext): ScanPredicate {
  if (target instanceof PropertyToken) {
    return (model) => {
      if (!isMap(model)) return false;
      if (!target.isTokenDefinite()) return true;
      // A single name, or several names as the leaf: the object must hold all of them.
      for (const n of target.names) if (!hasKey(model, n)) return false;
      return true;
    };
  }
  if (target instanceof ArrayIndexToken || target instanceof ArraySliceToken) return (model) => isArray(model);
  if (target instanceof WildcardToken) return () => true;
  if (target instanceof FilterToken) return (model) => target.accept(model, ctx);
  return () => false;
}
