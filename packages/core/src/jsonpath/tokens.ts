import type { JsonArray, JsonObject, JsonValue } from '../json/value.js';
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

const isMap = (v: JsonValue): v is JsonObject => v instanceof Map;
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
  abstract evaluate(ref: PathRef, model: JsonValue, ctx: EvalContext): void;

  protected addResult(ref: PathRef, value: JsonValue, ctx: EvalContext): void {
    ctx.values.push(value);
    if (ctx.forUpdate) ctx.refs.push(ref);
  }

  /** Jayway `PathToken.handleObjectProperty`, shared by property and wildcard tokens. */
  protected handleObjectProperty(model: JsonObject, names: readonly string[], ctx: EvalContext): void {
    if (names.length === 1) {
      const key = names[0] as string;
      if (!model.has(key)) {
        if (this.isLeaf()) {
          if (ctx.requireProperties) throw new PathNotFound(`no results for path ['${key}']`);
          return;
        }
        if ((!(this.isUpstreamDefinite() && this.isTokenDefinite()) && !ctx.requireProperties)) return;
        throw new PathNotFound(`missing property ['${key}']`);
      }
      const value = model.get(key) as JsonValue;
      const ref: PathRef = { kind: 'property', parent: model, key };
      if (this.isLeaf()) {
        const idx = ctx.upstreamIndex.get(this) ?? -1;
        if (idx === -1 || ctx.tailPrevFragment === `[${idx}]`) this.addResult(ref, value, ctx);
      } else {
        (this.next as PathToken).evaluate(ref, value, ctx);
      }
      return;
    }
    // Several names as the leaf: one merged result whose reference covers every name.
    const merged: JsonObject = new Map();
    for (const name of names) {
      if (model.has(name)) merged.set(name, model.get(name) as JsonValue);
      else if (ctx.requireProperties) throw new PathNotFound(`missing property ['${name}']`);
    }
    this.addResult({ kind: 'properties', parent: model, keys: [...names] }, merged, ctx);
  }

  protected handleArrayIndex(model: JsonArray, index: number, ctx: EvalContext): void {
    const effective = index < 0 ? model.length + index : index;
    if (effective < 0 || effective >= model.length) return;
    const ref: PathRef = { kind: 'index', parent: model, index: effective };
    const value = model[effective] as JsonValue;
    if (this.isLeaf()) this.addResult(ref, value, ctx);
    else (this.next as PathToken).evaluate(ref, value, ctx);
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
  evaluate(ref: PathRef, model: JsonValue, ctx: EvalContext): void {
    if (this.isLeaf()) this.addResult(ref, model, ctx);
    else (this.next as PathToken).evaluate(ref, model, ctx);
  }
}

export class PropertyToken extends PathToken {
  constructor(readonly names: string[]) {
    super();
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
  evaluate(_ref: PathRef, model: JsonValue, ctx: EvalContext): void {
    if (!isMap(model)) {
      if (!this.isUpstreamDefinite()) return;
      throw new PathNotFound(`expected an object with property ${this.fragment()}`);
    }
    if (this.singleProperty() || this.mergeCase()) {
      this.handleObjectProperty(model, this.names, ctx);
      return;
    }
    for (const name of this.names) this.handleObjectProperty(model, [name], ctx);
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
  evaluate(_ref: PathRef, model: JsonValue, ctx: EvalContext): void {
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
  evaluate(_ref: PathRef, model: JsonValue, ctx: EvalContext): void {
    if (!isArray(model)) {
      if (!this.isUpstreamDefinite()) return;
      throw new PathNotFound(`${this.fragment()} can only be applied to arrays`);
    }
    const len = model.length;
    let from = this.from ?? 0;
    let to = this.to ?? len;
    if (from < 0) from = Math.max(0, len + from);
    if (to < 0) to = len + to;
    to = Math.min(len, to);
    for (let i = from; i < to; i++) this.handleArrayIndex(model, i, ctx);
  }
}

export class WildcardToken extends PathToken {
  isTokenDefinite(): boolean {
    return false;
  }
  fragment(): string {
    return '[*]';
  }
  evaluate(_ref: PathRef, model: JsonValue, ctx: EvalContext): void {
    if (isMap(model)) {
      for (const key of model.keys()) this.handleObjectProperty(model, [key], ctx);
    } else if (isArray(model)) {
      for (let i = 0; i < model.length; i++) {
        try {
          this.handleArrayIndex(model, i, ctx);
        } catch (e) {
          if (!(e instanceof PathNotFound) || ctx.requireProperties) throw e;
        }
      }
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
  evaluate(ref: PathRef, model: JsonValue, ctx: EvalContext): void {
    if (isMap(model)) {
      // A filter applied to an object tests the object itself.
      if (this.accept(model, ctx)) {
        if (this.isLeaf()) this.addResult(ref, model, ctx);
        else (this.next as PathToken).evaluate(ref, model, ctx);
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
  evaluate(ref: PathRef, model: JsonValue, ctx: EvalContext): void {
    const pt = this.next as PathToken;
    this.walk(pt, ref, model, ctx, scanPredicate(pt, ctx));
  }

  private walk(pt: PathToken, ref: PathRef, model: JsonValue, ctx: EvalContext, pred: ScanPredicate): void {
    if (isMap(model)) this.walkObject(pt, ref, model, ctx, pred);
    else if (isArray(model)) this.walkArray(pt, ref, model, ctx, pred);
  }

  private walkArray(pt: PathToken, ref: PathRef, model: JsonArray, ctx: EvalContext, pred: ScanPredicate): void {
    if (pred(model)) {
      if (pt.isLeaf()) {
        pt.evaluate(ref, model, ctx);
      } else {
        // Jayway hands each element straight to the token after `pt` (see EvalContext.upstreamIndex).
        const next = pt.next as PathToken;
        for (let i = 0; i < model.length; i++) {
          ctx.upstreamIndex.set(next, i);
          next.evaluate(ref, model[i] as JsonValue, ctx);
        }
      }
    }
    for (let i = 0; i < model.length; i++) {
      this.walk(pt, { kind: 'index', parent: model, index: i }, model[i] as JsonValue, ctx, pred);
    }
  }

  private walkObject(pt: PathToken, ref: PathRef, model: JsonObject, ctx: EvalContext, pred: ScanPredicate): void {
    if (pred(model)) pt.evaluate(ref, model, ctx);
    for (const [key, value] of model) {
      this.walk(pt, { kind: 'property', parent: model, key }, value, ctx, pred);
    }
  }
}

function scanPredicate(target: PathToken, ctx: EvalContext): ScanPredicate {
  if (target instanceof PropertyToken) {
    return (model) => {
      if (!isMap(model)) return false;
      if (!target.isTokenDefinite()) return true;
      // A single name, or several names as the leaf: the object must hold all of them.
      for (const n of target.names) if (!model.has(n)) return false;
      return true;
    };
  }
  if (target instanceof ArrayIndexToken || target instanceof ArraySliceToken) return (model) => isArray(model);
  if (target instanceof WildcardToken) return () => true;
  if (target instanceof FilterToken) return (model) => target.accept(model, ctx);
  return () => false;
}
