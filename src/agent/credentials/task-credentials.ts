import type { TaskRoleCredentials } from "../../contracts/agent-protocol.js";
import { backoffDelay } from "../../core/backoff.js";
import { refreshAt } from "../../core/task-role.js";

/**
 * The agent's task role credentials: fetched from the control plane when a task with a role is
 * set up, refreshed before they expire (core/task-role.ts refreshAt), dropped when the task is
 * gone. Only the task role: the execution role's credentials are never held here.
 */
export interface TaskCredentialsOptions {
  fetch(taskArn: string, signal: AbortSignal): Promise<TaskRoleCredentials>;
  now?(): number;
  log?(line: Record<string, unknown>): void;
}

interface Entry {
  creds?: TaskRoleCredentials;
  timer?: NodeJS.Timeout;
  abort: AbortController;
  first: Promise<void>;
}

export class TaskCredentials {
  private readonly tasks = new Map<string, Entry>();
  constructor(private readonly o: TaskCredentialsOptions) {}

  /** Starts serving `taskArn`'s credentials; resolves once the first fetch answered (or failed). */
  track(taskArn: string): Promise<void> {
    const known = this.tasks.get(taskArn);
    if (known) return known.first;
    const entry: Entry = { abort: new AbortController(), first: Promise.resolve() };
    this.tasks.set(taskArn, entry);
    entry.first = this.fetch(taskArn, entry, 0);
    return entry.first;
  }

  /** The task's current credentials (undefined: not fetched yet, or not tracked). */
  get(taskArn: string): TaskRoleCredentials | undefined {
    return this.tasks.get(taskArn)?.creds;
  }

  tracks(taskArn: string): boolean {
    return this.tasks.has(taskArn);
  }

  forget(taskArn: string): void {
    const e = this.tasks.get(taskArn);
    if (!e) return;
    e.abort.abort();
    clearTimeout(e.timer);
    this.tasks.delete(taskArn);
  }

  close(): void {
    for (const arn of [...this.tasks.keys()]) this.forget(arn);
  }

  private async fetch(taskArn: string, e: Entry, attempt: number): Promise<void> {
    const now = this.o.now ?? Date.now;
    const issued = now();
    try {
      const creds = await this.o.fetch(taskArn, e.abort.signal);
      if (e.abort.signal.aborted) return;
      e.creds = creds;
      const at = refreshAt(issued, Date.parse(creds.Expiration));
      this.schedule(taskArn, e, Math.max(1_000, at - now()), 0);
      this.o.log?.({ msg: "task role credentials issued", taskArn, roleArn: creds.RoleArn, expiration: creds.Expiration });
    } catch (err) {
      if (e.abort.signal.aborted) return;
      const delay = backoffDelay(attempt, { initialMs: 500, maxMs: 60_000 });
      this.o.log?.({ level: "warn", msg: "task role credentials not issued; retrying", taskArn, error: (err as Error).message, retryInMs: delay });
      this.schedule(taskArn, e, delay, attempt + 1);
    }
  }

  private schedule(taskArn: string, e: Entry, delayMs: number, attempt: number): void {
    clearTimeout(e.timer);
    e.timer = setTimeout(() => void this.fetch(taskArn, e, attempt), Math.min(delayMs, 2 ** 31 - 1));
    e.timer.unref();
  }
}
