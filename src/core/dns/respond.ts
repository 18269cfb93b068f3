import { CLASS_IN, type DnsMessage, type Edns, foldName, OPCODE_QUERY, type Question, RCODE, type RData, type ResourceRecord, TYPE } from "./message.js";
import { MAX_TCP_MESSAGE, MIN_UDP_MESSAGE } from "./encode.js";
import { parseMessage } from "./parse.js";
import type { DnsLookup, DnsRecordAnswer, DnsRecordType, SoaValue } from "./records.js";

/**
 * What Wharf's DNS server decides about a query, purely: refuse it, or which record type to
 * ask the record sources, and the answer built from what a source said (the shapes of records.ts).
 */
export type ZoneRecordType = DnsRecordType;
export type ZoneSoa = SoaValue;
export type ZoneRecord = DnsRecordAnswer;
export type ZoneLookup = DnsLookup;

/** The UDP payload size Wharf advertises and answers within (DNS Flag Day 2020's 1232: no fragments). */
export const SERVER_UDP_SIZE = 1232;
/** Route 53's MULTIVALUE answers: at most eight records of the asked type, chosen at random. */
export const MAX_ANSWERS = 8;

export type QueryPlan =
  /** Not worth an answer (too short to echo an id, or itself a response). */
  | { kind: "drop"; reason: string }
  /** Answered without asking anyone (FORMERR, NOTIMP, REFUSED, BADVERS). */
  | { kind: "reply"; message: DnsMessage; reason: string }
  /**
   * A query to answer: `qname` folded to lowercase without the trailing dot; `ask` the type to
   * ask the sources (a type they do not hold asks `A`, to learn whether the name is theirs: the
   * answer is then NODATA); `types` the record types that answer it.
   */
  | { kind: "lookup"; query: DnsMessage; question: Question; qname: string; ask: ZoneRecordType; types: ZoneRecordType[] };

const ZONE_TYPES: Record<number, ZoneRecordType> = { [TYPE.A]: "A", [TYPE.AAAA]: "AAAA", [TYPE.SRV]: "SRV", [TYPE.CNAME]: "CNAME", [TYPE.SOA]: "SOA", [TYPE.NS]: "NS" };
const TYPE_NUMBER: Record<ZoneRecordType, number> = { A: TYPE.A, AAAA: TYPE.AAAA, SRV: TYPE.SRV, CNAME: TYPE.CNAME, SOA: TYPE.SOA, NS: TYPE.NS };

export function planQuery(bytes: Uint8Array): QueryPlan {
  const parsed = parseMessage(bytes);
  if (!parsed.ok) {
    if (parsed.id === undefined || !parsed.flags) return { kind: "drop", reason: parsed.reason };
    if (parsed.flags.qr) return { kind: "drop", reason: "a response, not a query" };
    const shell: DnsMessage = { id: parsed.id, flags: { ...parsed.flags }, questions: [], answers: [], authority: [], additional: [] };
    return { kind: "reply", message: errorReply(shell, RCODE.FORMERR), reason: parsed.reason };
  }
  const q = parsed.message;
  if (q.flags.qr) return { kind: "drop", reason: "a response, not a query" };
  if (q.flags.opcode !== OPCODE_QUERY) return { kind: "reply", message: errorReply(q, RCODE.NOTIMP), reason: `opcode ${q.flags.opcode}` };
  if (q.questions.length !== 1) return { kind: "reply", message: errorReply(q, RCODE.FORMERR), reason: `${q.questions.length} questions` };
  if (q.edns && q.edns.version > 0) return { kind: "reply", message: errorReply(q, RCODE.BADVERS), reason: `EDNS version ${q.edns.version}` };
  const question = q.questions[0]!;
  if (question.type === TYPE.OPT) return { kind: "reply", message: errorReply(q, RCODE.FORMERR), reason: "a question for OPT" };
  if (question.class !== CLASS_IN && question.class !== 255) return { kind: "reply", message: errorReply(q, RCODE.REFUSED), reason: `class ${question.class}` };
  if (question.type === TYPE.AXFR || question.type === TYPE.IXFR) return { kind: "reply", message: errorReply(q, RCODE.REFUSED), reason: "zone transfer" };
  const own = ZONE_TYPES[question.type];
  const qname = foldName(question.name);
  if (own) return { kind: "lookup", query: q, question, qname, ask: own, types: own === "CNAME" ? ["CNAME"] : [own, "CNAME"] };
  // ANY: the A records (RFC 8482 lets a server answer ANY with a subset); other types: NODATA.
  return { kind: "lookup", query: q, question, qname, ask: "A", types: question.type === TYPE.ANY ? ["A", "CNAME"] : [] };
}

