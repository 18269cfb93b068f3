/**
 * What Wharf's DNS server (src/dns/) asks the services that publish names: Cloud Map
 * namespaces (src/api/servicediscovery/) and, where built, load balancers' DNSNames. A source
 * answers for the names under its zones and says "foreign" for every other name (the server
 * forwards those to the host's resolver).
 */
export type DnsRecordType = "A" | "AAAA" | "SRV" | "CNAME" | "SOA" | "NS";

export interface SrvValue {
  priority: number;
  weight: number;
  port: number;
  /** The target host name (lowercase, no trailing dot), e.g. `<instance-id>.api.internal.local`. */
  target: string;
}

export interface DnsRecordAnswer {
  /** Owner name, lowercase, no trailing dot. */
  name: string;
  type: DnsRecordType;
  ttl: number;
  /** A/AAAA: the address; CNAME/NS: a host name; SRV: SrvValue; SOA: the zone's SOA. */
  value: string | SrvValue | SoaValue;
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

/** Who asks: the server knows the client address; the agent's relay tells the VPC of the task. */
export interface DnsClient {
  address?: string;
  /** The VPC of the asking task (private namespaces answer only their VPC); absent: the host. */
  vpcId?: string;
}

export type DnsLookup =
  /** The name exists in one of the source's zones; records may be empty (NODATA for this type). */
  | { kind: "answer"; records: DnsRecordAnswer[]; additional?: DnsRecordAnswer[]; zone: { name: string; soa: SoaValue } }
  /** Inside one of the source's zones, but no such name. */
  | { kind: "nxdomain"; zone: { name: string; soa: SoaValue } }
  /** Not under any zone of this source. */
  | { kind: "foreign" };

export interface DnsRecordSource {
  /** Records for one question; `qname` is lowercase without the trailing dot. Only healthy instances answer. */
  lookup(qname: string, qtype: DnsRecordType, client: DnsClient): Promise<DnsLookup>;
}
