/** Java `String.trim()`: strips every char <= U+0020 at both ends. */
export function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 32) a++;
  while (b > a && s.charCodeAt(b - 1) <= 32) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Java `Character.isWhitespace` for a UTF-16 code unit. */
export function isJavaWhitespace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13) || (c >= 28 && c <= 31);
  if (c === 0xa0 || c === 0x2007 || c === 0x202f) return false; // non-breaking spaces are not whitespace
  return c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x205f || c === 0x3000;
}

/** Apache Commons `StringUtils.isBlank`. */
export function isBlank(s: string | null | undefined): boolean {
  if (s == null) return true;
  // fast exit: most values start with a visible character
  const c = s.charCodeAt(0);
  if (c > 32 && c < 0x1680) return false;
  for (let i = 0; i < s.length; i++) if (!isJavaWhitespace(s.charCodeAt(i))) return false;
  return true;
}

/** Java `String.replace(CharSequence, CharSequence)`: every literal occurrence. */
export function javaReplaceLiteral(s: string, target: string, replacement: string): string {
  if (target === '') {
    // Java inserts the replacement before every char (UTF-16 unit) and at the end.
    let out = replacement;
    for (let i = 0; i < s.length; i++) out += s[i] + replacement;
    return out;
  }
  return s.split(target).join(replacement);
}

/** Java `String.toLowerCase()` (ROOT-like locale; JS's full-string lower-casing agrees for ASCII and BMP). */
export function javaLowerCase(s: string): string {
  return s.toLowerCase();
}
