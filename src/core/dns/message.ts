/**
 * DNS messages as Wharf's codec sees them (RFC 1035, RFC 6891 for EDNS0, RFC 2782 for SRV).
 * Names are in presentation form without the trailing dot ("" is the root); a label byte
 * that is a dot, a backslash or not printable ASCII is written `\DDD` (RFC 1035 §5.1), so
 * every wire name has exactly one string and back.
 */
export const TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

export const CLASS_IN = 1;

export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** Extended (12 bits with the OPT record's upper 8): EDNS version not supported. */
  BADVERS: 16,
} as const;

export const OPCODE_QUERY = 0;

export interface Question {
  name: string;
  type: number;
  class: number;
}

export interface EdnsOption {
  code: number;
  data: Uint8Array;
}

/** The OPT pseudo-record (RFC 6891 §6.1.2). */
export interface Edns {
  udpSize: number;
  /** The upper 8 bits of the 12-bit rcode. */
  extendedRcode: number;
  version: number;
  dnssecOk: boolean;
  /** The other 15 flag bits, kept as they came. */
  zFlags: number;
  options: EdnsOption[];
}

export type RData =
  | { kind: "A"; address: string }
  | { kind: "AAAA"; address: string }
  /** NS, CNAME, PTR: one host name. */
  | { kind: "host"; host: string }
  | { kind: "SRV"; priority: number; weight: number; port: number; target: string }
  | { kind: "SOA"; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  /** Any other type (and a known type whose data did not parse): the bytes as they are. */
  | { kind: "raw"; data: Uint8Array };

export interface ResourceRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: RData;
}

export interface Flags {
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** The Z bit (must be zero; kept as it came). */
  z: boolean;
  ad: boolean;
  cd: boolean;
  /** The low 4 bits (header); with EDNS the full code is `edns.extendedRcode << 4 | rcode`. */
  rcode: number;
}

export interface DnsMessage {
  id: number;
  flags: Flags;
  questions: Question[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  /** Without the OPT record, which is `edns`. */
  additional: ResourceRecord[];
  edns?: Edns;
}

export const emptyFlags = (): Flags => ({ qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false, rcode: 0 });

/** The name in a canonical form for comparison: lowercase ASCII letters (DNS names are case-insensitive). */
export const foldName = (name: string): string => name.replace(/[A-Z]/g, (c) => c.toLowerCase());
