import { isIPv4, isIPv6 } from 'node:net';

/** One allowed block: an address or a CIDR, IPv4 or IPv6. */
interface Block {
  bytes: Uint8Array;
  prefix: number;
}

function ipBytes(ip: string): Uint8Array | undefined {
  if (isIPv4(ip)) return Uint8Array.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) return undefined;
  let s = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  let tail: number[] = [];
  if (v4) {
    tail = (v4[1] as string).split('.').map(Number);
    s = `${s.slice(0, -(v4[1] as string).length)}0:0`;
  }
  const [head = '', rest] = s.split('::');
  const a = head ? head.split(':') : [];
  const b = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? a : [...a, ...new Array(8 - a.length - b.length).fill('0'), ...b];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = Number.parseInt(g || '0', 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 255;
  });
  if (v4) out.set(tail, 12);
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address
  if (out.slice(0, 10).every((x) => x === 0) && out[10] === 255 && out[11] === 255) return out.slice(12);
  return out;
}

/** Parses `ALLOWED_DATA_ACCESS_IP_BLOCKS` (comma-separated addresses or CIDRs); throws with the bad entry. */
export function parseIpBlocks(spec: string | readonly string[]): Block[] {
  const entries = (typeof spec === 'string' ? spec.split(',') : [...spec]).map((s) => s.trim()).filter(Boolean);
  return entries.map((e) => {
    const [addr = '', bits] = e.split('/');
    const bytes = ipBytes(addr);
    if (!bytes) throw new Error(`not an IP address or CIDR block: '${e}'`);
    const max = bytes.length * 8;
    const prefix = bits === undefined ? max : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d+$/.test(bits))) {
      throw new Error(`invalid prefix length in '${e}'`);
    }
    return { bytes, prefix };
  });
}

/** Whether `ip` is inside one of the blocks. */
export function ipAllowed(ip: string | undefined, blocks: readonly Block[]): boolean {
  if (!ip) return false;
  const bytes = ipBytes(ip.replace(/^\[|\]$/g, ''));
  if (!bytes) return false;
  return blocks.some((b) => {
    if (b.bytes.length !== bytes.length) return false;
    let bits = b.prefix;
    for (let i = 0; bits > 0; i++, bits -= 8) {
      const mask = bits >= 8 ? 255 : (0xff << (8 - bits)) & 255;
      if (((b.bytes[i] as number) & mask) !== ((bytes[i] as number) & mask)) return false;
    }
    return true;
  });
}
