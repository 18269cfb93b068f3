import { NameError, nameLabels, suffixKey } from "./names.js";
import { type DnsMessage, type Edns, type Flags, type RData, type ResourceRecord, TYPE } from "./message.js";

export { NameError };

/** Largest message over TCP (two length bytes). */
export const MAX_TCP_MESSAGE = 65535;
/** RFC 1035's UDP limit without EDNS. */
export const MIN_UDP_MESSAGE = 512;

export interface EncodeOptions {
  /**
   * Largest message to write. What does not fit is left out: answer and authority records
   * that do not fit set TC (the client asks again over TCP); additional ones are dropped
   * without it (RFC 2181 §9). The header, the questions and the OPT record always stay.
   */
  maxSize?: number;
}

/** Writes a message (names compressed). Throws NameError for a name that cannot be written. */
export function encodeMessage(msg: DnsMessage, opts: EncodeOptions = {}): Uint8Array {
  const max = Math.max(MIN_UDP_MESSAGE, Math.min(opts.maxSize ?? MAX_TCP_MESSAGE, MAX_TCP_MESSAGE));
  const w = new Writer();
  w.u16(msg.id);
  w.u16(0); // flags, written last (TC may be set)
  w.u16(msg.questions.length);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  for (const q of msg.questions) {
    w.name(q.name, true);
    w.u16(q.type);
    w.u16(q.class);
  }
  const optBytes = msg.edns ? optRecord(msg.edns) : undefined;
  const room = max - (optBytes?.length ?? 0);
  let tc = msg.flags.tc;
  const counts = [0, 0, 0];
  const sections: [ResourceRecord[], boolean][] = [
    [msg.answers, true],
    [msg.authority, true],
    [msg.additional, false],
  ];
  sections.forEach(([records, required], s) => {
    if (tc) return;
    for (const rec of records) {
      const mark = w.mark();
      writeRecord(w, rec);
      if (w.length > room) {
        w.reset(mark);
        if (required) tc = true;
        return;
      }
      counts[s]!++;
    }
  });
  if (optBytes) w.bytes(optBytes);
  const out = w.finish();
  const flags = { ...msg.flags, tc };
  out[2] = flagsHigh(flags);
  out[3] = flagsLow(flags);
  put16(out, 6, counts[0]!);
  put16(out, 8, counts[1]!);
  put16(out, 10, counts[2]! + (optBytes ? 1 : 0));
  return out;
}

const flagsHigh = (f: Flags): number => (f.qr ? 0x80 : 0) | ((f.opcode & 0xf) << 3) | (f.aa ? 4 : 0) | (f.tc ? 2 : 0) | (f.rd ? 1 : 0);
const flagsLow = (f: Flags): number => (f.ra ? 0x80 : 0) | (f.z ? 0x40 : 0) | (f.ad ? 0x20 : 0) | (f.cd ? 0x10 : 0) | (f.rcode & 0xf);

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function optRecord(e: Edns): Uint8Array {
  const w = new Writer();
  w.u8(0); // root
  w.u16(TYPE.OPT);
  w.u16(e.udpSize);
  const ext = e.extendedRcode & 0xff;
  w.u32(((ext << 24) | ((e.version & 0xff) << 16) | (e.dnssecOk ? 0x8000 : 0) | (e.zFlags & 0x7fff)) >>> 0);
  const at = w.length;
  w.u16(0);
  for (const o of e.options) {
    w.u16(o.code);
    w.u16(o.data.length);
    w.bytes(o.data);
  }
  const out = w.finish();
  put16(out, at, out.length - at - 2);
  return out;
}

function writeRecord(w: Writer, rec: ResourceRecord): void {
  w.name(rec.name, true);
  w.u16(rec.type);
  w.u16(rec.class);
  w.u32(rec.ttl >>> 0);
  const lenAt = w.length;
  w.u16(0);
  writeData(w, rec.data);
  const len = w.length - lenAt - 2;
  if (len > 0xffff) throw new NameError("record data longer than 65535 bytes");
  w.patch16(lenAt, len);
}

