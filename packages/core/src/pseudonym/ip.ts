const IPV4_SHAPE = /^([0-9]{1,3}\.){3}[0-9]{1,3}$/;
const IPV6_SHAPE = /^[0-9a-fA-F:.]+$/;

/**
 * Java's `IPAddressUtil.textToNumericFormatV4`: one to four dot-separated decimal parts, the last
 * filling the remaining bytes (`1` is 0.0.0.1, `1.2.3` is 1.2.0.3, `4294967295` is
 * 255.255.255.255); leading zeros are decimal; at most 15 characters.
 */
function parseV4(s: string): number[] | undefined {
  if (s.length === 0 || s.length > 15) return undefined;
  const out: number[] = [];
  let value = 0;
  let fresh = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e) {
      if (fresh || value > 0xff || out.length === 3) return undefined;
      out.push(value);
      value = 0;
      fresh = true;
    } else if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      fresh = false;
    } else return undefined;
  }
  // the last part fills the bytes left: 4 of them after no dot, 1 after three
  const left = 4 - out.length;
  if (fresh || value >= 2 ** (left * 8)) return undefined;
  for (let k = left - 1; k >= 0; k--) out.push(Math.floor(value / 2 ** (k * 8)) & 0xff);
  return out;
}

function parseV6(s: string): number[] | undefined {
  // Returns 8 16-bit groups.
  let head = s;
  let v4tail: number[] | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    // an embedded IPv4 address is written in full (three dots), as Java requires
    const tail = s.slice(lastColon + 1);
    v4tail = tail.split('.').length === 4 ? parseV4(tail) : undefined;
    if (!v4tail) return undefined;
    head = `${s.slice(0, lastColon + 1)}${((v4tail[0] as number) << 8 | (v4tail[1] as number)).toString(16)}:${((v4tail[2] as number) << 8 | (v4tail[3] as number)).toString(16)}`;
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return undefined;
  const toGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const gs = part.split(':');
    const out: number[] = [];
    for (const g of gs) {
      // Java bounds a group by its value, not its digits: 00000 is 0
      if (!/^[0-9a-fA-F]+$/.test(g)) return undefined;
      const n = Number.parseInt(g, 16);
      if (n > 0xffff) return undefined;
      out.push(n);
    }
    return out;
  };
  if (dbl >= 0) {
    const left = toGroups(head.slice(0, dbl));
    const right = toGroups(head.slice(dbl + 2));
    if (!left || !right || left.length + right.length > 7) return undefined;
    return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  }
  const all = toGroups(head);
  return all && all.length === 8 ? all : undefined;
}

/**
 * Canonical text of an IP address as Java's `InetAddress.getByName(ip).getHostAddress()` gives it
 * for a literal: dotted decimal for IPv4 (and IPv4-mapped IPv6), eight lower-case hex groups
 * without `::` compression for IPv6. Undefined if not a literal: never a DNS lookup (where Java
 * would try one, for an unparseable string, the result is "not an IP" anyway).
 */
export function canonicalizeIp(ip: string): string | undefined {
  if (!IPV4_SHAPE.test(ip) && !IPV6_SHAPE.test(ip)) return undefined;
  // no colon: an IPv4 literal in any of Java's forms, or else (hex letters) a name Java would
  // look up, which is no IP here
  if (!ip.includes(':')) return parseV4(ip)?.join('.');
  const g = parseV6(ip);
  if (!g) return undefined;
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  if (mapped) return [(g[6] as number) >> 8, (g[6] as number) & 255, (g[7] as number) >> 8, (g[7] as number) & 255].join('.');
  return g.map((x) => x.toString(16)).join(':');
}
