const SPECIALS = new Map<string, RegExp>();
/** Characters that force quoting: a native regex scan beats a loop over char codes. */
function specialsOf(delimiter: string): RegExp {
  let re = SPECIALS.get(delimiter);
  if (!re) {
    re = new RegExp(`["\\r\\n${delimiter.replace(/[\\\]^-]/g, '\\$&')}]`);
    SPECIALS.set(delimiter, re);
  }
  return re;
}

/**
 * CSV printing as Psoxy's Apache Commons CSV `DEFAULT` format (1.14, quote mode MINIMAL): a value
 * is quoted if it is empty and first in its record, starts with a character up to `#`, holds CR,
 * LF, a quote or the delimiter, or ends with a character up to space. Quotes are doubled. A null is
 * an empty, unquoted field.
 */
export function csvField(value: string | null, first: boolean, delimiter: string): string {
  if (value === null) return '';
  const n = value.length;
  if (n === 0) return first ? '""' : '';
  const quote = value.charCodeAt(0) <= 0x23 || value.charCodeAt(n - 1) <= 0x20 || specialsOf(delimiter).test(value);
  if (!quote) return value;
  return `"${value.includes('"') ? value.replaceAll('"', '""') : value}"`;
}

/** One record, with its separator. */
export function csvRecord(values: readonly (string | null)[], delimiter: string, separator: string): string {
  let s = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) s += delimiter;
    s += csvField(values[i] ?? null, i === 0, delimiter);
  }
  return s + separator;
}
