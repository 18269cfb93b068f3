import type { DnsLookup, DnsRecordAnswer, DnsRecordType, SoaValue, SrvValue } from "../dns/records.js";
import { type DnsConfigSpec, type HealthStatus, servesTraffic } from "./rules.js";

/**
 * The DNS records of a Cloud Map DNS namespace, built purely from its services and instances as
 * Route 53 auto-naming publishes them: `<service>.<namespace>` holds one A / AAAA / SRV / CNAME
 * record per instance for the service's record types; an SRV record points at
 * `<instance-id>.<service>.<namespace>` (priority 1, weight 1, AWS_INSTANCE_PORT), which holds that
 * instance's A / AAAA records. Only instances that serve traffic answer (custom health not
 * UNHEALTHY); MULTIVALUE answers up to 8 of them chosen at random, WEIGHTED one. The shapes are
 * core/dns/records.ts's, which the DNS server's contract (src/contracts/dns-records.ts) re-exports.
 */

export type QType = DnsRecordType;
export type Soa = SoaValue;
export type Srv = SrvValue;
export type Record = DnsRecordAnswer;

export type ZoneAnswer = Exclude<DnsLookup, { kind: "foreign" }>;

export interface ZoneInstance {
  id: string;
  attributes: Readonly<{ [k: string]: string }>;
  health: HealthStatus;
}

export interface ZoneService {
  name: string;
  dns?: DnsConfigSpec;
  instances: readonly ZoneInstance[];
}

export interface Zone {
  /** The namespace's name, lowercase, no trailing dot. */
  name: string;
  soaTtl: number;
  services: readonly ZoneService[];
}

/** Route 53's SOA for private hosted zones (its name servers and hostmaster). */
export const zoneSoa = (): Soa => ({
  mname: "ns-1536.awsdns-00.co.uk",
  rname: "awsdns-hostmaster.amazon.com",
  serial: 1,
  refresh: 7200,
  retry: 900,
  expire: 1209600,
  minimum: 86400,
});

const NS_TTL = 172800;
/** Route 53 answers a MULTIVALUE query with up to eight healthy records. */
export const MULTIVALUE_MAX = 8;

export const normalizeName = (name: string): string => name.toLowerCase().replace(/\.$/, "");

/** Is `qname` the zone's name or under it? */
export const inZone = (qname: string, zone: string): boolean => qname === zone || qname.endsWith(`.${zone}`);

/** Fisher–Yates on a copy, with injected chance. */
function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function addressRecords(name: string, i: ZoneInstance, type: "A" | "AAAA", ttl: number): Record[] {
  const v = type === "A" ? i.attributes.AWS_INSTANCE_IPV4 : i.attributes.AWS_INSTANCE_IPV6;
  return v ? [{ name, type, ttl, value: v.toLowerCase() }] : [];
}

/** The answer for `qname` (lowercase, no trailing dot) of type `qtype`, inside this zone. */
export function answerInZone(zone: Zone, qname: string, qtype: QType, random: () => number): ZoneAnswer {
  const soa = zoneSoa();
  const z = { name: zone.name, soa };
  const soaRecord: Record = { name: zone.name, type: "SOA", ttl: zone.soaTtl, value: soa };
  if (qname === zone.name) {
    if (qtype === "SOA") return { kind: "answer", records: [soaRecord], zone: z };
    if (qtype === "NS") return { kind: "answer", records: [{ name: zone.name, type: "NS", ttl: NS_TTL, value: soa.mname }], zone: z };
    return { kind: "answer", records: [], zone: z };
  }
  const relative = qname.slice(0, -(zone.name.length + 1));
  const service = zone.services.find((s) => s.dns && normalizeName(s.name) === relative);
  if (service?.dns) return { kind: "answer", ...serviceRecords(service, `${relative}.${zone.name}`, qtype, random), zone: z };
  // `<instance-id>.<service>`: the SRV target's own address records.
  for (const s of zone.services) {
    const sname = normalizeName(s.name);
    if (!s.dns || !relative.endsWith(`.${sname}`)) continue;
    if (!s.dns.DnsRecords.some((r) => r.Type === "SRV")) continue;
    const id = relative.slice(0, -(sname.length + 1));
    const inst = s.instances.find((i) => i.id.toLowerCase() === id);
    if (!inst) continue;
    const records: Record[] = [];
    if (servesTraffic(inst.health) && (qtype === "A" || qtype === "AAAA")) {
      const rec = s.dns.DnsRecords.find((r) => r.Type === qtype) ?? s.dns.DnsRecords.find((r) => r.Type === "SRV")!;
      records.push(...addressRecords(qname, inst, qtype, rec.TTL));
    }
    return { kind: "answer", records, zone: z };
  }
  return { kind: "nxdomain", zone: z };
}

function serviceRecords(s: ZoneService, name: string, qtype: QType, random: () => number): { records: Record[]; additional?: Record[] } {
  const dns = s.dns!;
  const live = s.instances.filter((i) => servesTraffic(i.health));
  const cname = dns.DnsRecords.find((r) => r.Type === "CNAME");
  const chosen = (list: readonly ZoneInstance[]) =>
    dns.RoutingPolicy === "WEIGHTED" ? shuffle(list, random).slice(0, 1) : shuffle(list, random).slice(0, MULTIVALUE_MAX);
  if (cname) {
    const withName = live.filter((i) => i.attributes.AWS_INSTANCE_CNAME);
    return { records: chosen(withName).map((i) => ({ name, type: "CNAME", ttl: cname.TTL, value: normalizeName(i.attributes.AWS_INSTANCE_CNAME!) })) };
  }
  const rec = dns.DnsRecords.find((r) => r.Type === qtype);
  if (!rec || (qtype !== "A" && qtype !== "AAAA" && qtype !== "SRV")) return { records: [] };
  if (qtype === "SRV") {
    const picked = chosen(live.filter((i) => i.attributes.AWS_INSTANCE_PORT));
    const records: Record[] = picked.map((i) => ({
      name,
      type: "SRV",
      ttl: rec.TTL,
      value: { priority: 1, weight: 1, port: Number(i.attributes.AWS_INSTANCE_PORT), target: `${i.id.toLowerCase()}.${name}` },
    }));
    const additional = picked.flatMap((i) => [
      ...addressRecords(`${i.id.toLowerCase()}.${name}`, i, "A", rec.TTL),
      ...addressRecords(`${i.id.toLowerCase()}.${name}`, i, "AAAA", rec.TTL),
    ]);
    return additional.length > 0 ? { records, additional } : { records };
  }
  const attr = qtype === "A" ? "AWS_INSTANCE_IPV4" : "AWS_INSTANCE_IPV6";
  return { records: chosen(live.filter((i) => i.attributes[attr])).flatMap((i) => addressRecords(name, i, qtype, rec.TTL)) };
}
