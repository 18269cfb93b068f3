import { labelText, MAX_NAME_WIRE } from "./names.js";
import { type DnsMessage, type Edns, type Flags, type Question, type RData, type ResourceRecord, TYPE } from "./message.js";

export type ParseResult =
  | { ok: true; message: DnsMessage }
  /** `id` is there when the header was (a FORMERR answer can echo it); absent: too short to answer. */
  | { ok: false; id?: number; flags?: Flags; reason: string };

class Malformed extends Error {}

/** Reads a whole message. Never throws: any malformation is `{ ok: false }`. */
export function parseMessage(buf: Uint8Array): ParseResult {
  if (buf.length < 12) return { ok: false, ...(buf.length >= 2 ? { id: (buf[0]! << 8) | buf[1]! } : {}), reason: "shorter than a header" };
  const id = (buf[0]! << 8) | buf[1]!;
  const flags = readFlags((buf[2]! << 8) | buf[3]!);
  try {
    const r = new Reader(buf, 12);
    const qd = u16(buf, 4);
    const an = u16(buf, 6);
    const ns = u16(buf, 8);
    const ar = u16(buf, 10);
    const questions: Question[] = [];
    for (let i = 0; i < qd; i++) questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
    const answers = r.records(an).map(plain);
    const authority = r.records(ns).map(plain);
    const additionalAll = r.records(ar, true);
    let edns: Edns | undefined;
    const additional: ResourceRecord[] = [];
    for (const rec of additionalAll) {
      if (rec.type !== TYPE.OPT) {
        additional.push(plain(rec));
        continue;
      }
      if (edns) throw new Malformed("more than one OPT record");
      if (rec.name !== "") throw new Malformed("OPT record not owned by the root");
      edns = optOf(rec);
    }
    if (r.pos !== buf.length) throw new Malformed("trailing bytes after the last record");
    return { ok: true, message: { id, flags, questions, answers, authority, additional, ...(edns ? { edns } : {}) } };
  } catch (err) {
    return { ok: false, id, flags, reason: err instanceof Malformed ? err.message : `unreadable: ${String(err)}` };
  }
}

export function readFlags(v: number): Flags {
  return {
    qr: (v & 0x8000) !== 0,
    opcode: (v >> 11) & 0xf,
    aa: (v & 0x0400) !== 0,
    tc: (v & 0x0200) !== 0,
    rd: (v & 0x0100) !== 0,
    ra: (v & 0x0080) !== 0,
    z: (v & 0x0040) !== 0,
    ad: (v & 0x0020) !== 0,
    cd: (v & 0x0010) !== 0,
    rcode: v & 0xf,
  };
}

const plain = ({ name, type, class: cls, ttl, data }: RawRecord): ResourceRecord => ({ name, type, class: cls, ttl, data });

const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

interface RawRecord extends ResourceRecord {
  /** OPT only: the raw class and TTL fields. */
  rawClass: number;
  rawTtl: number;
}

