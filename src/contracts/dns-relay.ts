import { createHmac, timingSafeEqual } from "node:crypto";
import { createSocket } from "node:dgram";
import { connect } from "node:net";

/**
 * The agent's DNS relay → Wharf's DNS server hop (docs/dns.md). Tasks ask 169.254.169.253:53
 * (DNAT to their agent's relay); the relay forwards the query unchanged but for one EDNS0
 * option (code DNS_RELAY_OPTION, from the "Local/Experimental Use" range 65001–65534, RFC 6891
 * §9) naming the asking task's VPC, signed with the agent's Wharf keys:
 *
 *   data = UTF-8 `<vpcId>\n<accessKeyId>\n<signature>`
 *   signature = hex(HMAC-SHA256(secretAccessKey, `wharf-dns-relay/1\n<id>\n<qname folded>\n<qtype>\n<vpcId>`))[0..32]
 *
 * The server takes the option off, checks the signature with the keys it knows (a wrong or
 * unknown one: REFUSED) and asks its sources as that VPC. A query without it asks as the host.
 * The relay removes any such option a task put in itself, so a task cannot claim another VPC.
 */
export const DNS_RELAY_OPTION = 65_420;
/** An empty VPC id: the task has none (bridge and host tasks); it asks as the host. */
export const NO_VPC = "";

export interface RelayClaim {
  vpcId: string;
  accessKeyId: string;
  signature: string;
}

const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const signed = (secret: string, id: number, qname: string, qtype: number, vpcId: string) =>
  createHmac("sha256", secret).update(`wharf-dns-relay/1\n${id}\n${fold(qname)}\n${qtype}\n${vpcId}`).digest("hex").slice(0, 32);

export function relayOptionData(keys: { accessKeyId: string; secretAccessKey: string }, q: { id: number; qname: string; qtype: number }, vpcId: string): Uint8Array {
  return new TextEncoder().encode(`${vpcId}\n${keys.accessKeyId}\n${signed(keys.secretAccessKey, q.id, q.qname, q.qtype, vpcId)}`);
}

/** The VPC the option claims when its signature holds; undefined when it does not. */
export function verifyRelayOption(data: Uint8Array, q: { id: number; qname: string; qtype: number }, secretOf: (accessKeyId: string) => string | undefined): { vpcId: string } | undefined {
  const parts = new TextDecoder().decode(data).split("\n");
  if (parts.length !== 3) return undefined;
  const [vpcId, keyId, sig] = parts as [string, string, string];
  const secret = secretOf(keyId);
  if (!secret) return undefined;
  const want = Buffer.from(signed(secret, q.id, q.qname, q.qtype, vpcId));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got) ? { vpcId } : undefined;
}

export interface DnsEndpoint {
  address: string;
  port: number;
}

/**
 * One DNS exchange: `query` to `to` over UDP (a fresh socket: the reply is matched by its
 * source and id) or TCP (two-byte length framing), the reply's bytes, or an Error after `timeoutMs`.
 */
export function dnsExchange(to: DnsEndpoint, query: Uint8Array, transport: "udp" | "tcp", timeoutMs: number): Promise<Uint8Array> {
  return transport === "udp" ? udpExchange(to, query, timeoutMs) : tcpExchange(to, query, timeoutMs);
}

function udpExchange(to: DnsEndpoint, query: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(to.address.includes(":") ? "udp6" : "udp4");
    const done = (err: Error | undefined, reply?: Uint8Array) => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => done(new Error(`no DNS answer from ${to.address}:${to.port} in ${timeoutMs} ms`)), timeoutMs);
    sock.on("error", (err) => done(err));
    sock.on("message", (msg, rinfo) => {
      if (rinfo.port !== to.port || msg.length < 2 || msg[0] !== query[0] || msg[1] !== query[1]) return;
      done(undefined, new Uint8Array(msg));
    });
    sock.send(query, to.port, to.address, (err) => err && done(err));
  });
}

function tcpExchange(to: DnsEndpoint, query: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: to.address, port: to.port });
    let buf = Buffer.alloc(0);
    const done = (err: Error | undefined, reply?: Uint8Array) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => done(new Error(`no DNS answer from ${to.address}:${to.port} (TCP) in ${timeoutMs} ms`)), timeoutMs);
    sock.on("error", (err) => done(err));
    sock.on("connect", () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(undefined, new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0))));
    });
    sock.on("end", () => done(new Error(`DNS TCP connection to ${to.address}:${to.port} closed before an answer`)));
  });
}

/** Splits a TCP stream into two-byte-length-prefixed DNS messages. */
export function tcpFramer(onMessage: (msg: Uint8Array) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 2) {
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) break;
      onMessage(new Uint8Array(buf.subarray(2, 2 + len)));
      buf = buf.subarray(2 + len);
    }
  };
}

/** A message with its two-byte TCP length prefix. */
export function tcpFrame(msg: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + msg.length);
  out.writeUInt16BE(msg.length, 0);
  out.set(msg, 2);
  return out;
}