function writeData(w: Writer, d: RData): void {
  switch (d.kind) {
    case "A": {
      const parts = d.address.split(".").map(Number);
      if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new NameError(`not an IPv4 address: ${d.address}`);
      for (const p of parts) w.u8(p);
      return;
    }
    case "AAAA":
      w.bytes(ipv6Bytes(d.address));
      return;
    case "host":
      w.name(d.host, true);
      return;
    case "SRV":
      w.u16(d.priority);
      w.u16(d.weight);
      w.u16(d.port);
      // RFC 2782: the target is not compressed.
      w.name(d.target, false);
      return;
    case "SOA":
      w.name(d.mname, true);
      w.name(d.rname, true);
      for (const v of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) w.u32(v >>> 0);
      return;
    case "raw":
      w.bytes(d.data);
      return;
  }
}

/** 16 bytes of an IPv6 address in text (`::` and an embedded IPv4 tail allowed). */
export function ipv6Bytes(text: string): Uint8Array {
  const bad = () => new NameError(`not an IPv6 address: ${text}`);
  let s = text;
  const tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const parts = v4[2]!.split(".").map(Number);
    if (parts.some((p) => p > 255)) throw bad();
    tail.push((parts[0]! << 8) | parts[1]!, (parts[2]! << 8) | parts[3]!);
    s = v4[1]!.endsWith("::") ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const halves = s.split("::");
  if (halves.length > 2) throw bad();
  const groups = (h: string) => (h === "" ? [] : h.split(":").map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - rest.length - tail.length;
  if ([...head, ...rest].some(Number.isNaN) || fill < 0 || (halves.length === 1 && fill !== 0) || (halves.length === 2 && fill < 1)) throw bad();
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest, ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => put16(out, i * 2, g));
  return out;
}

/** Names already turned into labels and compression keys (answers repeat the same few names). */
const wireNames = new Map<string, { labels: Uint8Array[]; keys: string[] }>();
const WIRE_NAME_CACHE = 10_000;

function wireName(name: string): { labels: Uint8Array[]; keys: string[] } {
  let w = wireNames.get(name);
  if (!w) {
    const labels = nameLabels(name);
    w = { labels, keys: labels.map((_, i) => suffixKey(labels, i)) };
    if (wireNames.size >= WIRE_NAME_CACHE) wireNames.clear();
    wireNames.set(name, w);
  }
  return w;
}

class Writer {
  private buf = new Uint8Array(512);
  length = 0;
  private names = new Map<string, number>();
  private added: string[] = [];

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  u8(v: number): void {
    this.grow(1);
    this.buf[this.length++] = v & 0xff;
  }
  u16(v: number): void {
    this.grow(2);
    put16(this.buf, this.length, v);
    this.length += 2;
  }
  u32(v: number): void {
    this.u16((v >>> 16) & 0xffff);
    this.u16(v & 0xffff);
  }
  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  patch16(at: number, v: number): void {
    put16(this.buf, at, v);
  }
  /** A name, pointing at an earlier copy of its longest known suffix when `compress`. */
  name(name: string, compress: boolean): void {
    const { labels, keys } = wireName(name);
    for (let i = 0; i < labels.length; i++) {
      const key = keys[i]!;
      const at = compress ? this.names.get(key) : undefined;
      if (at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.length < 0x4000 && !this.names.has(key)) {
        this.names.set(key, this.length);
        this.added.push(key);
      }
      this.u8(labels[i]!.length);
      this.bytes(labels[i]!);
    }
    this.u8(0);
  }
  mark(): { length: number; added: number } {
    return { length: this.length, added: this.added.length };
  }
  reset(m: { length: number; added: number }): void {
    this.length = m.length;
    for (const key of this.added.splice(m.added)) this.names.delete(key);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
