import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile, writeJsonFileAtomic } from "../json-file.js";

/**
 * Where a container's log shipping stands, in Docker's terms, so a restarted agent resumes
 * exactly where the last acknowledged batch ended.
 *
 * Docker's `GET /containers/{id}/logs?since=T` returns, in file order, every message whose
 * timestamp is ≥ T (inclusive, nanoseconds). A position is `(T, skip)`: T is the greatest
 * timestamp read so far and `skip` how many messages read so far carry exactly T. Because what
 * was read is a prefix of the file, those `skip` messages are the first ones `since=T`
 * returns, so skipping them resumes right after the last message read — even when many lines
 * share a timestamp. (A message whose timestamp is smaller than one read before it — Docker
 * stamps stdout and stderr in separate goroutines — is not returned by `since=T`; such a
 * reordering is nanoseconds wide and is the one case a resume can miss a line.)
 */
export interface Position {
  /** Docker timestamp in nanoseconds since the epoch; 0n = nothing read yet. */
  ts: bigint;
  skip: number;
}

export const ORIGIN: Position = { ts: 0n, skip: 0 };

/** The position after reading one more message stamped `ts`. */
export function advance(p: Position, ts: bigint): Position {
  if (ts > p.ts) return { ts, skip: 1 };
  if (ts === p.ts) return { ts, skip: p.skip + 1 };
  return p;
}

/** Docker's `since` query value (`seconds.nanoseconds`), or undefined from the origin. */
export function sinceParam(p: Position): string | undefined {
  if (p.ts === 0n) return undefined;
  const sec = p.ts / 1_000_000_000n;
  const ns = p.ts % 1_000_000_000n;
  return `${sec}.${String(ns).padStart(9, "0")}`;
}

/**
 * Docker's RFC 3339 timestamps (`2026-11-25T10:23:05.098494178Z`, any fraction length, UTC or
 * an offset) → nanoseconds. Undefined when the text is not one.
 */
export function parseDockerTimestamp(text: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

/** A batch sent but not yet known to be stored: enough to ask the destination after a crash. */
export interface PendingBatch {
  sinceNs: string;
  skip: number;
  count: number;
  /** The batch's last event as the destination will show it (timestamp ms + SHA-1 of the message). */
  lastTs: number;
  lastHash: string;
  sentAtMs: number;
}

/** The per-container file (`<agent data dir>/log-cursors/<container id>.json`). */
export interface CursorDoc {
  containerId: string;
  taskArn: string;
  containerName: string;
  destination: string;
  /** Position after the last acknowledged line (bigint as a decimal string). */
  sinceNs: string;
  skip: number;
  shipped: number;
  dropped: number;
  /** The container exited and every line it wrote was shipped (or dropped, non-blocking). */
  done: boolean;
  pending?: PendingBatch;
}

export const positionOf = (d: { sinceNs: string; skip: number }): Position => ({ ts: BigInt(d.sinceNs), skip: d.skip });

/** Cursor files, each written atomically (temp file + rename) so a kill -9 never leaves half of one. */
export class CursorStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  load(id: string): CursorDoc | undefined {
    return readJsonFile<CursorDoc>(this.file(id));
  }

  save(doc: CursorDoc): void {
    const f = this.file(doc.containerId);
    writeJsonFileAtomic(f, doc);
  }

  remove(id: string): void {
    rmSync(this.file(id), { force: true });
  }

  /** Container ids that have a cursor file. */
  ids(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -".json".length));
  }
}
