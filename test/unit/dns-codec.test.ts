import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { encodeMessage, ipv6Bytes } from "../../src/core/dns/encode.js";
import { CLASS_IN, type DnsMessage, emptyFlags, RCODE, type ResourceRecord, TYPE } from "../../src/core/dns/message.js";
import { labelText } from "../../src/core/dns/names.js";
import { ipv6Text, parseMessage } from "../../src/core/dns/parse.js";
import { errorReply, MAX_ANSWERS, planQuery, replyLimit, SERVER_UDP_SIZE, zoneReply, type ZoneLookup } from "../../src/core/dns/respond.js";

const label = fc.oneof(
  fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/),
  // Any bytes, in their one presentation form (labelText: `\.`, `\\`, `\DDD`).
  fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => labelText(b)),
);
const name = fc.array(label, { minLength: 0, maxLength: 5 }).map((ls) => ls.join("."));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."));
const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => ipv6Text(b));
const u16 = fc.nat(0xffff);
const u32 = fc.nat(0xffffffff);

const record: fc.Arbitrary<ResourceRecord> = fc.oneof(
  fc.record({ name, ttl: u32, address: ipv4 }).map((r) => ({ name: r.name, type: TYPE.A, class: CLASS_IN, ttl: r.ttl, data: { kind: "A" as const, address: r.address } })),
  fc.record({ name, ttl: u32, address: ipv6 }).map((r) => ({ name: r.name, type: TYPE.AAAA, class: CLASS_IN, ttl: r.ttl, data: { kind: "AAAA" as const, address: r.address } })),
  fc.record({ name, ttl: u32, host: name, type: fc.constantFrom(TYPE.CNAME, TYPE.NS, TYPE.PTR) }).map((r) => ({ name: r.name, type: r.type, class: CLASS_IN, ttl: r.ttl, data: { kind: "host" as const, host: r.host } })),
  fc.record({ name, ttl: u32, priority: u16, weight: u16, port: u16, target: name }).map((r) => ({
    name: r.name,
    type: TYPE.SRV,
    class: CLASS_IN,
    ttl: r.ttl,
    data: { kind: "SRV" as const, priority: r.priority, weight: r.weight, port: r.port, target: r.target },
  })),
  fc.record({ name, ttl: u32, mname: name, rname: name, serial: u32, refresh: u32, retry: u32, expire: u32, minimum: u32 }).map(({ name: n, ttl, ...soa }) => ({ name: n, type: TYPE.SOA, class: CLASS_IN, ttl, data: { kind: "SOA" as const, ...soa } })),
  fc.record({ name, ttl: u32, type: fc.constantFrom(TYPE.TXT, TYPE.MX, 99, 65280), data: fc.uint8Array({ maxLength: 40 }) }).map((r) => ({ name: r.name, type: r.type, class: CLASS_IN, ttl: r.ttl, data: { kind: "raw" as const, data: r.data } })),
);

const message: fc.Arbitrary<DnsMessage> = fc.record({
  id: u16,
  flags: fc.record({ qr: fc.boolean(), opcode: fc.nat(15), aa: fc.boolean(), tc: fc.constant(false), rd: fc.boolean(), ra: fc.boolean(), z: fc.boolean(), ad: fc.boolean(), cd: fc.boolean(), rcode: fc.nat(15) }),
  questions: fc.array(fc.record({ name, type: u16.filter((t) => t !== TYPE.OPT), class: u16 }), { maxLength: 2 }),
  answers: fc.array(record, { maxLength: 6 }),
  authority: fc.array(record, { maxLength: 3 }),
  additional: fc.array(record, { maxLength: 3 }),
  edns: fc.option(
    fc.record({
      udpSize: u16,
      extendedRcode: fc.nat(255),
      version: fc.nat(255),
      dnssecOk: fc.boolean(),
      zFlags: fc.nat(0x7fff),
      options: fc.array(fc.record({ code: u16, data: fc.uint8Array({ maxLength: 20 }) }), { maxLength: 3 }),
    }),
    { nil: undefined },
  ),
}).map((m) => {
  if (m.edns === undefined) delete (m as { edns?: unknown }).edns;
  return m as DnsMessage;
});

/** Names compare case-insensitively only when compressed against an earlier copy of another case; the generated ones keep their case, so equality is exact. */
const normal = (m: DnsMessage) => JSON.parse(JSON.stringify(m, (_k, v) => (v instanceof Uint8Array ? [...v] : v)));

