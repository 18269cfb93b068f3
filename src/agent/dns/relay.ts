import { createSocket, type Socket } from "node:dgram";
import { createServer, type Server, type Socket as TcpSocket } from "node:net";
import { dnsExchange, type DnsEndpoint, DNS_RELAY_OPTION, NO_VPC, relayOptionData, tcpFrame, tcpFramer } from "../../contracts/dns-relay.js";
import { encodeMessage, MIN_UDP_MESSAGE } from "../../core/dns/encode.js";
import { type DnsMessage, RCODE } from "../../core/dns/message.js";
import { parseMessage } from "../../core/dns/parse.js";
import { errorReply } from "../../core/dns/respond.js";

/** How long the relay waits for Wharf's DNS server (which itself gives up on upstreams sooner). */
const RELAY_TIMEOUT_MS = 4_000;
const TCP_IDLE_MS = 10_000;

/**
 * The agent's DNS relay (docs/dns.md): tasks' queries to 169.254.169.253:53 arrive here (DNAT,
 * redirect.ts) and go to Wharf's DNS server with the asking task's VPC, signed
 * (src/contracts/dns-relay.ts). A task is known by its address (an awsvpc task's ENI address,
 * registered at set-up); an address not registered asks as the host, which sees no private
 * namespace. Listens on 0.0.0.0:<ephemeral>, UDP and TCP on one port, like the metadata endpoint.
 */
export class DnsRelay {
  private server?: DnsEndpoint;
  private closed = false;
  private readonly conns = new Set<TcpSocket>();
  private readonly byAddress = new Map<string, { taskArn: string; vpcId: string }>();

  private constructor(
    private readonly udp: Socket,
    private readonly tcp: Server,
    readonly port: number,
    private readonly keys: { accessKeyId: string; secretAccessKey: string },
    private readonly log: (line: Record<string, unknown>) => void,
  ) {}

  static async start(o: { keys: { accessKeyId: string; secretAccessKey: string }; host?: string; log?: (line: Record<string, unknown>) => void }): Promise<DnsRelay> {
    const host = o.host ?? "0.0.0.0";
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket("udp4");
      await new Promise<void>((resolve, reject) => {
        udp.once("error", reject);
        udp.bind(0, host, () => resolve());
      });
      const port = udp.address().port;
      const tcp = createServer();
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once("error", reject);
          tcp.listen(port, host, () => resolve());
        });
      } catch (err) {
        udp.close();
        if (attempt > 10) throw err;
        continue;
      }
      const relay = new DnsRelay(udp, tcp, port, o.keys, o.log ?? (() => undefined));
      relay.listen();
      return relay;
    }
  }

  /** Wharf's DNS server, from the poll answers (undefined: the control plane runs none). */
  setServer(server: DnsEndpoint | undefined): void {
    if (server?.address !== this.server?.address || server?.port !== this.server?.port) this.log({ msg: "DNS relay forwards to", server });
    this.server = server;
  }

  get hasServer(): boolean {
    return !!this.server;
  }

  /** A task's addresses and VPC (awsvpc: its ENI's). */
  register(taskArn: string, addresses: string[], vpcId: string | undefined): void {
    for (const a of addresses) this.byAddress.set(a, { taskArn, vpcId: vpcId ?? NO_VPC });
  }

  forget(taskArn: string): void {
    for (const [a, t] of this.byAddress) if (t.taskArn === taskArn) this.byAddress.delete(a);
  }

  private listen(): void {
    this.udp.on("error", (err) => this.log({ level: "warn", msg: "DNS relay socket error", error: err.message }));
    this.udp.on("message", (msg, rinfo) => {
      void this.relay(new Uint8Array(msg), "udp", rinfo.address).then((reply) => {
        if (!reply || this.closed) return;
        try {
          this.udp.send(reply, rinfo.port, rinfo.address);
        } catch {
          // closed meanwhile
        }
      });
    });
    this.tcp.on("connection", (sock) => {
      this.conns.add(sock);
      sock.on("close", () => this.conns.delete(sock));
      sock.setTimeout(TCP_IDLE_MS, () => sock.destroy());
      sock.on("error", () => undefined);
      sock.on(
        "data",
        tcpFramer((msg) => {
          void this.relay(msg, "tcp", sock.remoteAddress?.replace(/^::ffff:/, "") ?? "").then((reply) => {
            if (reply && !sock.destroyed) sock.write(tcpFrame(reply));
          });
        }),
      );
    });
  }

  /** One query from a task: its answer bytes (undefined: none). Never throws. */
  async relay(bytes: Uint8Array, transport: "udp" | "tcp", from: string): Promise<Uint8Array | undefined> {
    const parsed = parseMessage(bytes);
    const server = this.server;
    if (!parsed.ok) return server ? this.exchange(server, bytes, transport) : undefined;
    const q = parsed.message;
    if (q.flags.qr) return undefined;
    const question = q.questions[0];
    if (!server || !question) return server ? this.exchange(server, bytes, transport) : encodeMessage(errorReply(q, RCODE.SERVFAIL));
    const vpcId = this.byAddress.get(from)?.vpcId ?? NO_VPC;
    const data = relayOptionData(this.keys, { id: q.id, qname: question.name, qtype: question.type }, vpcId);
    const own = q.edns?.options.filter((o) => o.code !== DNS_RELAY_OPTION) ?? [];
    // A client without EDNS takes 512 bytes over UDP: the option rides in an OPT of that size, and the OPT is taken off the answer.
    const edns = q.edns ?? { udpSize: MIN_UDP_MESSAGE, extendedRcode: 0, version: 0, dnssecOk: false, zFlags: 0, options: [] };
    const out: DnsMessage = { ...q, edns: { ...edns, options: [...own, { code: DNS_RELAY_OPTION, data }] } };
    let reply: Uint8Array | undefined;
    try {
      reply = await this.exchange(server, encodeMessage(out), transport);
    } catch {
      reply = undefined;
    }
    if (!reply) return encodeMessage(errorReply(q, RCODE.SERVFAIL));
    if (q.edns) return reply;
    const back = parseMessage(reply);
    if (!back.ok) return reply;
    const { edns: _drop, ...plain } = back.message;
    void _drop;
    return encodeMessage(plain, { maxSize: transport === "udp" ? MIN_UDP_MESSAGE : undefined });
  }

  private async exchange(server: DnsEndpoint, bytes: Uint8Array, transport: "udp" | "tcp"): Promise<Uint8Array | undefined> {
    try {
      return await dnsExchange(server, bytes, transport, RELAY_TIMEOUT_MS);
    } catch (err) {
      this.log({ level: "warn", msg: "Wharf's DNS server did not answer a relayed query", error: (err as Error).message });
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await new Promise<void>((r) => this.udp.close(() => r()));
    const closing = new Promise<void>((r) => this.tcp.close(() => r()));
    for (const c of this.conns) c.destroy();
    await closing;
  }
}
