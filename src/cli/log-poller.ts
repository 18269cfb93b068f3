import { EcsApiError } from "../contracts/wharf-client.js";
import type { Connection } from "./connection.js";

/**
 * Polls FilterLogEvents for a set of streams and returns each event once. Every poll re-reads
 * LATE_WINDOW_MS behind the newest event seen: a line can reach the API after a newer one
 * (Docker stamps stdout and stderr separately; several containers ship independently), and a
 * plain "after the last token" read would skip it. eventIds make the overlap harmless.
 */

/** How far behind the newest event seen each poll looks again. */
export const LATE_WINDOW_MS = 5_000;

export interface PolledEvent {
  eventId: string;
  timestamp: number;
  message: string;
  logStreamName: string;
}

interface Source {
  region: string;
  group: string;
  streams: Set<string>;
}

export class LogPoller {
  private readonly sources = new Map<string, Source>();
  private readonly seen = new Map<string, number>();
  private newest = 0;

  constructor(private readonly conn: Connection) {}

  add(region: string, group: string, stream: string): void {
    const key = `${region}\u0000${group}`;
    let s = this.sources.get(key);
    if (!s) this.sources.set(key, (s = { region, group, streams: new Set() }));
    s.streams.add(stream);
  }

  get streamCount(): number {
    let n = 0;
    for (const s of this.sources.values()) n += s.streams.size;
    return n;
  }

  /** New events since `startTime` (or just behind the newest seen), oldest first. */
  async poll(startTime: number): Promise<PolledEvent[]> {
    const from = Math.max(startTime, this.newest - LATE_WINDOW_MS);
    const fresh: PolledEvent[] = [];
    for (const s of this.sources.values()) {
      const names = [...s.streams];
      for (let i = 0; i < names.length; i += 100) {
        let nextToken: string | undefined;
        do {
          const r = await this.conn
            .logs<{ events?: PolledEvent[]; nextToken?: string }>(s.region, "FilterLogEvents", {
              logGroupName: s.group,
              logStreamNames: names.slice(i, i + 100),
              startTime: from,
              interleaved: true,
              nextToken,
            })
            .catch((err) => {
              // The group does not exist yet (nothing shipped so far): nothing to show.
              if (err instanceof EcsApiError && err.code === "ResourceNotFoundException") return {} as { events?: PolledEvent[]; nextToken?: string };
              throw err;
            });
          for (const e of r.events ?? []) {
            if (this.seen.has(e.eventId)) continue;
            this.seen.set(e.eventId, e.timestamp);
            fresh.push(e);
          }
          nextToken = r.nextToken;
        } while (nextToken);
      }
    }
    fresh.sort((a, b) => a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : 1));
    for (const e of fresh) if (e.timestamp > this.newest) this.newest = e.timestamp;
    const floor = Math.max(startTime, this.newest - LATE_WINDOW_MS);
    for (const [id, ts] of this.seen) if (ts < floor) this.seen.delete(id);
    return fresh;
  }
}
