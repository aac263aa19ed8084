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
  let quote = value.charCodeAt(0) <= 0x23 || value.charCodeAt(n - 1) <= 0x20;
  if (!quote) {
    const d = delimiter.charCodeAt(0);
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c === 0x22 || c === 0x0a || c === 0x0d || c === d) {
        quote = true;
        break;
      }
    }
  }
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