function optOf(rec: ResourceRecord): Edns {
  const raw = rec as RawRecord;
  const data = rec.data.kind === "raw" ? rec.data.data : new Uint8Array();
  const options: Edns["options"] = [];
  let p = 0;
  while (p < data.length) {
    if (p + 4 > data.length) throw new Malformed("truncated EDNS option");
    const code = u16(data, p);
    const len = u16(data, p + 2);
    if (p + 4 + len > data.length) throw new Malformed("EDNS option longer than the OPT data");
    options.push({ code, data: data.slice(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  const ttl = raw.rawTtl;
  return {
    udpSize: raw.rawClass,
    extendedRcode: (ttl >>> 24) & 0xff,
    version: (ttl >>> 16) & 0xff,
    dnssecOk: (ttl & 0x8000) !== 0,
    zFlags: ttl & 0x7fff,
    options,
  };
}

class Reader {
  constructor(
    private readonly buf: Uint8Array,
    public pos: number,
  ) {}

  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Malformed("message ends inside a field");
  }
  u16(): number {
    this.need(2);
    const v = u16(this.buf, this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const b = this.buf;
    const v = ((b[this.pos]! << 24) | (b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!) >>> 0;
    this.pos += 4;
    return v;
  }

  /** A name at the cursor, following compression pointers (only backwards, so no loops). */
  name(): string {
    const { text, next } = readName(this.buf, this.pos);
    this.pos = next;
    return text;
  }

  records(count: number, allowOpt = false): RawRecord[] {
    const out: RawRecord[] = [];
    for (let i = 0; i < count; i++) {
      const name = this.name();
      const type = this.u16();
      const cls = this.u16();
      const ttl = this.u32();
      const len = this.u16();
      this.need(len);
      const start = this.pos;
      const end = start + len;
      if (type === TYPE.OPT && !allowOpt) throw new Malformed("OPT record outside the additional section");
      const data = rdataOf(this.buf, type, start, end);
      this.pos = end;
      out.push({ name, type, class: cls, ttl, data, rawClass: cls, rawTtl: ttl });
    }
    return out;
  }
}

export function readName(buf: Uint8Array, at: number): { text: string; next: number } {
  const parts: string[] = [];
  let pos = at;
  let next = -1;
  let wire = 1;
  let limit = at;
  for (;;) {
    if (pos >= buf.length) throw new Malformed("name runs past the message");
    const len = buf[pos]!;
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    const top = len & 0xc0;
    if (top === 0xc0) {
      if (pos + 1 >= buf.length) throw new Malformed("compression pointer runs past the message");
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (next < 0) next = pos + 2;
      // Pointers must go strictly backwards from where the previous one pointed: no loops.
      if (target >= limit) throw new Malformed("compression pointer does not point backwards");
      limit = target;
      pos = target;
      continue;
    }
    if (top !== 0) throw new Malformed("unknown label type");
    if (pos + 1 + len > buf.length) throw new Malformed("label runs past the message");
    wire += len + 1;
    if (wire > MAX_NAME_WIRE) throw new Malformed("name longer than 255 bytes");
    parts.push(labelText(buf.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  return { text: parts.join("."), next };
}

function rdataOf(buf: Uint8Array, type: number, start: number, end: number): RData {
  const raw = (): RData => ({ kind: "raw", data: buf.slice(start, end) });
  const len = end - start;
  switch (type) {
    case TYPE.A:
      return len === 4 ? { kind: "A", address: Array.from(buf.subarray(start, end)).join(".") } : raw();
    case TYPE.AAAA:
      return len === 16 ? { kind: "AAAA", address: ipv6Text(buf.subarray(start, end)) } : raw();
    case TYPE.NS:
    case TYPE.CNAME:
    case TYPE.PTR: {
      const n = readName(buf, start);
      if (n.next !== end) throw new Malformed("host name does not fill its record data");
      return { kind: "host", host: n.text };
    }
    case TYPE.SRV: {
      if (len < 7) throw new Malformed("SRV record data too short");
      const n = readName(buf, start + 6);
      if (n.next !== end) throw new Malformed("SRV target does not fill its record data");
      return { kind: "SRV", priority: u16(buf, start), weight: u16(buf, start + 2), port: u16(buf, start + 4), target: n.text };
    }
    case TYPE.SOA: {
      const m = readName(buf, start);
      const r = readName(buf, m.next);
      if (r.next + 20 !== end) throw new Malformed("SOA record data of the wrong length");
      const n32 = (i: number) => ((buf[r.next + i]! << 24) | (buf[r.next + i + 1]! << 16) | (buf[r.next + i + 2]! << 8) | buf[r.next + i + 3]!) >>> 0;
      return { kind: "SOA", mname: m.text, rname: r.text, serial: n32(0), refresh: n32(4), retry: n32(8), expire: n32(12), minimum: n32(16) };
    }
    default:
      return raw();
  }
}

/** RFC 5952 text of 16 bytes (lowercase, longest zero run of two or more groups as `::`). */
export function ipv6Text(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}
