import type { DnsClient, DnsLookup, DnsRecordAnswer, DnsRecordSource, DnsRecordType, SoaValue } from "../../src/contracts/dns-records.js";

/** A DnsRecordSource over a fixed list of records (tests and the DNS bench): one zone, optionally private to some VPCs. */
export class MemoryDnsSource implements DnsRecordSource {
  readonly soa: SoaValue;
  lookups = 0;
  readonly clients: DnsClient[] = [];
  constructor(
    readonly zone: string,
    public records: DnsRecordAnswer[],
    readonly opts: { vpcIds?: string[]; additional?: boolean } = {},
  ) {
    this.soa = { mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 30 };
  }

  async lookup(qname: string, qtype: DnsRecordType, client: DnsClient): Promise<DnsLookup> {
    this.lookups++;
    this.clients.push(client);
    if (qname !== this.zone && !qname.endsWith(`.${this.zone}`)) return { kind: "foreign" };
    if (this.opts.vpcIds && !(client.vpcId && this.opts.vpcIds.includes(client.vpcId))) return { kind: "foreign" };
    const zone = { name: this.zone, soa: this.soa };
    const named = this.records.filter((r) => r.name === qname);
    if (!named.length && qname !== this.zone) return { kind: "nxdomain", zone };
    const records = named.filter((r) => r.type === qtype || r.type === "CNAME");
    if (qtype === "SOA" && qname === this.zone) records.push({ name: this.zone, type: "SOA", ttl: 30, value: this.soa });
    const targets = new Set(records.flatMap((r) => (r.type === "SRV" && typeof r.value === "object" && "target" in r.value ? [r.value.target] : [])));
    const additional = this.records.filter((r) => targets.has(r.name) && (r.type === "A" || r.type === "AAAA"));
    return { kind: "answer", zone, records, ...(additional.length ? { additional } : {}) };
  }
}
