/**
 * Number formatting exactly as Java (JDK >= 19) `Double.toString`, which is what Jackson writes for
 * doubles. The digits are the shortest that round-trip, the same digits JS produces, so only the
 * layout differs: plain decimal with at least one fractional digit for 1e-3 <= |x| < 1e7,
 * otherwise `d.dddE<exp>`.
 */
export function javaDoubleToString(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // Java keeps its historical two-digit output for the smallest subnormal.
  if (x === Number.MIN_VALUE) return '4.9E-324';
  if (x === -Number.MIN_VALUE) return '-4.9E-324';
  const sign = x < 0 ? '-' : '';
  const abs = Math.abs(x);
  const [mantissa, expPart] = abs.toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expPart);
  if (abs >= 1e-3 && abs < 1e7) {
    if (exp >= 0) {
      const intLen = exp + 1;
      const intPart = digits.length > intLen ? digits.slice(0, intLen) : digits.padEnd(intLen, '0');
      const frac = digits.length > intLen ? digits.slice(intLen) : '0';
      return `${sign}${intPart}.${frac}`;
    }
    return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  const frac = digits.length > 1 ? digits.slice(1) : '0';
  return `${sign}${digits[0]}.${frac}E${exp}`;
}

/** Java's `toString()` of a JSON number held by Jackson (Integer/Long/BigInteger/Double). */
export function javaNumberToString(v: number | bigint | { value: number }): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? (v === 0 ? '0' : String(v)) : javaDoubleToString(v);
  return javaDoubleToString(v.value);
}