describe("DNS codec", () => {
  it("parse ∘ encode is the identity on messages that fit", () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodeMessage(m);
        const back = parseMessage(bytes);
        assert.ok(back.ok, !back.ok ? back.reason : "");
        // Compression matches names case-insensitively: compare folded when two names differ only by case.
        assert.deepEqual(normal(back.message).id, m.id);
        assert.equal(back.message.answers.length, m.answers.length);
        assert.deepEqual(
          normal({ ...back.message, questions: [], answers: [], authority: [], additional: [] }),
          normal({ ...m, questions: [], answers: [], authority: [], additional: [] }),
        );
        const fold = (x: unknown) => JSON.stringify(normal(x as DnsMessage)).toLowerCase();
        assert.equal(fold(back.message), fold(m));
      }),
      { numRuns: 2000 },
    );
  });

  it("hostile bytes never throw: the plan is a drop, a FORMERR-or-other reply, or a lookup", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const plan = planQuery(bytes);
        if (plan.kind === "reply") {
          const out = encodeMessage(plan.message, { maxSize: replyLimit(plan.message, "udp") });
          assert.ok(parseMessage(out).ok);
          if (bytes.length >= 2) assert.equal((out[0]! << 8) | out[1]!, (bytes[0]! << 8) | bytes[1]!);
        }
        if (plan.kind === "drop") assert.ok(bytes.length < 12 || (bytes[2]! & 0x80) !== 0 || !parseMessage(bytes).ok || plan.reason.length > 0);
      }),
      { numRuns: 20000 },
    );
  });

  it("mutated real queries never throw, and a malformed one is FORMERR with its id", () => {
    const q = encodeMessage({ id: 0x1234, flags: { ...emptyFlags(), rd: true }, questions: [{ name: "api.internal.local", type: TYPE.SRV, class: CLASS_IN }], answers: [], authority: [], additional: [], edns: { udpSize: 4096, extendedRcode: 0, version: 0, dnssecOk: false, zFlags: 0, options: [] } });
    fc.assert(
      fc.property(fc.nat(q.length - 1), fc.nat(255), fc.nat(q.length), (at, byte, cut) => {
        const m = Uint8Array.from(q);
        m[at] = byte;
        const plan = planQuery(m.subarray(0, Math.max(cut, 12)));
        if (plan.kind === "reply" && plan.message.flags.rcode === RCODE.FORMERR) assert.equal(plan.message.id, (m[0]! << 8) | m[1]!);
      }),
      { numRuns: 20000 },
    );
    const short = planQuery(q.subarray(0, 20));
    assert.equal(short.kind, "reply");
    assert.equal(short.kind === "reply" && short.message.flags.rcode, RCODE.FORMERR);
    assert.equal(short.kind === "reply" && short.message.id, 0x1234);
  });

  it("compression pointers: loops and forward pointers are FORMERR, backward ones read", () => {
    const header = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    const loop = Uint8Array.from([...header, 0xc0, 12, 0, 1, 0, 1]);
    assert.equal(parseMessage(loop).ok, false);
    const forward = Uint8Array.from([...header, 0xc0, 20, 0, 1, 0, 1, 0, 0, 0]);
    assert.equal(parseMessage(forward).ok, false);
    const m = encodeMessage({ id: 1, flags: emptyFlags(), questions: [{ name: "a.example.com", type: 1, class: 1 }], answers: [{ name: "b.example.com", type: 1, class: 1, ttl: 5, data: { kind: "A", address: "1.2.3.4" } }], authority: [], additional: [] });
    const p = parseMessage(m);
    assert.ok(p.ok);
    assert.equal(p.message.answers[0]!.name, "b.example.com");
    // "example.com" is written once: the answer's owner is one label and a pointer.
    assert.equal(m.length, 12 + 15 + 4 + (1 + 1 + 2) + 10 + 4);
  });

  it("names with escapes round-trip; AAAA text is RFC 5952", () => {
    assert.equal(ipv6Text(ipv6Bytes("2001:db8:0:0:0:0:2:1")), "2001:db8::2:1");
    assert.equal(ipv6Text(ipv6Bytes("::ffff:10.0.0.1")), "::ffff:a00:1");
    assert.equal(ipv6Text(ipv6Bytes("::")), "::");
    const odd = "a\\.b.c\\092d.\\000";
    const m = encodeMessage({ id: 9, flags: emptyFlags(), questions: [{ name: odd, type: 1, class: 1 }], answers: [], authority: [], additional: [] });
    const p = parseMessage(m);
    assert.ok(p.ok);
    assert.equal(p.message.questions[0]!.name, "a\\.b.c\\\\d.\\000");
  });

  it("truncation: what does not fit sets TC over UDP; additional records are dropped without it", () => {
    const big: DnsMessage = {
      id: 7,
      flags: { ...emptyFlags(), qr: true },
      questions: [{ name: "api.internal.local", type: TYPE.A, class: CLASS_IN }],
      answers: Array.from({ length: 60 }, (_, i) => ({ name: "api.internal.local", type: TYPE.A, class: CLASS_IN, ttl: 30, data: { kind: "A" as const, address: `10.0.${i}.1` } })),
      authority: [],
      additional: [],
    };
    const udp = encodeMessage(big, { maxSize: 512 });
    assert.ok(udp.length <= 512);
    const p = parseMessage(udp);
    assert.ok(p.ok && p.message.flags.tc && p.message.answers.length < 60 && p.message.answers.length > 0);
    const tcp = parseMessage(encodeMessage(big));
    assert.ok(tcp.ok && !tcp.message.flags.tc && tcp.message.answers.length === 60);
    const extra = { ...big, answers: big.answers.slice(0, 2), additional: big.answers.slice(2) };
    const e = parseMessage(encodeMessage(extra, { maxSize: 512 }));
    assert.ok(e.ok && !e.message.flags.tc && e.message.answers.length === 2 && e.message.additional.length < 58);
    // With EDNS the OPT record always stays.
    const withOpt = parseMessage(encodeMessage({ ...big, edns: { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, zFlags: 0, options: [] } }, { maxSize: 512 }));
    assert.ok(withOpt.ok && withOpt.message.edns && withOpt.message.flags.tc);
  });
});

