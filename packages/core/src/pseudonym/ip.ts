const IPV4_SHAPE = /^([0-9]{1,3}\.){3}[0-9]{1,3}$/;
const IPV6_SHAPE = /^[0-9a-fA-F:.]+$/;

function parseV4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const n = Number.parseInt(p, 10); // leading zeros are decimal, as on recent JDKs
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseV6(s: string): number[] | undefined {
  // Returns 8 16-bit groups.
  let head = s;
  let v4tail: number[] | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    v4tail = parseV4(s.slice(lastColon + 1));
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
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
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
  const maybeV4 = IPV4_SHAPE.test(ip);
  if (!maybeV4 && !IPV6_SHAPE.test(ip)) return undefined;
  if (maybeV4) return parseV4(ip)?.join('.');
  if (!ip.includes(':')) return undefined;
  const g = parseV6(ip);
  if (!g) return undefined;
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  if (mapped) return [(g[6] as number) >> 8, (g[6] as number) & 255, (g[7] as number) >> 8, (g[7] as number) & 255].join('.');
  return g.map((x) => x.toString(16)).join(':');
}
