import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DnsRelay } from "../src/agent/dns/relay.js";
import { dnsExchange, DNS_RELAY_OPTION, relayOptionData } from "../src/contracts/dns-relay.js";
import { encodeMessage } from "../src/core/dns/encode.js";
import { CLASS_IN, type Edns, emptyFlags, RCODE, TYPE } from "../src/core/dns/message.js";
import { parseMessage } from "../src/core/dns/parse.js";
import { type DnsServer, startDnsServer } from "../src/dns/server.js";
import { cleanupStack } from "./helpers/cleanup.js";
import { MemoryDnsSource } from "./helpers/dns-memory-source.js";

/**
 * The agent's DNS relay between a task and Wharf's DNS server, on loopback: the registered
 * address asks as its VPC, an unknown one as the host; a task's own relay option is replaced by
 * the relay's; a client without EDNS gets an answer without OPT; without a server, SERVFAIL.
 */
describe("the agent's DNS relay", () => {
  const defer = cleanupStack(after);
  const keys = { accessKeyId: "AKIAWHARFRELAYTEST00", secretAccessKey: "relay-secret" };
  const priv = new MemoryDnsSource("corp.private", [{ name: "db.corp.private", type: "A", ttl: 5, value: "10.8.0.5" }], { vpcIds: ["vpc-0aaaaaaaaaaaaaaa1"] });
  let server: DnsServer;
  let relay: DnsRelay;
  before(async () => {
    server = await startDnsServer({ sources: [priv], upstream: { nameservers: [] }, relaySecrets: (id) => (id === keys.accessKeyId ? keys.secretAccessKey : undefined) });
    defer(() => server.close());
    relay = await DnsRelay.start({ keys, host: "127.0.0.1" });
    defer(() => relay.close());
  });
  const query = (id: number, edns?: Edns) =>
    encodeMessage({ id, flags: { ...emptyFlags(), rd: true }, questions: [{ name: "db.corp.private", type: TYPE.A, class: CLASS_IN }], answers: [], authority: [], additional: [], ...(edns ? { edns } : {}) });
  const ask = async (bytes: Uint8Array, transport: "udp" | "tcp" = "udp") => {
    const p = parseMessage(await dnsExchange({ address: "127.0.0.1", port: relay.port }, bytes, transport, 5000));
    assert.ok(p.ok);
    return p.message;
  };

  it("without Wharf's DNS server known, answers SERVFAIL", async () => {
    assert.equal((await ask(query(1))).flags.rcode, RCODE.SERVFAIL);
  });

  it("a registered task asks as its VPC (UDP and TCP); a client without EDNS gets no OPT back", async () => {
    relay.setServer({ address: server.address, port: server.port });
    relay.register("arn:task/1", ["127.0.0.1"], "vpc-0aaaaaaaaaaaaaaa1");
    const udp = await ask(query(2));
    assert.equal(udp.flags.rcode, RCODE.NOERROR);
    assert.deepEqual(udp.answers.map((a) => a.data), [{ kind: "A", address: "10.8.0.5" }]);
    assert.equal(udp.edns, undefined);
    const tcp = await ask(query(3, { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, zFlags: 0, options: [] }), "tcp");
    assert.equal(tcp.answers.length, 1);
    assert.ok(tcp.edns);
    assert.equal(priv.clients.at(-1)?.vpcId, "vpc-0aaaaaaaaaaaaaaa1");
  });

  it("a task's own relay option is replaced, and an unregistered address asks as the host", async () => {
    relay.forget("arn:task/1");
    const forged = relayOptionData(keys, { id: 4, qname: "db.corp.private", qtype: TYPE.A }, "vpc-0aaaaaaaaaaaaaaa1");
    const reply = await ask(query(4, { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, zFlags: 0, options: [{ code: DNS_RELAY_OPTION, data: forged }] }));
    // The host does not see the private zone; with no upstream the name cannot be forwarded.
    assert.equal(reply.flags.rcode, RCODE.SERVFAIL);
    assert.equal(priv.clients.at(-1)?.vpcId, undefined);
  });
});
