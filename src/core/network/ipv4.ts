/** IPv4 addresses and CIDR blocks as numbers (pure helpers for the security group compiler). */

export interface Cidr {
  /** The network address (host bits cleared), as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

/** An IPv4 address as an unsigned 32-bit number, or undefined when it is not one (dotted quad). */
export function parseIpv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

export const formatIpv4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");

const maskOf = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** A CIDR block ("10.0.0.0/16"; a bare address is a /32), host bits cleared; undefined when malformed. */
export function parseCidr(s: string): Cidr | undefined {
  const [addr, len, ...rest] = s.trim().split("/");
  if (rest.length || addr === undefined) return undefined;
  const ip = parseIpv4(addr);
  if (ip === undefined) return undefined;
  const prefix = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= 32)) return undefined;
  return { base: (ip & maskOf(prefix)) >>> 0, prefix };
}

export const formatCidr = (c: Cidr): string => `${formatIpv4(c.base)}/${c.prefix}`;

/** Whether the address (a number) lies in the block. */
export const cidrContains = (c: Cidr, ip: number): boolean => ((ip & maskOf(c.prefix)) >>> 0) === c.base;
