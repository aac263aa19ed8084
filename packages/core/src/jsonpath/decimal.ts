/**
 * Just enough of Java's `BigDecimal` for Jayway filter comparisons: exact compare, `toString`
 * (Jayway compares a number with a string through it) and `intValue`.
 */
export class Decimal {
  private constructor(
    /** Unscaled value, signed. */
    readonly unscaled: bigint,
    /** Digits after the decimal point (may be negative). */
    readonly scale: number,
  ) {}

  static parse(text: string): Decimal | undefined {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m) return undefined;
    const [, sign, int = '', frac = '', exp] = m;
    if (int === '' && frac === '') return undefined;
    const digits = `${int}${frac}`.replace(/^0+(?=\d)/, '') || '0';
    const scale = frac.length - (exp ? Number(exp) : 0);
    const unscaled = BigInt(digits) * (sign === '-' ? -1n : 1n);
    return new Decimal(unscaled, scale);
  }

  compareTo(o: Decimal): number {
    const s = Math.max(this.scale, o.scale);
    const a = this.unscaled * 10n ** BigInt(s - this.scale);
    const b = o.unscaled * 10n ** BigInt(s - o.scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** `BigDecimal.intValue()`: truncates, then keeps the low 32 bits. */
  intValue(): number {
    let v = this.unscaled;
    if (this.scale > 0) v /= 10n ** BigInt(this.scale);
    else if (this.scale < 0) v *= 10n ** BigInt(-this.scale);
    return Number(BigInt.asIntN(32, v));
  }

  /** `BigDecimal.toString()` (scientific notation when the exponent is small or the scale negative). */
  toString(): string {
    const neg = this.unscaled < 0n;
    const coeff = (neg ? -this.unscaled : this.unscaled).toString();
    const sign = neg ? '-' : '';
    if (this.scale === 0) return sign + coeff;
    const adjusted = -this.scale + (coeff.length - 1);
    if (this.scale > 0 && adjusted >= -6) {
      if (coeff.length > this.scale) {
        const p = coeff.length - this.scale;
        return `${sign}${coeff.slice(0, p)}.${coeff.slice(p)}`;
      }
      return `${sign}0.${'0'.repeat(this.scale - coeff.length)}${coeff}`;
    }
    const mant = coeff.length > 1 ? `${coeff[0]}.${coeff.slice(1)}` : coeff;
    return `${sign}${mant}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
  }
}
