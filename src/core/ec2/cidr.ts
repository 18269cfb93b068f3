/**
 * IPv4 CIDR math for VPCs and subnets: parsing, the canonical form AWS stores (host bits cleared),
 * containment, overlap, and the address counts AWS shows (5 addresses of every subnet reserved).
 */
export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export const formatIpv4 = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

const size = (prefix: number) => 2 ** (32 - prefix);

/** `10.0.1.7/16` → base 10.0.0.0, prefix 16 (host bits cleared, as AWS stores it); undefined if not a CIDR. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const ip = parseIpv4(m[1]!);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 32) return undefined;
  return { base: ip - (ip % size(prefix)), prefix };
}

export const formatCidr = (c: Cidr): string => `${formatIpv4(c.base)}/${c.prefix}`;

/** `inner` lies wholly inside `outer`. */
export const cidrContains = (outer: Cidr, inner: Cidr): boolean =>
  inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + size(inner.prefix) <= outer.base + size(outer.prefix);

export const cidrsOverlap = (a: Cidr, b: Cidr): boolean => a.base < b.base + size(b.prefix) && b.base < a.base + size(a.prefix);

/** The address lies in the block. */
export const cidrHas = (c: Cidr, ip: number): boolean => ip >= c.base && ip < c.base + size(c.prefix);

/** VPCs and subnets are /16 to /28, as in AWS. */
export const VPC_PREFIX = { min: 16, max: 28 } as const;

/** AWS reserves the first four addresses and the last one of every subnet. */
export const RESERVED_PER_SUBNET = 5;

export const usableAddresses = (c: Cidr): number => size(c.prefix) - RESERVED_PER_SUBNET;

/** The `index`-th block of `prefix` bits inside `outer` (`172.31.0.0/16`, /20, 2 → 172.31.32.0/20). */
export function nthBlock(outer: Cidr, prefix: number, index: number): Cidr {
  return { base: outer.base + index * size(prefix), prefix };
}
