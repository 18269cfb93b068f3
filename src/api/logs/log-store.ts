import type Database from "better-sqlite3";
import { type FilterPattern, matchesFilter } from "../../core/filter-pattern.js";

/**
 * CloudWatch Logs storage: groups, streams and events in their own SQLite tables (migration 2)
 * on Wharf's database file. The document Store suits hundreds of resources, not millions of
 * events; here every read is an indexed range query with a LIMIT, so memory stays bounded and a
 * million stored lines do not slow the API. Everything is synchronous (better-sqlite3): an append
 * is one transaction, durable when it returns.
 *
 * An event's position is `(ts, seq)`: its timestamp, then its `seq`, an AUTOINCREMENT id handed
 * out in arrival order and never reused. Reads are ordered by position, and `seq` is the eventId.
 */

export interface LogGroupRow {
  gid: number;
  region: string;
  name: string;
  createdMs: number;
  retentionDays: number | null;
  kmsKeyId: string | null;
  logGroupClass: string;
  storedBytes: number;
  tags: Record<string, string>;
}

export interface LogStreamRow {
  sid: number;
  gid: number;
  name: string;
  createdMs: number;
  firstEventMs: number | null;
  lastEventMs: number | null;
  lastIngestionMs: number | null;
}

export interface StoredEvent {
  seq: number;
  ts: number;
  ingestMs: number;
  message: string;
  /** Set by group-wide reads. */
  stream?: string;
}

/** A place between events: `(ts, seq)`; reads resume strictly after or before one. */
export interface Position {
  ts: number;
  seq: number;
}
export const START: Position = { ts: -1, seq: 0 };
export const END: Position = { ts: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER };

export interface NewEvent {
  timestamp: number;
  message: string;
}

const GROUP_COLS = `gid, region, name, created_ms AS createdMs, retention_days AS retentionDays,
  kms_key_id AS kmsKeyId, log_group_class AS logGroupClass, stored_bytes AS storedBytes, tags`;
const STREAM_COLS = `sid, gid, name, created_ms AS createdMs, first_event_ms AS firstEventMs,
  last_event_ms AS lastEventMs, last_ingestion_ms AS lastIngestionMs`;

type RawGroup = Omit<LogGroupRow, "tags"> & { tags: string };
const toGroup = (r: RawGroup | undefined): LogGroupRow | undefined => r && { ...r, tags: JSON.parse(r.tags) };

/** Rows deleted per statement by the background sweeps, so no single transaction runs long. */
export const SWEEP_BATCH = 5000;

