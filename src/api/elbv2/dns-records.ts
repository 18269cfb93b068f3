import type { DnsLookup, DnsRecordSource, SoaValue } from "../../contracts/dns-records.js";
import type { Elbv2Deps } from "./deps.js";
import type { LoadBalancerDoc } from "./docs.js";

/** The zone of every load balancer's DNSName (`<name>-<n>.<region>.elb.localhost`, load-balancers.ts). */
export const ELB_DNS_ZONE = "elb.localhost";
/** ELB answers its names with a 60 s TTL. */
export const ELB_DNS_TTL = 60;

const SOA: SoaValue = { mname: "ns.wharf.localhost", rname: "hostmaster.wharf.localhost", serial: 1, refresh: 7200, retry: 900, expire: 1_209_600, minimum: 60 };

/**
 * Load balancers' DNSNames for Wharf's DNS server: a name answers A with the load balancer's
 * listener address (its loopback bind address, where the data plane listens), for every client
 * (ELB's names are public DNS, internal schemes included). Other types of such a name: NODATA;
 * a name of the zone that no load balancer has: NXDOMAIN.
 */
export function elbDnsRecords(deps: Pick<Elbv2Deps, "store">): DnsRecordSource {
  return {
    async lookup(qname, qtype): Promise<DnsLookup> {
      if (qname !== ELB_DNS_ZONE && !qname.endsWith(`.${ELB_DNS_ZONE}`)) return { kind: "foreign" };
      const zone = { name: ELB_DNS_ZONE, soa: SOA };
      if (qname === ELB_DNS_ZONE) {
        return { kind: "answer", zone, records: qtype === "SOA" ? [{ name: ELB_DNS_ZONE, type: "SOA", ttl: 900, value: SOA }] : [] };
      }
      const lbs = await deps.store.list<LoadBalancerDoc>("elbv2-load-balancer");
      const lb = lbs.map((r) => r.value).find((l) => l.dnsName === qname);
      if (!lb) {
        // A Region part (`us-east-1.elb.localhost`) or any name above a DNSName exists as an empty non-terminal.
        if (lbs.some((r) => r.value.dnsName.endsWith(`.${qname}`))) return { kind: "answer", zone, records: [] };
        return { kind: "nxdomain", zone };
      }
      return { kind: "answer", zone, records: qtype === "A" ? [{ name: qname, type: "A", ttl: ELB_DNS_TTL, value: lb.bindAddress }] : [] };
    },
  };
}