describe("DNS query plan and zone answers", () => {
  const query = (over: Partial<DnsMessage> = {}) =>
    encodeMessage({ id: 42, flags: { ...emptyFlags(), rd: true }, questions: [{ name: "Api.Internal.Local", type: TYPE.A, class: CLASS_IN }], answers: [], authority: [], additional: [], ...over });
  const soa = { mname: "ns.internal.local", rname: "hostmaster.internal.local", serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 15 };

  it("refuses what it does not serve with the right codes", () => {
    const code = (bytes: Uint8Array) => {
      const p = planQuery(bytes);
      assert.equal(p.kind, "reply");
      return p.kind === "reply" ? p.message.flags.rcode | ((p.message.edns?.extendedRcode ?? 0) << 4) : -1;
    };
    assert.equal(code(query({ flags: { ...emptyFlags(), opcode: 2 } })), RCODE.NOTIMP);
    assert.equal(code(query({ questions: [] })), RCODE.FORMERR);
    assert.equal(code(query({ questions: [{ name: "a", type: 1, class: 1 }, { name: "b", type: 1, class: 1 }] })), RCODE.FORMERR);
    assert.equal(code(query({ questions: [{ name: "a", type: 1, class: 3 }] })), RCODE.REFUSED);
    assert.equal(code(query({ questions: [{ name: "a", type: TYPE.AXFR, class: 1 }] })), RCODE.REFUSED);
    assert.equal(code(query({ edns: { udpSize: 1232, extendedRcode: 0, version: 1, dnssecOk: false, zFlags: 0, options: [] } })), RCODE.BADVERS);
    assert.equal(planQuery(query({ flags: { ...emptyFlags(), qr: true } })).kind, "drop");
  });

  it("answers at most eight of many records, owner in the asker's case, NXDOMAIN and NODATA with the zone's SOA", () => {
    const plan = planQuery(query());
    assert.equal(plan.kind, "lookup");
    if (plan.kind !== "lookup") return;
    assert.equal(plan.qname, "api.internal.local");
    const records = Array.from({ length: 20 }, (_, i) => ({ name: "api.internal.local", type: "A" as const, ttl: 10, value: `10.1.0.${i}` }));
    const found: ZoneLookup = { kind: "answer", records, zone: { name: "internal.local", soa } };
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const reply = zoneReply(plan, found as Exclude<ZoneLookup, { kind: "foreign" }>, random);
    assert.equal(reply.answers.length, MAX_ANSWERS);
    assert.equal(new Set(reply.answers.map((a) => (a.data as { address: string }).address)).size, MAX_ANSWERS);
    assert.ok(reply.answers.every((a) => a.name === "Api.Internal.Local" && a.ttl === 10));
    assert.ok(reply.flags.aa && reply.flags.qr && reply.flags.rd && reply.flags.ra);
    const nx = zoneReply(plan, { kind: "nxdomain", zone: { name: "internal.local", soa } }, random);
    assert.equal(nx.flags.rcode, RCODE.NXDOMAIN);
    assert.equal(nx.authority[0]!.type, TYPE.SOA);
    assert.equal(nx.authority[0]!.ttl, 15);
    const nodata = zoneReply(plan, { kind: "answer", records: [], zone: { name: "internal.local", soa } }, random);
    assert.equal(nodata.flags.rcode, RCODE.NOERROR);
    assert.equal(nodata.answers.length, 0);
    assert.equal(nodata.authority.length, 1);
  });

  it("a type the sources do not hold asks A and answers NODATA; UDP limits follow EDNS", () => {
    const plan = planQuery(query({ questions: [{ name: "api.internal.local", type: TYPE.TXT, class: CLASS_IN }] }));
    assert.ok(plan.kind === "lookup" && plan.ask === "A" && plan.types.length === 0);
    const withEdns = parseMessage(query({ edns: { udpSize: 4096, extendedRcode: 0, version: 0, dnssecOk: true, zFlags: 0, options: [] } }));
    assert.ok(withEdns.ok);
    assert.equal(replyLimit(withEdns.message, "udp"), SERVER_UDP_SIZE);
    assert.equal(replyLimit(undefined, "udp"), 512);
    assert.equal(replyLimit(withEdns.message, "tcp"), 65535);
    const err = errorReply(withEdns.message, RCODE.SERVFAIL);
    assert.ok(err.edns?.dnssecOk, "DO is copied (RFC 3225)");
  });
});