/** The reply's OPT record: present when the query had one (RFC 6891 §7), DO copied (RFC 3225). */
function replyEdns(query: DnsMessage, rcode: number): Edns | undefined {
  if (!query.edns) return undefined;
  return { udpSize: SERVER_UDP_SIZE, extendedRcode: rcode >> 4, version: 0, dnssecOk: query.edns.dnssecOk, zFlags: 0, options: [] };
}

function replyShell(query: DnsMessage, rcode: number, aa: boolean): DnsMessage {
  const edns = replyEdns(query, rcode);
  return {
    id: query.id,
    flags: { qr: true, opcode: query.flags.opcode, aa, tc: false, rd: query.flags.rd, ra: true, z: false, ad: false, cd: query.flags.cd, rcode: rcode & 0xf },
    questions: query.questions.slice(0, 1),
    answers: [],
    authority: [],
    additional: [],
    ...(edns ? { edns } : {}),
  };
}

/** An answer with only a code (the question echoed; BADVERS needs the OPT record, which the query had). */
export function errorReply(query: DnsMessage, rcode: number): DnsMessage {
  return replyShell(query, rcode, false);
}

/** The answer from the first source that knew the name. `random` picks which eight when there are more. */
export function zoneReply(plan: Extract<QueryPlan, { kind: "lookup" }>, lookup: Exclude<ZoneLookup, { kind: "foreign" }>, random: () => number): DnsMessage {
  const nx = lookup.kind === "nxdomain";
  const msg = replyShell(plan.query, nx ? RCODE.NXDOMAIN : RCODE.NOERROR, true);
  const asked = plan.question.name;
  const owner = (name: string) => (foldName(name) === plan.qname ? asked : name);
  const soaRecord = (): ResourceRecord => ({
    name: lookup.zone.name,
    type: TYPE.SOA,
    class: CLASS_IN,
    ttl: lookup.zone.soa.minimum,
    data: { kind: "SOA", ...lookup.zone.soa },
  });
  if (lookup.kind === "answer") {
    const wanted = lookup.records.filter((r) => plan.types.includes(r.type));
    const main = wanted.filter((r) => r.type !== "CNAME");
    const chosen = [...wanted.filter((r) => r.type === "CNAME"), ...pick(main, MAX_ANSWERS, random)];
    msg.answers = chosen.map((r) => recordOf(r, owner(r.name)));
    if (chosen.length) {
      const targets = new Set(chosen.flatMap((r) => (r.type === "SRV" && typeof r.value === "object" && "target" in r.value ? [foldName(r.value.target)] : [])));
      const extra = (lookup.additional ?? []).filter((r) => plan.ask !== "SRV" || targets.has(foldName(r.name)));
      msg.additional = extra.map((r) => recordOf(r, r.name));
    } else msg.authority = [soaRecord()];
  } else msg.authority = [soaRecord()];
  return msg;
}

function pick<T>(items: T[], n: number, random: () => number): T[] {
  if (items.length <= n) return items;
  const a = items.slice();
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, n);
}

function recordOf(r: ZoneRecord, name: string): ResourceRecord {
  return { name, type: TYPE_NUMBER[r.type], class: CLASS_IN, ttl: r.ttl, data: dataOf(r) };
}

function dataOf(r: ZoneRecord): RData {
  const v = r.value;
  switch (r.type) {
    case "A":
    case "AAAA":
      return { kind: r.type, address: String(v) };
    case "CNAME":
    case "NS":
      return { kind: "host", host: String(v) };
    case "SRV": {
      const s = v as { priority: number; weight: number; port: number; target: string };
      return { kind: "SRV", priority: s.priority, weight: s.weight, port: s.port, target: s.target };
    }
    case "SOA":
      return { kind: "SOA", ...(v as ZoneSoa) };
  }
}

/** How large an answer may be: 65535 over TCP; over UDP 512, or the client's EDNS size up to SERVER_UDP_SIZE. */
export function replyLimit(query: DnsMessage | undefined, transport: "udp" | "tcp"): number {
  if (transport === "tcp") return MAX_TCP_MESSAGE;
  const size = query?.edns?.udpSize ?? MIN_UDP_MESSAGE;
  return Math.max(MIN_UDP_MESSAGE, Math.min(size, SERVER_UDP_SIZE));
}
