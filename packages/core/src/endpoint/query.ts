export interface QueryParam {
  name: string;
  /** null for a name without `=`. */
  value: string | null;
}

const utf8 = new TextDecoder('utf-8');

/** `+` -> space and `%XX` decoding; a `%` not followed by two hex digits is kept (Apache HttpClient). */
export function formDecode(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '+') {
      bytes.push(32);
    } else if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const cp = s.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      for (const b of enc.encode(String.fromCodePoint(cp))) bytes.push(b);
    }
  }
  return utf8.decode(new Uint8Array(bytes));
}

/**
 * Parses a raw query string as Psoxy does (Apache `URLEncodedUtils.parse`): `&` and `;` separate
 * parameters, the first `=` splits name and value, empty names are skipped.
 */
export function parseQuery(rawQuery: string | null | undefined): QueryParam[] {
  if (!rawQuery) return [];
  const out: QueryParam[] = [];
  for (const part of rawQuery.split(/[&;]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    // Surrounding whitespace is insignificant; emptiness is judged before decoding (Apache's TokenParser).
    const rawName = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (rawName === '') continue;
    out.push({ name: formDecode(rawName), value: eq < 0 ? null : formDecode(part.slice(eq + 1).trim()) });
  }
  return out;
}

/** Splits a request target (absolute URL or origin-form) into raw path and raw query, unnormalized. */
export function splitUrl(url: string): { path: string; query: string | null } {
  let rest = url;
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  return { path: path === '' ? '/' : path, query: q < 0 ? null : rest.slice(q + 1) };
}
