import { type PathToken, PropertyToken, type RootToken, ScanToken, WildcardToken } from './tokens.js';

/**
 * Consecutive deep scans of one transform (`$..title`, `$..body`, `$..['user','owner'].login`)
 * can share one walk of the document: the walk collects every path's references as that path's
 * own walk would, then each path is applied in the rule's order, as Jayway does one after the
 * other. That is only the same when no path of the run can change what a later one matches.
 *
 * What a later path reads, when it is a scan from the root through names and wildcards ending in
 * a name: the presence of the names of its inner steps (and, for a multi-name leaf straight after
 * the scan, of all its leaf names, which Jayway requires together); what an earlier path changes:
 * the values under its leaf names. A run admits a path only when no earlier member changes a name
 * it reads. Then every reference a later path collects on the original document is one it would
 * have collected after the earlier paths ran, except references into values an earlier path
 * replaced or deleted; applying those changes nothing that is written out (their values are no
 * longer in the document, and a reference to a deleted key is skipped). A mapping function is
 * then called on them, though, which the transforms that use runs allow: deletion calls none, and
 * pseudonymization fails on any container it would replace, so it never leaves such values.
 */
export interface ScanRunInfo {
  /** The token straight after the scan. */
  readonly first: PropertyToken;
  /** Names whose presence decides what the path matches. */
  readonly reads: ReadonlySet<string>;
  /** Names under which the path changes values. */
  readonly writes: readonly string[];
}

/** The facts above for a path `$..` + names and wildcards + a name; null for any other path. */
export function scanRunInfo(root: RootToken): ScanRunInfo | null {
  const scan = root.next;
  if (!(scan instanceof ScanToken) || !(scan.next instanceof PropertyToken)) return null;
  const first = scan.next;
  const reads = new Set<string>();
  let t: PathToken = first;
  for (;;) {
    if (!(t instanceof PropertyToken) && !(t instanceof WildcardToken)) return null;
    if (t.next === null) break;
    if (t instanceof PropertyToken) for (const n of t.names) reads.add(n);
    t = t.next;
  }
  if (!(t instanceof PropertyToken)) return null;
  if (t === first && t.names.length > 1) for (const n of t.names) reads.add(n);
  return { first, reads, writes: t.names };
}

/** Whether `next` may join a run of `members` (none of them changes a name it reads). */
export function joinsRun(members: readonly ScanRunInfo[], next: ScanRunInfo): boolean {
  return members.every((m) => m.writes.every((w) => !next.reads.has(w)));
}
