import { createSocket, type Socket } from "node:dgram";
import { createServer, type Server, type Socket as TcpSocket } from "node:net";
import type { DnsClient, DnsLookup, DnsRecordSource } from "../contracts/dns-records.js";
import { dnsExchange, type DnsEndpoint, DNS_RELAY_OPTION, tcpFrame, tcpFramer, verifyRelayOption } from "../contracts/dns-relay.js";
import { encodeMessage } from "../core/dns/encode.js";
import { type DnsMessage, RCODE } from "../core/dns/message.js";
import { errorReply, planQuery, replyLimit, zoneReply } from "../core/dns/respond.js";
import { DEFAULT_RESOLV_CONF, readNameservers } from "./resolv-conf.js";

/** Wharf's DNS server (docs/dns.md): the sources' names, every other name forwarded to the host's resolver. */
export interface DnsServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** UDP and TCP on this one port; 0 (default) an ephemeral one. */
  port?: number;
  /** Asked in order; the first answer that is not "foreign" wins. */
  sources: DnsRecordSource[];
  /** Where names not ours go: these servers, else the `nameserver` lines of `resolvConf` (default /etc/resolv.conf). */
  upstream?: { nameservers?: DnsEndpoint[]; resolvConf?: string; timeoutMs?: number };
  /** Keys that sign relayed queries (the agents' Wharf keys, src/contracts/dns-relay.ts). Absent: relayed queries are refused. */
  relaySecrets?: (accessKeyId: string) => string | undefined;
  random?: () => number;
  log?: (line: Record<string, unknown>) => void;
}

export interface DnsServer {
  address: string;
  port: number;
  /** One query's answer bytes (undefined: none is sent). What the sockets call; tests may too. */
  answer(query: Uint8Array, transport: "udp" | "tcp", client: DnsClient): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

export const DEFAULT_UPSTREAM_TIMEOUT_MS = 2_000;
const TCP_IDLE_MS = 10_000;

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const host = opts.host ?? "127.0.0.1";
  const random = opts.random ?? Math.random;
  const log = opts.log;
  const timeoutMs = opts.upstream?.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  let self: DnsEndpoint = { address: host, port: 0 };
  const upstreams = (): DnsEndpoint[] =>
    (opts.upstream?.nameservers ?? readNameservers(opts.upstream?.resolvConf ?? DEFAULT_RESOLV_CONF)).filter((u) => !(u.port === self.port && u.address === self.address));

  async function answer(bytes: Uint8Array, transport: "udp" | "tcp", client: DnsClient): Promise<Uint8Array | undefined> {
    const plan = planQuery(bytes);
    if (plan.kind === "drop") return undefined;
    if (plan.kind === "reply") return encodeMessage(plan.message, { maxSize: replyLimit(plan.message, transport) });
    const q = plan.query;
    const limit = replyLimit(q, transport);
    const fail = (rcode: number) => encodeMessage(errorReply(q, rcode), { maxSize: limit });
    let forwardBytes = bytes;
    const relay = q.edns?.options.find((o) => o.code === DNS_RELAY_OPTION);
    let who: DnsClient = client;
    if (relay && q.edns) {
      const claim = opts.relaySecrets && verifyRelayOption(relay.data, { id: q.id, qname: plan.question.name, qtype: plan.question.type }, opts.relaySecrets);
      if (!claim) {
        log?.({ level: "warn", msg: "a relayed DNS query with a wrong signature was refused", client: client.address });
        return fail(RCODE.REFUSED);
      }
      who = { ...client, ...(claim.vpcId ? { vpcId: claim.vpcId } : {}) };
      const stripped: DnsMessage = { ...q, edns: { ...q.edns, options: q.edns.options.filter((o) => o.code !== DNS_RELAY_OPTION) } };
      stripped.flags = { ...q.flags };
      forwardBytes = encodeMessage(stripped);
    }
    for (const source of opts.sources) {
      let found: DnsLookup;
      try {
        found = await source.lookup(plan.qname, plan.ask, who);
      } catch (err) {
        log?.({ level: "error", msg: "a DNS record source failed", qname: plan.qname, err: String((err as Error)?.stack ?? err) });
        return fail(RCODE.SERVFAIL);
      }
      if (found.kind === "foreign") continue;
      try {
        return encodeMessage(zoneReply(plan, found, random), { maxSize: limit });
      } catch (err) {
        log?.({ level: "error", msg: "a DNS record source gave a record that cannot be written", qname: plan.qname, err: String(err) });
        return fail(RCODE.SERVFAIL);
      }
    }
    for (const up of upstreams()) {
      try {
        const reply = await dnsExchange(up, forwardBytes, transport, timeoutMs);
        return reply;
      } catch (err) {
        log?.({ level: "warn", msg: "DNS upstream did not answer", upstream: `${up.address}:${up.port}`, err: (err as Error).message });
      }
    }
    return fail(RCODE.SERVFAIL);
  }

  const { udp, tcp, port } = await bindBoth(host, opts.port ?? 0);
  self = { address: host, port };
  let closed = false;
  udp.on("message", (msg, rinfo) => {
    answer(new Uint8Array(msg), "udp", { address: rinfo.address }).then(
      (reply) => {
        if (!reply || closed) return;
        try {
          udp.send(reply, rinfo.port, rinfo.address);
        } catch {
          // closed meanwhile
        }
      },
      (err) => log?.({ level: "error", msg: "DNS query failed", err: String(err) }),
    );
  });
  const conns = new Set<TcpSocket>();
  tcp.on("connection", (sock) => {
    conns.add(sock);
    sock.on("close", () => conns.delete(sock));
    sock.setTimeout(TCP_IDLE_MS, () => sock.destroy());
    sock.on("error", () => undefined);
    sock.on(
      "data",
      tcpFramer((msg) => {
        answer(msg, "tcp", { address: sock.remoteAddress ?? "" }).then(
          (reply) => {
            if (reply && !sock.destroyed) sock.write(tcpFrame(reply));
          },
          (err) => log?.({ level: "error", msg: "DNS query failed", err: String(err) }),
        );
      }),
    );
  });
  return {
    address: host,
    port,
    answer,
    async close() {
      closed = true;
      await new Promise<void>((r) => udp.close(() => r()));
      const closing = new Promise<void>((r) => tcp.close(() => r()));
      for (const c of conns) c.destroy();
      await closing;
    },
  };
}

/** UDP and TCP on one port (an ephemeral port is taken by UDP first, then tried for TCP). */
async function bindBoth(host: string, port: number): Promise<{ udp: Socket; tcp: Server; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const udp = createSocket(host.includes(":") ? "udp6" : "udp4");
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(port, host, () => {
        udp.off("error", reject);
        resolve();
      });
    });
    udp.on("error", () => undefined);
    const bound = udp.address().port;
    const tcp = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(bound, host, () => {
          tcp.off("error", reject);
          resolve();
        });
      });
      return { udp, tcp, port: bound };
    } catch (err) {
      udp.close();
      if (port !== 0 || attempt >= 10) throw err;
    }
  }
}
