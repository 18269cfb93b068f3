import { type BackoffOptions, backoffDelay, sleep } from "../../core/backoff.js";
import type { NetworkBinding } from "@aws-sdk/client-ecs";

/**
 * How the task engine tells the control plane what happened: the bodies of
 * SubmitTaskStateChange / SubmitContainerStateChange. Timestamps are epoch seconds, as the
 * ECS JSON protocol writes them.
 */
export interface ContainerReport {
  containerName: string;
  runtimeId?: string;
  status: "PENDING" | "RUNNING" | "STOPPED";
  exitCode?: number;
  reason?: string;
  networkBindings?: NetworkBinding[];
  imageDigest?: string;
  /** Wharf extension (see protocol.ts): the container's health, for containers with a health check. */
  healthStatus?: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
  /** Wharf extension: when the container started, epoch seconds. */
  startedAt?: number;
}

export interface TaskStateReport {
  cluster: string;
  task: string;
  /** The agent sends PENDING, RUNNING and STOPPED; the control plane owns the states between. */
  status: "PENDING" | "RUNNING" | "STOPPED";
  reason?: string;
  containers?: ContainerReport[];
  pullStartedAt?: number;
  pullStoppedAt?: number;
  executionStoppedAt?: number;
}

export interface ContainerStateReport extends ContainerReport {
  cluster: string;
  task: string;
}

/** Sends one report; resolves once acknowledged. Throw ReportRejected for answers retrying cannot fix. */
export interface Reporter {
  submitTaskStateChange(report: TaskStateReport): Promise<void>;
  submitContainerStateChange(report: ContainerStateReport): Promise<void>;
}

/** The control plane refused a report for good (e.g. the task no longer exists): drop it, do not retry. */
export class ReportRejected extends Error {
  override name = "ReportRejected";
}

export type QueuedReport =
  | { kind: "task"; body: TaskStateReport }
  | { kind: "container"; body: ContainerStateReport };

/**
 * One task's reports, sent strictly in order, each retried with backoff until acknowledged,
 * so the control plane never sees RUNNING after STOPPED.
 */
export class ReportQueue {
  private readonly items: QueuedReport[] = [];
  private sending = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly reporter: Reporter,
    private readonly signal: AbortSignal,
    private readonly log: (line: Record<string, unknown>) => void = () => undefined,
    private readonly backoff: BackoffOptions = {},
  ) {}

  push(report: QueuedReport): void {
    this.items.push(report);
    if (!this.sending) void this.pump();
  }

  /** Resolves once every queued report is acknowledged (or the queue is aborted). */
  drain(): Promise<void> {
    if (this.items.length === 0 && !this.sending) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async pump(): Promise<void> {
    this.sending = true;
    let attempt = 0;
    while (this.items.length > 0 && !this.signal.aborted) {
      const item = this.items[0]!;
      try {
        if (item.kind === "task") await this.reporter.submitTaskStateChange(item.body);
        else await this.reporter.submitContainerStateChange(item.body);
        this.items.shift();
        attempt = 0;
      } catch (err) {
        if (err instanceof ReportRejected) {
          this.log({ msg: "report rejected, dropped", task: item.body.task, error: err.message });
          this.items.shift();
          continue;
        }
        const delay = backoffDelay(attempt++, this.backoff);
        this.log({ msg: "report failed, retrying", task: item.body.task, error: (err as Error).message, retryInMs: delay });
        await sleep(delay, this.signal);
      }
    }
    this.sending = false;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
