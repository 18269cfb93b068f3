import { parseDockerTimestamp } from "./cursor.js";

/**
 * Decodes the body of `GET /containers/{id}/logs?timestamps=1`: without a TTY, Docker
 * multiplexes stdout and stderr in frames with an 8-byte header (stream type: 1 stdout, 2
 * stderr; three zero bytes; payload length, big-endian uint32); with a TTY the body is the raw
 * stream. Either way each Docker log message starts with its RFC 3339 nanosecond timestamp and
 * a space. A message that does not end in a newline is part of a longer line (Docker splits
 * lines at 16 KiB); `LineAssembler` joins those.
 */

export type LogSource = "stdout" | "stderr";

export interface DockerMessage {
  source: LogSource;
  /** Docker's timestamp, nanoseconds since the epoch. */
  ts: bigint;
  /** The message bytes after the timestamp, newline included when Docker had one. */
  body: Buffer;
}

const HEADER = 8;
const SPACE = 0x20;
const NL = 0x0a;

export class DockerLogDecoder {
  private rest: Buffer = Buffer.alloc(0);
  /** Messages whose timestamp did not parse (never seen with a real Engine; counted, not fatal). */
  malformed = 0;

  constructor(private readonly tty: boolean) {}

  /** Feeds a chunk of the body; returns the messages it completed. */
  push(chunk: Buffer): DockerMessage[] {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: DockerMessage[] = [];
    let at = 0;
    if (this.tty) {
      for (;;) {
        const nl = buf.indexOf(NL, at);
        if (nl < 0) break;
        this.message("stdout", buf.subarray(at, nl + 1), out);
        at = nl + 1;
      }
    } else {
      while (buf.length - at >= HEADER) {
        const size = buf.readUInt32BE(at + 4);
        if (buf.length - at - HEADER < size) break;
        const type = buf[at]!;
        this.message(type === 2 ? "stderr" : "stdout", buf.subarray(at + HEADER, at + HEADER + size), out);
        at += HEADER + size;
      }
    }
    this.rest = at === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at));
    return out;
  }

  private message(source: LogSource, payload: Buffer, out: DockerMessage[]): void {
    const sp = payload.indexOf(SPACE);
    const ts = sp > 0 ? parseDockerTimestamp(payload.toString("latin1", 0, sp)) : undefined;
    if (ts === undefined) {
      this.malformed++;
      return;
    }
    out.push({ source, ts, body: payload.subarray(sp + 1) });
  }
}

/** A whole line of output, ready to ship. */
export interface LogLine {
  source: LogSource;
  /** Timestamp of the line's first message (ns). */
  ts: bigint;
  text: string;
  /** UTF-8 size of `text`. */
  bytes: number;
}

/** Lines longer than this are cut (several events), as Docker's own drivers cut at their limits. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Joins partial messages into lines, per source; drops the trailing newline (and a TTY's \r). */
export class LineAssembler {
  private readonly open = new Map<LogSource, { ts: bigint; parts: Buffer[]; bytes: number }>();

  constructor(private readonly tty: boolean) {}

  /** One message in; the line it completes (if any). Empty lines give `text: ""`. */
  push(m: DockerMessage): LogLine | undefined {
    const complete = m.body.length > 0 && m.body[m.body.length - 1] === NL;
    const part = complete ? m.body.subarray(0, m.body.length - 1) : m.body;
    const cur = this.open.get(m.source);
    if (!cur && complete) return this.line(m.source, m.ts, part);
    const acc = cur ?? { ts: m.ts, parts: [], bytes: 0 };
    acc.parts.push(Buffer.from(part));
    acc.bytes += part.length;
    if (complete || acc.bytes >= MAX_LINE_BYTES) {
      this.open.delete(m.source);
      return this.line(m.source, acc.ts, Buffer.concat(acc.parts));
    }
    this.open.set(m.source, acc);
    return undefined;
  }

  /** Lines still open when the output ended (a last line without a newline). */
  flush(): LogLine[] {
    const out = [...this.open].map(([source, acc]) => this.line(source, acc.ts, Buffer.concat(acc.parts)));
    this.open.clear();
    return out.filter((l) => l.bytes > 0);
  }

  private line(source: LogSource, ts: bigint, body: Buffer): LogLine {
    let end = body.length;
    if (this.tty && end > 0 && body[end - 1] === 0x0d) end--;
    const text = body.toString("utf8", 0, end);
    return { source, ts, text, bytes: end };
  }
}
