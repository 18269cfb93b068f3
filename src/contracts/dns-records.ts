/**
 * What Wharf's DNS server (src/dns/) asks the services that publish names: Cloud Map
 * namespaces (src/api/servicediscovery/) and, where built, load balancers' DNSNames. A source
 * answers for the names under its zones and says "foreign" for every other name (the server
 * forwards those to the host's resolver). The record shapes are core/dns/records.ts's, defined
 * once there: the server's pure part and Cloud Map's zones use them too.
 */
import type { DnsLookup, DnsRecordType } from "../core/dns/records.js";

export type { DnsLookup, DnsRecordAnswer, DnsRecordType, SoaValue, SrvValue } from "../core/dns/records.js";

/** Who asks: the server knows the client address; the agent's relay tells the VPC of the task. */
export interface DnsClient {
  address?: string;
  /** The VPC of the asking task (private namespaces answer only their VPC); absent: the host. */
  vpcId?: string;
}

export interface DnsRecordSource {
  /** Records for one question; `qname` is lowercase without the trailing dot. Only healthy instances answer. */
  lookup(qname: string, qtype: DnsRecordType, client: DnsClient): Promise<DnsLookup>;
}
