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

  private index?: { of: DnsRecordAnswer[]; map: Map<string, DnsRecordAnswer[]> };
  /** The records by name, rebuilt when `records` is replaced. */
  private byName(): Map<string, DnsRecordAnswer[]> {
    if (this.index?.of !== this.records) {
      const map = new Map<string, DnsRecordAnswer[]>();
      for (const r of this.records) (map.get(r.name) ?? map.set(r.name, []).get(r.name)!).push(r);
      this.index = { of: this.records, map };
    }
    return this.index.map;
  }

  async lookup(qname: string, qtype: DnsRecordType, client: DnsClient): Promise<DnsLookup> {
    this.lookups++;
    this.clients.push(client);
    if (this.clients.length > 100) this.clients.shift();
    if (qname !== this.zone && !qname.endsWith(`.${this.zone}`)) return { kind: "foreign" };
    if (this.opts.vpcIds && !(client.vpcId && this.opts.vpcIds.includes(client.vpcId))) return { kind: "foreign" };
    const zone = { name: this.zone, soa: this.soa };
    const named = this.byName().get(qname) ?? [];
    if (!named.length && qname !== this.zone) return { kind: "nxdomain", zone };
    const records = named.filter((r) => r.type === qtype || r.type === "CNAME");
    if (qtype === "SOA" && qname === this.zone) records.push({ name: this.zone, type: "SOA", ttl: 30, value: this.soa });
    const targets = new Set(records.flatMap((r) => (r.type === "SRV" && typeof r.value === "object" && "target" in r.value ? [r.value.target] : [])));
    const additional = [...targets].flatMap((t) => (this.byName().get(t) ?? []).filter((r) => r.type === "A" || r.type === "AAAA"));
    return { kind: "answer", zone, records, ...(additional.length ? { additional } : {}) };
  }
}
