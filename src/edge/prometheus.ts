import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AccessLogEntry } from "./access-log.js";

/** Wharf's own health in Prometheus' text format (`GET /metrics`, docs/cloudwatch.md#wharfs-own-metrics). */
export interface WharfMetrics {
  /** One answered API request (the edge's access entry). */
  observe(entry: AccessLogEntry): void;
  /** One RunTask/StartTask answer: tasks placed, and each failure's reason (`RESOURCE:MEMORY`, …). */
  placements(placed: number, failureReasons: string[]): void;
  /** The exposition: content type and text. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** A registry of its own per server (several servers share a test process). */
export function wharfMetrics(sources: { connectedAgents(): number; workQueueDepth?(): number }): WharfMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: "wharf_api_requests_total",
    help: "API requests answered, by service, operation and outcome (ok, or the AWS error code).",
    labelNames: ["service", "operation", "outcome"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "wharf_api_request_duration_seconds",
    help: "API request latency, from the request's arrival to the end of its answer.",
    labelNames: ["service", "operation"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const placed = new Counter({ name: "wharf_task_placements_total", help: "Tasks placed by RunTask and StartTask.", registers: [registry] });
  const failed = new Counter({
    name: "wharf_task_placement_failures_total",
    help: "Placement failures answered by RunTask and StartTask, by reason.",
    labelNames: ["reason"],
    registers: [registry],
  });
  new Gauge({
    name: "wharf_agents_connected",
    help: "Container instances whose agent is connected (an open poll, or one within the grace period).",
    registers: [registry],
    collect() {
      this.set(sources.connectedAgents());
    },
  });
  if (sources.workQueueDepth) {
    const depth = sources.workQueueDepth;
    new Gauge({
      name: "wharf_reconcile_queue_depth",
      help: "Services waiting in the service controller's work queue.",
      registers: [registry],
      collect() {
        this.set(depth());
      },
    });
  }
  return {
    observe(e) {
      if (!e.service && !e.operation) return;
      const service = e.service ?? "unknown";
      const operation = e.operation ?? "unknown";
      requests.inc({ service, operation, outcome: e.aborted ? "aborted" : e.errorCode ?? (e.status < 400 ? "ok" : String(e.status)) });
      latency.observe({ service, operation }, e.durationMs / 1000);
    },
    placements(n, reasons) {
      if (n > 0) placed.inc(n);
      for (const r of reasons) failed.inc({ reason: r });
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