export class LogStore {
  readonly #db: Database.Database;
  readonly #stmts = new Map<string, Database.Statement>();
  readonly #append: (group: LogGroupRow, stream: LogStreamRow, events: NewEvent[], ingestMs: number) => number;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#append = db.transaction((group: LogGroupRow, stream: LogStreamRow, events: NewEvent[], ingestMs: number) => {
      const insert = this.#stmt(
        "INSERT INTO log_events (gid, sid, ts, ingest_ms, message) VALUES (?, ?, ?, ?, ?)",
      );
      let bytes = 0;
      let last = 0;
      let minTs = Number.MAX_SAFE_INTEGER;
      let maxTs = -1;
      for (const e of events) {
        last = Number(insert.run(group.gid, stream.sid, e.timestamp, ingestMs, e.message).lastInsertRowid);
        bytes += Buffer.byteLength(e.message, "utf8");
        if (e.timestamp < minTs) minTs = e.timestamp;
        if (e.timestamp > maxTs) maxTs = e.timestamp;
      }
      this.#stmt(
        `UPDATE log_streams SET first_event_ms = min(coalesce(first_event_ms, @min), @min),
           last_event_ms = max(coalesce(last_event_ms, @max), @max), last_ingestion_ms = @ingest WHERE sid = @sid`,
      ).run({ min: minTs, max: maxTs, ingest: ingestMs, sid: stream.sid });
      this.#stmt("UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE gid = ?").run(bytes, group.gid);
      return last;
    });
  }

  #stmt(sql: string): Database.Statement {
    let s = this.#stmts.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  // ---- groups ----

  getGroup(region: string, name: string): LogGroupRow | undefined {
    return toGroup(
      this.#stmt(`SELECT ${GROUP_COLS} FROM log_groups WHERE region = ? AND name = ?`).get(region, name) as
        | RawGroup
        | undefined,
    );
  }

  /** Creates a group; undefined when one of that name exists. */
  createGroup(
    region: string,
    name: string,
    createdMs: number,
    opts: { kmsKeyId?: string; logGroupClass?: string; tags?: Record<string, string> } = {},
  ): LogGroupRow | undefined {
    const r = this.#stmt(
      `INSERT INTO log_groups (region, name, created_ms, kms_key_id, log_group_class, tags)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (region, name) DO NOTHING`,
    ).run(region, name, createdMs, opts.kmsKeyId ?? null, opts.logGroupClass ?? "STANDARD", JSON.stringify(opts.tags ?? {}));
    return r.changes === 1 ? this.getGroup(region, name) : undefined;
  }

  /** Removes a group and its streams at once; their events are deleted by the sweeper. */
  deleteGroup(gid: number): void {
    this.#db.transaction(() => {
      this.#stmt("DELETE FROM log_streams WHERE gid = ?").run(gid);
      this.#stmt("DELETE FROM log_groups WHERE gid = ?").run(gid);
      this.#stmt("INSERT OR IGNORE INTO log_purge (kind, id) VALUES ('group', ?)").run(gid);
    })();
  }

  /** Groups of a region by name: a prefix or a substring, resuming after `after`. */
  listGroups(region: string, q: { prefix?: string; contains?: string; after?: string; limit: number }): LogGroupRow[] {
    const where = ["region = @region"];
    if (q.prefix) where.push("substr(name, 1, length(@prefix)) = @prefix");
    if (q.contains) where.push("instr(name, @contains) > 0");
    if (q.after !== undefined) where.push("name > @after");
    const rows = this.#stmt(
      `SELECT ${GROUP_COLS} FROM log_groups WHERE ${where.join(" AND ")} ORDER BY name LIMIT @limit`,
    ).all({ region, limit: q.limit, prefix: q.prefix, contains: q.contains, after: q.after }) as RawGroup[];
    return rows.map((r) => toGroup(r)!);
  }

  setRetention(gid: number, days: number | null): void {
    this.#stmt("UPDATE log_groups SET retention_days = ? WHERE gid = ?").run(days, gid);
  }

  setTags(gid: number, tags: Record<string, string>): void {
    this.#stmt("UPDATE log_groups SET tags = ? WHERE gid = ?").run(JSON.stringify(tags), gid);
  }

  // ---- streams ----

  getStream(gid: number, name: string): LogStreamRow | undefined {
    return this.#stmt(`SELECT ${STREAM_COLS} FROM log_streams WHERE gid = ? AND name = ?`).get(gid, name) as
      | LogStreamRow
      | undefined;
  }

  /** Creates a stream; undefined when one of that name exists in the group. */
  createStream(gid: number, name: string, createdMs: number): LogStreamRow | undefined {
    const r = this.#stmt(
      "INSERT INTO log_streams (gid, name, created_ms) VALUES (?, ?, ?) ON CONFLICT (gid, name) DO NOTHING",
    ).run(gid, name, createdMs);
    return r.changes === 1 ? this.getStream(gid, name) : undefined;
  }

  deleteStream(sid: number): void {
    this.#db.transaction(() => {
      this.#stmt("DELETE FROM log_streams WHERE sid = ?").run(sid);
      this.#stmt("INSERT OR IGNORE INTO log_purge (kind, id) VALUES ('stream', ?)").run(sid);
    })();
  }

  /**
   * Streams of a group ordered by name, or by last event time (streams without events first);
   * `after` is the sort key of the previous page's last stream.
   */
  listStreams(
    gid: number,
    q: { prefix?: string; byLastEvent: boolean; desc: boolean; after?: { last: number; name: string }; limit: number },
  ): LogStreamRow[] {
    const where = ["gid = @gid"];
    if (q.prefix) where.push("substr(name, 1, length(@prefix)) = @prefix");
    const dir = q.desc ? "DESC" : "ASC";
    const cmp = q.desc ? "<" : ">";
    let order: string;
    if (q.byLastEvent) {
      if (q.after) where.push(`(coalesce(last_event_ms, -1), name) ${cmp} (@last, @name)`);
      order = `coalesce(last_event_ms, -1) ${dir}, name ${dir}`;
    } else {
      if (q.after) where.push(`name ${cmp} @name`);
      order = `name ${dir}`;
    }
    return this.#stmt(`SELECT ${STREAM_COLS} FROM log_streams WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT @limit`).all({
      gid,
      prefix: q.prefix,
      limit: q.limit,
      last: q.after?.last,
      name: q.after?.name,
    }) as LogStreamRow[];
  }

  /** Stream ids of a group by exact names or a name prefix (for FilterLogEvents). */
  streamIds(gid: number, q: { names?: string[]; prefix?: string }): number[] {
    if (q.names) {
      return q.names.map((n) => this.getStream(gid, n)?.sid).filter((s): s is number => s !== undefined);
    }
    const rows = this.#stmt(
      "SELECT sid FROM log_streams WHERE gid = @gid AND substr(name, 1, length(@prefix)) = @prefix",
    ).all({ gid, prefix: q.prefix ?? "" }) as { sid: number }[];
    return rows.map((r) => r.sid);
  }

  // ---- events ----

  /** Appends events (already validated) in one durable transaction; returns the last event's seq. */
  append(group: LogGroupRow, stream: LogStreamRow, events: NewEvent[], ingestMs: number): number {
    return this.#append(group, stream, events, ingestMs);
  }

  /**
   * Up to `limit` events of one stream in [startTime, endTime), strictly after `after` (reading
   * forward) or strictly before `before` (reading backward, returned oldest first).
   */
  streamEvents(
    sid: number,
    q: { startTime: number; endTime: number; after?: Position; before?: Position; limit: number },
  ): StoredEvent[] {
    const backward = q.before !== undefined;
    const p = backward ? q.before! : (q.after ?? START);
    const rows = this.#stmt(
      `SELECT seq, ts, ingest_ms AS ingestMs, message FROM log_events
       WHERE sid = @sid AND ts >= @start AND ts < @end AND (ts, seq) ${backward ? "<" : ">"} (@pts, @pseq)
       ORDER BY ts ${backward ? "DESC" : "ASC"}, seq ${backward ? "DESC" : "ASC"} LIMIT @limit`,
    ).all({ sid, start: q.startTime, end: q.endTime, pts: p.ts, pseq: p.seq, limit: q.limit }) as StoredEvent[];
    return backward ? rows.reverse() : rows;
  }

  /**
   * Events of a group in [startTime, endTime] after `after`, oldest first, across its streams
   * (all, or `sids`), matching `pattern`. At most `scanBudget` stored events are examined per
   * call: `resumeAt` is then where the next call continues (CloudWatch also returns short pages
   * with a token); it is absent when the range was searched to its end.
   */
  filterEvents(
    gid: number,
    q: {
      sids?: number[];
      startTime: number;
      endTime: number;
      after: Position;
      limit: number;
      pattern: FilterPattern;
      scanBudget: number;
    },
  ): { events: StoredEvent[]; resumeAt?: Position } {
    const scope = q.sids?.length === 1 ? "e.sid = @sid" : "e.gid = @gid";
    const where = [scope, "e.ts >= @start", "e.ts <= @end", "(e.ts, e.seq) > (@ats, @aseq)"];
    const params: Record<string, unknown> = {
      gid,
      sid: q.sids?.[0],
      start: q.startTime,
      end: q.endTime,
      ats: q.after.ts,
      aseq: q.after.seq,
      budget: q.scanBudget,
    };
    if (q.sids && q.sids.length > 1) where.push(`e.sid IN (${q.sids.map((s) => Number(s)).join(",")})`);
    // Plain terms are matched by SQLite (instr is a case-sensitive substring test, as the
    // pattern's terms are); the JS matcher re-checks every row, and alone handles regexes.
    const outer: string[] = [];
    if (q.pattern.kind === "terms") {
      q.pattern.all.forEach((t, i) => {
        outer.push(`instr(w.message, @all${i}) > 0`);
        params[`all${i}`] = t;
      });
      if (q.pattern.any.length > 0) {
        outer.push(`(${q.pattern.any.map((_, i) => `instr(w.message, @any${i}) > 0`).join(" OR ")})`);
        q.pattern.any.forEach((t, i) => (params[`any${i}`] = t));
      }
      q.pattern.none.forEach((t, i) => {
        outer.push(`instr(w.message, @none${i}) = 0`);
        params[`none${i}`] = t;
      });
    }
    const window = `SELECT e.seq, e.ts, e.ingest_ms AS ingestMs, e.message, e.sid FROM log_events e
      WHERE ${where.join(" AND ")} ORDER BY e.ts, e.seq LIMIT @budget`;
    const rows = this.#stmt(
      `SELECT w.seq, w.ts, w.ingestMs, w.message, s.name AS stream FROM (${window}) w
       JOIN log_streams s ON s.sid = w.sid ${outer.length ? `WHERE ${outer.join(" AND ")}` : ""}`,
    ).iterate(params) as IterableIterator<StoredEvent>;
    // Rows arrive in position order; stop at the first match beyond the page (the iterator is
    // closed on break, so only what is read is materialised).
    const events: StoredEvent[] = [];
    for (const r of rows) {
      if (!matchesFilter(q.pattern, r.message)) continue;
      if (events.length === q.limit) {
        const last = events[events.length - 1]!;
        return { events, resumeAt: { ts: last.ts, seq: last.seq } };
      }
      events.push(r);
    }
    // Fewer matches than asked: either the range is exhausted, or the scan budget ran out first.
    const edge = this.#stmt(
      `SELECT e.ts, e.seq FROM log_events e WHERE ${where.join(" AND ")} ORDER BY e.ts, e.seq LIMIT 1 OFFSET @skip`,
    ).get({ ...pick(params, ["gid", "sid", "start", "end", "ats", "aseq"]), skip: q.scanBudget - 1 }) as
      | Position
      | undefined;
    return edge ? { events, resumeAt: edge } : { events };
  }

  // ---- background deletion ----

  /**
   * One bounded step of the level-triggered sweeper: deletes up to `SWEEP_BATCH` events that are
   * older than their group's retention or belong to a deleted group or stream. Returns how many
   * were deleted; 0 means nothing is left to do right now.
   */
  sweepStep(nowMs: number): number {
    return this.#db.transaction(() => {
      let deleted = 0;
      const purges = this.#stmt("SELECT kind, id FROM log_purge LIMIT 16").all() as { kind: string; id: number }[];
      for (const p of purges) {
        const col = p.kind === "group" ? "gid" : "sid";
        const n = this.#stmt(
          `DELETE FROM log_events WHERE seq IN (SELECT seq FROM log_events WHERE ${col} = ? LIMIT ${SWEEP_BATCH})`,
        ).run(p.id).changes;
        deleted += n;
        if (n < SWEEP_BATCH) this.#stmt("DELETE FROM log_purge WHERE kind = ? AND id = ?").run(p.kind, p.id);
        if (deleted >= SWEEP_BATCH) return deleted;
      }
      const groups = this.#stmt(
        "SELECT gid, retention_days AS days FROM log_groups WHERE retention_days IS NOT NULL",
      ).all() as { gid: number; days: number }[];
      for (const g of groups) {
        const cutoff = nowMs - g.days * 86_400_000;
        const gone = this.#stmt(
          `DELETE FROM log_events WHERE seq IN
             (SELECT seq FROM log_events WHERE gid = ? AND ts < ? LIMIT ${SWEEP_BATCH})
           RETURNING length(CAST(message AS BLOB)) AS bytes`,
        ).all(g.gid, cutoff) as { bytes: number }[];
        if (gone.length > 0) {
          const bytes = gone.reduce((s, r) => s + r.bytes, 0);
          this.#stmt("UPDATE log_groups SET stored_bytes = max(0, stored_bytes - ?) WHERE gid = ?").run(bytes, g.gid);
          deleted += gone.length;
          if (deleted >= SWEEP_BATCH) return deleted;
        }
      }
      return deleted;
    })();
  }

  /** How many events are stored (bench and tests). */
  countEvents(): number {
    return (this.#stmt("SELECT count(*) AS n FROM log_events").get() as { n: number }).n;
  }
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = o[k];
  return out;
}
