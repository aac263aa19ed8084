// Kept apart from the loaders: code that only reports rule locations must not pull in the YAML parser.

/** Describes a path into the rules with the identifying fields of what it passes through. */
export function describeLocation(root: unknown, path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  let cur: unknown = root;
  for (const key of path) {
    const next = cur && typeof cur === 'object' ? (cur as Record<PropertyKey, unknown>)[key as string] : undefined;
    if (typeof key === 'number') {
      const last = parts.pop() ?? '';
      let label = `${last}[${key}]`;
      if (next && typeof next === 'object') {
        const n = next as Record<string, unknown>;
        const id = n.pathTemplate ?? n.pathRegex ?? n.method;
        if (typeof id === 'string') label += ` (${id})`;
      }
      parts.push(label);
    } else {
      parts.push(String(key));
    }
    cur = next;
  }
  return parts.join(' > ');
}
