/**
 * The framing of an exec session's stream (docs/exec.md): what `wharf exec` and the agent say to
 * each other over the connection the control plane splices. Every frame is
 *
 *   type (1 byte) | payload length (4 bytes, big-endian) | payload
 *
 * so stdin, output, window sizes, signals and the exit code share one byte stream without
 * ambiguity. Pure: encoders and a streaming decoder that accepts any chunking.
 */

export const FRAME = {
  /** CLI → agent, first frame: JSON `OpenFrame`. */
  open: 0,
  /** CLI → agent: bytes for the command's stdin. */
  stdin: 1,
  /** CLI → agent: the CLI's stdin ended (the command's stdin is closed). */
  stdinEnd: 2,
  /** CLI → agent: JSON `{ cols, rows }`, the terminal's size. */
  resize: 3,
  /** CLI → agent: a signal name ("SIGINT", "SIGTERM", …) for the command. */
  signal: 4,
  /** agent → CLI: the command's stdout (with a TTY: the terminal's whole output). */
  stdout: 5,
  /** agent → CLI: the command's stderr (never with a TTY). */
  stderr: 6,
  /** agent → CLI, last frame: JSON `{ exitCode }`. */
  exit: 7,
  /** agent → CLI, last frame: UTF-8 text saying why the command could not run. */
  error: 8,
} as const;

export type FrameType = (typeof FRAME)[keyof typeof FRAME];

export interface Frame {
  type: FrameType;
  payload: Buffer;
}

/** What the CLI asks for when the session opens. */
export interface OpenFrame {
  tty: boolean;
  stdin: boolean;
  cols?: number;
  rows?: number;
}

export const HEADER_BYTES = 5;
/** Larger payloads are split by `encodeFrames`; a decoder refuses a header announcing more. */
export const MAX_PAYLOAD_BYTES = 1 << 20;

const KNOWN = new Set<number>(Object.values(FRAME));

export function encodeFrame(type: FrameType, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  if (body.length > MAX_PAYLOAD_BYTES) throw new RangeError(`frame payload of ${body.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

/** A data frame of any size, as several frames of at most MAX_PAYLOAD_BYTES. */
export function encodeFrames(type: FrameType, payload: Buffer): Buffer[] {
  if (payload.length <= MAX_PAYLOAD_BYTES) return [encodeFrame(type, payload)];
  const out: Buffer[] = [];
  for (let i = 0; i < payload.length; i += MAX_PAYLOAD_BYTES) out.push(encodeFrame(type, payload.subarray(i, i + MAX_PAYLOAD_BYTES)));
  return out;
}

export const encodeJsonFrame = (type: FrameType, value: unknown): Buffer => encodeFrame(type, JSON.stringify(value));

export class FrameError extends Error {
  override name = "FrameError";
}

/**
 * Reassembles frames from chunks as they arrive. `push` returns the frames completed by the
 * chunk; a partial frame waits for the next one. An unknown type or an oversized length is a
 * FrameError (the stream is not Wharf's exec protocol, or is corrupt).
 */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buffered.length >= HEADER_BYTES) {
      const type = this.buffered.readUInt8(0);
      const length = this.buffered.readUInt32BE(1);
      if (!KNOWN.has(type)) throw new FrameError(`unknown frame type ${type}`);
      if (length > MAX_PAYLOAD_BYTES) throw new FrameError(`frame of ${length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
      if (this.buffered.length < HEADER_BYTES + length) break;
      frames.push({ type: type as FrameType, payload: Buffer.from(this.buffered.subarray(HEADER_BYTES, HEADER_BYTES + length)) });
      this.buffered = this.buffered.subarray(HEADER_BYTES + length);
    }
    return frames;
  }

  /** Bytes of an incomplete frame still held. */
  get pending(): number {
    return this.buffered.length;
  }
}

/**
 * Docker's multiplexed attach stream (a container or exec without a TTY): each chunk is
 * `stream (1 byte: 0 stdin, 1 stdout, 2 stderr) | 3 zero bytes | length (4 bytes, big-endian) | payload`.
 */
export class DockerStreamDemux {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: "stdout" | "stderr"; data: Buffer }[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const out: { stream: "stdout" | "stderr"; data: Buffer }[] = [];
    while (this.buffered.length >= 8) {
      const kind = this.buffered.readUInt8(0);
      const length = this.buffered.readUInt32BE(4);
      if (this.buffered.length < 8 + length) break;
      const data = Buffer.from(this.buffered.subarray(8, 8 + length));
      this.buffered = this.buffered.subarray(8 + length);
      if (data.length) out.push({ stream: kind === 2 ? "stderr" : "stdout", data });
    }
    return out;
  }
}

/** The signals a session forwards; anything else is refused by the agent. */
export const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGKILL"] as const;
export type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];
export const isForwardedSignal = (s: string): s is ForwardedSignal => (FORWARDED_SIGNALS as readonly string[]).includes(s);

/** The exit code a shell reports for a command killed by a signal (128 + its number). */
export const SIGNAL_NUMBERS: Record<ForwardedSignal, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
  SIGWINCH: 28,
};

/** Parses an OpenFrame payload, with defaults for what is missing; undefined when it is not one. */
export function parseOpenFrame(payload: Buffer): OpenFrame | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString("utf8"));
  } catch {
    return undefined;
  }
  if (!v || typeof v !== "object") return undefined;
  const o = v as Record<string, unknown>;
  const size = (n: unknown) => (typeof n === "number" && Number.isInteger(n) && n > 0 && n < 10_000 ? n : undefined);
  const cols = size(o.cols);
  const rows = size(o.rows);
  return { tty: o.tty === true, stdin: o.stdin === true, ...(cols ? { cols } : {}), ...(rows ? { rows } : {}) };
}

/** Parses a resize payload; undefined when either size is not a sane positive integer. */
export function parseResize(payload: Buffer): { cols: number; rows: number } | undefined {
  const o = parseOpenFrame(payload);
  return o?.cols && o.rows ? { cols: o.cols, rows: o.rows } : undefined;
}
