/** IPv4 and IPv6 addresses and CIDR blocks as bigints, for IpAddress / NotIpAddress. */

function v4(s: string): bigint | undefined {
  const p = s.split(".");
  if (p.length !== 4) return undefined;
  let n = 0n;
  for (const o of p) {
    if (!/^\d{1,3}$/.test(o) || Number(o) > 255) return undefined;
    n = (n << 8n) | BigInt(Number(o));
  }
  return n;
}

function v6(s: string): bigint | undefined {
  let head = s;
  let tail4: bigint | undefined;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    tail4 = v4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const a = groups(halves[0]!);
  const b = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - a.length - b.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0 || (halves.length === 2 && fill < 1)) return undefined;
  const all = [...a, ...Array(halves.length === 2 ? fill : 0).fill("0"), ...b];
  let n = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail4 !== undefined) n = (n & ~0xffffffffn) | tail4;
  return n;
}

export interface IpValue {
  readonly family: 4 | 6;
  readonly n: bigint;
}

export function parseIp(s: string): IpValue | undefined {
  if (s.includes(":")) {
    const n = v6(s);
    return n === undefined ? undefined : { family: 6, n };
  }
  const n = v4(s);
  return n === undefined ? undefined : { family: 4, n };
}

export interface Cidr {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly mask: bigint;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). */
export function parseCidr(s: string): Cidr | undefined {
  const [addr, len, extra] = s.split("/");
  if (extra !== undefined) return undefined;
  const ip = parseIp(addr!);
  if (!ip) return undefined;
  const width = ip.family === 4 ? 32 : 128;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return undefined;
  const bits = len === undefined ? width : Number(len);
  if (bits > width) return undefined;
  const full = (1n << BigInt(width)) - 1n;
  const mask = full ^ ((1n << BigInt(width - bits)) - 1n);
  return { family: ip.family, base: ip.n & mask, mask };
}

export const cidrContains = (c: Cidr, ip: IpValue): boolean => c.family === ip.family && (ip.n & c.mask) === c.base;
