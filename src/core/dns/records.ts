/**
 * The records a name publisher answers the DNS server with, defined once: the server's pure part
 * (respond.ts), Cloud Map's zones (core/servicediscovery/dns.ts) and the publishers' contract
 * (src/contracts/dns-records.ts, which re-exports these) all use them.
 */
export type DnsRecordType = "A" | "AAAA" | "SRV" | "CNAME" | "SOA" | "NS";

export interface SrvValue {
  priority: number;
  weight: number;
  port: number;
  /** The target host name (lowercase, no trailing dot), e.g. `<instance-id>.api.internal.local`. */
  target: string;
}

export interface SoaValue {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface DnsRecordAnswer {
  /** Owner name, lowercase, no trailing dot. */
  name: string;
  type: DnsRecordType;
  ttl: number;
  /** A/AAAA: the address; CNAME/NS: a host name; SRV: SrvValue; SOA: the zone's SOA. */
  value: string | SrvValue | SoaValue;
}

export type DnsLookup =
  /** The name exists in one of the source's zones; records may be empty (NODATA for this type). */
  | { kind: "answer"; records: DnsRecordAnswer[]; additional?: DnsRecordAnswer[]; zone: { name: string; soa: SoaValue } }
  /** Inside one of the source's zones, but no such name. */
  | { kind: "nxdomain"; zone: { name: string; soa: SoaValue } }
  /** Not under any zone of this source. */
  | { kind: "foreign" };
