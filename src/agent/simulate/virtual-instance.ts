import type { TaskAssignment } from "../../contracts/agent-protocol.js";
import type { TaskStateReport } from "../task-engine/reporter.js";

/** Where a virtual task is, as its instance last reported it. */
export type VirtualStatus = "NEW" | "PENDING" | "RUNNING" | "STOPPED";

interface VirtualTask {
  assignment: TaskAssignment;
  /** The last status acknowledged by the control plane. */
  status: VirtualStatus;
  /** Reports are sent one after another per task (PENDING before RUNNING before STOPPED). */
  chain: Promise<void>;
  /** The status a queued report will bring it to (so a repeated listing queues nothing new). */
  target: VirtualStatus;
}

/** Sends one report, retrying until acknowledged; resolves false when it was refused for good. */
export type SendReport = (report: TaskStateReport) => Promise<boolean>;

/**
 * One simulated container instance's tasks: "virtual containers" that go PENDING → RUNNING as
 * soon as they are assigned and STOPPED when their desired status turns STOPPED, with the
 * reports a real agent sends (SubmitTaskStateChange with container statuses), and no Docker.
 * Like the real agent it applies each whole listing (level-triggered) and forgets tasks that
 * leave the list once STOPPED.
 */
export class VirtualInstance {
  /** Highest sequence applied (0 until the first answer). */
  seq = 0;
  registered = true;
  private readonly tasks = new Map<string, VirtualTask>();
  private readonly idle = new Set<() => void>();
  private inFlight = 0;

  constructor(
    readonly containerInstanceArn: string,
    private readonly cluster: string,
    private readonly send: SendReport,
    /** Delay between PENDING and RUNNING (a container "starting"). */
    private readonly runDelayMs = 0,
  ) {}

  apply(listing: readonly TaskAssignment[]): void {
    const listed = new Set<string>();
    for (const a of listing) {
      listed.add(a.taskArn);
      let t = this.tasks.get(a.taskArn);
      if (!t) this.tasks.set(a.taskArn, (t = { assignment: a, status: "NEW", target: "NEW", chain: Promise.resolve() }));
      t.assignment = a;
      if (a.desiredStatus === "RUNNING" && t.target === "NEW") {
        t.target = "RUNNING";
        this.queue(t, "PENDING");
        this.queue(t, "RUNNING");
      } else if (a.desiredStatus === "STOPPED" && t.target !== "STOPPED") {
        t.target = "STOPPED";
        this.queue(t, "STOPPED");
      }
    }
    for (const [arn, t] of this.tasks) if (!listed.has(arn) && t.status === "STOPPED") this.tasks.delete(arn);
  }

  /** Tasks by the last acknowledged status. */
  counts(): Record<VirtualStatus, number> {
    const out: Record<VirtualStatus, number> = { NEW: 0, PENDING: 0, RUNNING: 0, STOPPED: 0 };
    for (const t of this.tasks.values()) out[t.status]++;
    return out;
  }

  statusOf(taskArn: string): VirtualStatus | undefined {
    return this.tasks.get(taskArn)?.status;
  }

  /** Resolves once no report is queued or in flight. */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private queue(t: VirtualTask, status: "PENDING" | "RUNNING" | "STOPPED"): void {
    this.inFlight++;
    t.chain = t.chain
      .then(async () => {
        if (status === "RUNNING" && this.runDelayMs > 0) await new Promise((r) => setTimeout(r, this.runDelayMs));
        // A task stopped before it ran goes straight to STOPPED, as the real agent does.
        if (status !== "STOPPED" && t.target === "STOPPED") return;
        if (await this.send(this.report(t.assignment, status))) t.status = status;
      })
      .catch(() => undefined)
      .finally(() => {
        if (--this.inFlight === 0) for (const wake of [...this.idle]) (this.idle.delete(wake), wake());
      });
  }

  private report(a: TaskAssignment, status: "PENDING" | "RUNNING" | "STOPPED"): TaskStateReport {
    const now = Date.now() / 1000;
    const id = a.taskArn.slice(a.taskArn.lastIndexOf("/") + 1);
    const base = { cluster: this.cluster, task: a.taskArn, status };
    if (status === "PENDING") return { ...base, pullStartedAt: now, pullStoppedAt: now };
    if (status === "RUNNING") {
      return {
        ...base,
        containers: a.containers.map((c, i) => ({ containerName: c.name, runtimeId: `sim-${id.slice(0, 12)}-${i}`, status: "RUNNING" })),
      };
    }
    return {
      ...base,
      executionStoppedAt: now,
      containers: a.containers.map((c) => ({ containerName: c.name, status: "STOPPED", exitCode: 0 })),
    };
  }
}
