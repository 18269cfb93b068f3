import type { DnsClient, DnsLookup, DnsRecordSource, DnsRecordType } from "../../contracts/dns-records.js";
import { answerInZone, inZone, normalizeName, type Zone } from "../../core/servicediscovery/dns.js";
import { reportedHealth } from "../../core/servicediscovery/rules.js";
import { rand, type SdDeps } from "./deps.js";
import type { NamespaceDoc, SdInstanceDoc, SdServiceDoc } from "./docs.js";

/**
 * Cloud Map's DNS namespaces as a DnsRecordSource for Wharf's DNS server: the private DNS
 * namespace holding the name (the longest one, of every Region and account) answers from its
 * services and instances as src/core/servicediscovery/dns.ts builds them. A private namespace
 * answers only clients in its VPC, or the host itself (no vpcId); for any other client the name
 * is foreign, as a private hosted zone is invisible outside its VPC.
 */
export function cloudMapDnsSource(deps: SdDeps): DnsRecordSource {
  return {
    async lookup(qname: string, qtype: DnsRecordType, client: DnsClient): Promise<DnsLookup> {
      const name = normalizeName(qname);
      const namespaces = (await deps.store.list<NamespaceDoc>("sd-namespace"))
        .map((r) => r.value)
        .filter((n) => n.type === "DNS_PRIVATE" && inZone(name, normalizeName(n.name)))
        .filter((n) => client.vpcId === undefined || n.vpc === client.vpcId)
        .sort((a, b) => b.name.length - a.name.length);
      const ns = namespaces[0];
      if (!ns) return { kind: "foreign" };
      const services = (await deps.store.list<SdServiceDoc>("sd-service", { scope: ns.region })).map((r) => r.value).filter((s) => s.namespaceId === ns.id);
      const zone: Zone = {
        name: normalizeName(ns.name),
        soaTtl: ns.soaTtl ?? 15,
        services: await Promise.all(
          services.map(async (s) => ({
            name: s.name,
            ...(s.dnsConfig ? { dns: s.dnsConfig } : {}),
            instances: (await deps.store.list<SdInstanceDoc>("sd-instance", { scope: s.id })).map((r) => ({
              id: r.value.id,
              attributes: r.value.attributes,
              health: reportedHealth(r.value.customHealth, !!s.healthCheckCustomConfig),
            })),
          })),
        ),
      };
      return answerInZone(zone, name, qtype, rand(deps));
    },
  };
}
