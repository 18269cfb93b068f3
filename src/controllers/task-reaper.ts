import type { TaskDoc } from "../records/task-doc.js";
import type { Clock } from "../core/time.js";
import type { Store, WriteOp } from "../store/store.js";

/** ECS forgets stopped tasks after about an hour; Wharf's default is the same, and settable. */
export const DEFAULT_STOPPED_TASK_RETENTION_MS = 3_600_000;

export interface TaskReaperOptions {
  store: Store;
  clock: Clock;
  retentionMs: number;
  /** How often to look; defaults to a quarter of the retention, between 100 ms and 1 minute. */
  intervalMs?: number;
  log?: (line: Record<string, unknown>) => void;
  /** Passes run only while this says so (the replica leads; default always). */
  active?: () => boolean;
}

/**
 * Deletes STOPPED tasks (and their tags) whose stoppedAt is older than the retention, and
 * RunTask client tokens as old. Level-triggered: each pass looks at what is stored now, so a
 * missed pass or a restart loses nothing.
 */
export async function reapStoppedTasks(o: Pick<TaskReaperOptions, "store" | "clock" | "retentionMs">): Promise<number> {
  const cutoffSec = (o.clock.now() - o.retentionMs) / 1000;
  const ops: WriteOp[] = [];
  for (const r of await o.store.list<TaskDoc>("task")) {
    const t = r.value;
    if (t.lastStatus === "STOPPED" && (t.stoppedAt ?? t.createdAt) < cutoffSec) {
      ops.push({ op: "delete", kind: "task", id: r.id, expectVersion: r.version }, { op: "delete", kind: "tags", id: r.id });
    }
  }
  const cutoffMs = o.clock.now() - o.retentionMs;
  for (const r of await o.store.list<{ createdAt?: number }>("client-token")) {
    if ((r.value.createdAt ?? 0) < cutoffMs) ops.push({ op: "delete", kind: "client-token", id: r.id, expectVersion: r.version });
  }
  if (ops.length > 0) await o.store.write(ops);
  return ops.length;
}

export function startTaskReaper(o: TaskReaperOptions): { stop(): void } {
  const interval = o.intervalMs ?? Math.min(60_000, Math.max(100, Math.floor(o.retentionMs / 4)));
  let running = false;
  const timer = setInterval(() => {
    if (running || (o.active && !o.active())) return;
    running = true;
    reapStoppedTasks(o)
      .catch((err: unknown) => o.log?.({ level: "warn", msg: "task reaper pass failed", err: String(err) }))
      .finally(() => (running = false));
  }, interval);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
