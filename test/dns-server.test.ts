import { CreateLoadBalancerCommand, DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { Resolver } from "node:dns/promises";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { dnsExchange, DNS_RELAY_OPTION, relayOptionData } from "../src/contracts/dns-relay.js";
import { encodeMessage } from "../src/core/dns/encode.js";
import { CLASS_IN, emptyFlags, RCODE, TYPE } from "../src/core/dns/message.js";
import { parseMessage } from "../src/core/dns/parse.js";
import { cleanupStack } from "./helpers/cleanup.js";
import { MemoryDnsSource } from "./helpers/dns-memory-source.js";
import { StubUpstream } from "./helpers/dns-stub-upstream.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { RecordingLbPlane } from "./helpers/recording-lb-plane.js";

const run = promisify(execFile);

/**
 * Wharf's DNS server as users meet it: the real `dig` and node's dns.Resolver against a started
 * Wharf, with an in-memory namespace injected as a record source, load balancers' DNSNames from
 * the ELBv2 API for real, other names forwarded to the resolv.conf's nameserver (a stub upstream
 * on a loopback address), and the agents' relay option (signed VPC claims).
 */
describe("Wharf's DNS server (dig, node's resolver)", () => {
  const defer = cleanupStack(after);
  let h: TestWharf;
  let dir = "";
  let resolvConf = "";
  const upstream = new StubUpstream({ "www.example.test": "192.0.2.7" });
  const ns = new MemoryDnsSource("internal.local", [
    { name: "api.internal.local", type: "SRV", ttl: 15, value: { priority: 1, weight: 1, port: 8080, target: "i-1.api.internal.local" } },
    { name: "api.internal.local", type: "SRV", ttl: 15, value: { priority: 1, weight: 1, port: 8081, target: "i-2.api.internal.local" } },
    { name: "api.internal.local", type: "A", ttl: 15, value: "10.9.0.11" },
    { name: "api.internal.local", type: "A", ttl: 15, value: "10.9.0.12" },
    { name: "i-1.api.internal.local", type: "A", ttl: 15, value: "10.9.0.11" },
    { name: "i-2.api.internal.local", type: "A", ttl: 15, value: "10.9.0.12" },
  ]);
  const privateNs = new MemoryDnsSource("corp.private", [{ name: "db.corp.private", type: "A", ttl: 20, value: "10.9.1.5" }], { vpcIds: ["vpc-0123456789abcdef0"] });
  let server = { address: "", port: 0 };
  const dig = async (...args: string[]) => (await run("dig", [`@${server.address}`, "-p", String(server.port), "+time=5", "+tries=1", ...args])).stdout;

  before(async () => {
    defer(() => dir && rmSync(dir, { recursive: true, force: true }));
    dir = mkdtempSync(join(tmpdir(), "wharf-dns-"));
    defer(() => upstream.close());
    await upstream.start();
    resolvConf = join(dir, "resolv.conf");
    writeFileSync(resolvConf, `# test resolver\nsearch example.test\nnameserver ${upstream.address}\n`);
    defer(() => h?.close());
    h = await startTestWharf({ server: { serviceController: false, lbDataPlane: new RecordingLbPlane(), extraDnsSources: [ns, privateNs], dnsUpstream: { resolvConf, timeoutMs: 1000 } } });
    assert.ok(h.server.dns, "the server runs its DNS server");
    server = h.server.dns!;
  });

  it("dig SRV lists the namespace's ports, with the targets' addresses as additional records", async () => {
    const out = await dig("SRV", "api.internal.local");
    assert.match(out, /status: NOERROR/);
    assert.match(out, /flags: qr aa rd ra;/);
    assert.match(out, /api\.internal\.local\.\s+15\s+IN\s+SRV\s+1 1 8080 i-1\.api\.internal\.local\./);
    assert.match(out, /api\.internal\.local\.\s+15\s+IN\s+SRV\s+1 1 8081 i-2\.api\.internal\.local\./);
    assert.match(out, /i-1\.api\.internal\.local\.\s+15\s+IN\s+A\s+10\.9\.0\.11/);
    const short = (await dig("+short", "SRV", "api.internal.local")).trim().split("\n").sort();
    assert.deepEqual(short, ["1 1 8080 i-1.api.internal.local.", "1 1 8081 i-2.api.internal.local."]);
    const tcp = (await dig("+tcp", "+short", "A", "api.internal.local")).trim().split("\n").sort();
    assert.deepEqual(tcp, ["10.9.0.11", "10.9.0.12"]);
  });

  it("node's dns.Resolver resolves A and SRV, NXDOMAIN is ENOTFOUND, another type NODATA", async () => {
    const r = new Resolver({ timeout: 5000, tries: 1 });
    r.setServers([`${server.address}:${server.port}`]);
    assert.deepEqual((await r.resolve4("api.internal.local")).sort(), ["10.9.0.11", "10.9.0.12"]);
    assert.deepEqual((await r.resolveSrv("api.internal.local")).map((s) => s.port).sort(), [8080, 8081]);
    await assert.rejects(r.resolve4("nope.internal.local"), (e: NodeJS.ErrnoException) => e.code === "ENOTFOUND");
    await assert.rejects(r.resolveTxt("api.internal.local"), (e: NodeJS.ErrnoException) => e.code === "ENODATA");
    const nx = await dig("A", "nope.internal.local");
    assert.match(nx, /status: NXDOMAIN/);
    assert.match(nx, /internal\.local\.\s+30\s+IN\s+SOA\s+ns\.internal\.local\. hostmaster\.internal\.local\./);
  });

  it("a load balancer's DNSName resolves to its listener address", async () => {
    const elb = new ElasticLoadBalancingV2Client({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    const subnets = (await h.ec2.send(new DescribeSubnetsCommand({}))).Subnets ?? [];
    const twoZones = [...new Map(subnets.map((s) => [s.AvailabilityZone, s.SubnetId!])).values()].slice(0, 2);
    assert.equal(twoZones.length, 2, "the default VPC has subnets in two zones");
    const created = (await elb.send(new CreateLoadBalancerCommand({ Name: "dns-web", Subnets: twoZones }))).LoadBalancers![0]!;
    const described = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["dns-web"] }))).LoadBalancers![0]!;
    const address = described.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;
    assert.ok(address.startsWith(`${h.lbAddressPrefix}.`), address);
    const out = await dig("A", created.DNSName!);
    assert.match(out, /status: NOERROR/);
    assert.equal((await dig("+short", "A", created.DNSName!)).trim(), address);
    assert.match(out, new RegExp(`${created.DNSName!.replace(/\./g, "\\.")}\\.\\s+60\\s+IN\\s+A\\s+${address.replace(/\./g, "\\.")}`));
    const r = new Resolver({ timeout: 5000, tries: 1 });
    r.setServers([`${server.address}:${server.port}`]);
    assert.deepEqual(await r.resolve4(created.DNSName!.toUpperCase()), [address]);
    assert.match(await dig("A", `gone-1234567890.us-east-1.elb.localhost`), /status: NXDOMAIN/);
    assert.match(await dig("AAAA", created.DNSName!), /status: NOERROR[\s\S]*ANSWER: 0/);
  });

  it("forwards other names to resolv.conf's nameserver with the client's id, and SERVFAILs when it does not answer", async () => {
    const out = await dig("A", "www.example.test");
    assert.match(out, /www\.example\.test\.\s+77\s+IN\s+A\s+192\.0\.2\.7/);
    const id = Number(/id: (\d+)/.exec(out)![1]);
    assert.ok(upstream.seen.some((s) => s.id === id && s.name === "www.example.test"), `the upstream saw id ${id}: ${JSON.stringify(upstream.seen)}`);
    assert.match(await dig("A", "missing.example.test"), /status: NXDOMAIN/);
    // The file is read at each forward: point it at an address where nothing answers.
    writeFileSync(resolvConf, "nameserver 127.0.0.1\n".replace("127.0.0.1", `127.49.${1 + Math.floor(Math.random() * 250)}.9`));
    const failed = await dig("A", "www.example.test");
    assert.match(failed, /status: SERVFAIL/);
    writeFileSync(resolvConf, `nameserver ${upstream.address}\n`);
  });

  it("a relayed query's signed VPC reaches the sources (a private namespace answers only it); a bad signature is REFUSED", async () => {
    const query = (id: number, name: string, option?: Uint8Array) =>
      encodeMessage({
        id,
        flags: { ...emptyFlags(), rd: true },
        questions: [{ name, type: TYPE.A, class: CLASS_IN }],
        answers: [],
        authority: [],
        additional: [],
        edns: { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, zFlags: 0, options: option ? [{ code: DNS_RELAY_OPTION, data: option }] : [] },
      });
    const ask = async (bytes: Uint8Array) => {
      const p = parseMessage(await dnsExchange(server, bytes, "udp", 5000));
      assert.ok(p.ok);
      return p.message;
    };
    const keys = h.server.credentials;
    const vpc = "vpc-0123456789abcdef0";
    const relayed = await ask(query(4242, "db.corp.private", relayOptionData(keys, { id: 4242, qname: "db.corp.private", qtype: TYPE.A }, vpc)));
    assert.equal(relayed.flags.rcode, RCODE.NOERROR);
    assert.deepEqual(relayed.answers.map((a) => a.data), [{ kind: "A", address: "10.9.1.5" }]);
    assert.equal(privateNs.clients.at(-1)?.vpcId, vpc);
    // The host (no option) does not see the private zone: the name goes to the upstream, which does not know it.
    assert.equal((await ask(query(4243, "db.corp.private"))).flags.rcode, RCODE.NXDOMAIN);
    // Another VPC's claim, signed: forwarded too, and the option never reaches the upstream.
    const other = await ask(query(4244, "db.corp.private", relayOptionData(keys, { id: 4244, qname: "db.corp.private", qtype: TYPE.A }, "vpc-0aaaaaaaaaaaaaaaa")));
    assert.equal(other.flags.rcode, RCODE.NXDOMAIN);
    assert.ok(upstream.seen.filter((s) => s.id === 4244).every((s) => !s.optionCodes.includes(DNS_RELAY_OPTION)));
    assert.ok(upstream.seen.some((s) => s.id === 4244));
    // A claim signed for another id (a replayed option), or with a key Wharf does not know: REFUSED.
    const replayed = await ask(query(4245, "db.corp.private", relayOptionData(keys, { id: 4242, qname: "db.corp.private", qtype: TYPE.A }, vpc)));
    assert.equal(replayed.flags.rcode, RCODE.REFUSED);
    const stranger = await ask(query(4246, "db.corp.private", relayOptionData({ accessKeyId: "AKIAEXAMPLEEXAMPLE00", secretAccessKey: "x" }, { id: 4246, qname: "db.corp.private", qtype: TYPE.A }, vpc)));
    assert.equal(stranger.flags.rcode, RCODE.REFUSED);
  });

  it("malformed queries answer FORMERR with their id; other opcodes NOTIMP", async () => {
    const junk = Uint8Array.from([0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x3f, 0x61]);
    const formerr = parseMessage(await dnsExchange(server, junk, "udp", 5000));
    assert.ok(formerr.ok);
    assert.equal(formerr.message.id, 0xbeef);
    assert.equal(formerr.message.flags.rcode, RCODE.FORMERR);
    const notify = encodeMessage({ id: 77, flags: { ...emptyFlags(), opcode: 4 }, questions: [{ name: "internal.local", type: TYPE.SOA, class: CLASS_IN }], answers: [], authority: [], additional: [] });
    const notimp = parseMessage(await dnsExchange(server, notify, "tcp", 5000));
    assert.ok(notimp.ok && notimp.message.flags.rcode === RCODE.NOTIMP);
  });
});
