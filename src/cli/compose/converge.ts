import type { Connection } from "../connection.js";
import { describeServices, type EcsServiceView, type LoadBalancer } from "./aws.js";
import type { ComposePlan } from "../../core/compose/index.js";
import type { Say } from "./apply.js";

/**
 * Progress while a project's services converge: one line whenever a service's running count or
 * rollout state changes, until every service's one deployment has COMPLETED with its desired
 * count running (or one FAILED, or the time is up). Then the URLs.
 */
export async function waitConverged(conn: Connection, plan: ComposePlan, say: Say, timeoutMs: number): Promise<boolean> {
  const cluster = plan.cluster.name;
  const names = plan.services.map((s) => s.name);
  const last = new Map<string, string>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const services = await describeServices(conn, cluster, names);
    let done = services.length === names.length;
    for (const s of services) {
      const line = progressLine(s);
      if (last.get(s.serviceName) !== line) {
        last.set(s.serviceName, line);
        say(`${s.serviceName}: ${line}`);
      }
      const primary = s.deployments?.find((d) => d.status === "PRIMARY");
      if (primary?.rolloutState === "FAILED") {
        const events = (s.events ?? []).slice(0, 3).map((e) => `    ${e.message}`);
        say(`${s.serviceName}: deployment FAILED: ${primary.rolloutStateReason ?? ""}\n${events.join("\n")}`);
        return false;
      }
      if (!(s.deployments?.length === 1 && primary?.rolloutState === "COMPLETED" && s.runningCount === s.desiredCount)) done = false;
    }
    if (done) return true;
    if (Date.now() > deadline) {
      say(`not converged after ${Math.round(timeoutMs / 1000)} s: 'wharf compose ps' and 'aws ecs describe-services' show where each service is`);
      return false;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function progressLine(s: EcsServiceView): string {
  const primary = s.deployments?.find((d) => d.status === "PRIMARY");
  const rolling = (s.deployments?.length ?? 0) > 1 ? `, replacing ${s.deployments!.length - 1} older deployment${s.deployments!.length > 2 ? "s" : ""}` : "";
  return `${s.runningCount}/${s.desiredCount} running${s.pendingCount ? `, ${s.pendingCount} pending` : ""}${primary?.rolloutState ? ` (rollout ${primary.rolloutState}${rolling})` : ""}`;
}

/** The URLs of the published ports: the load balancer's DNSName, and the curl line that reaches it on this machine. */
export function urlLines(plan: ComposePlan, lb: LoadBalancer | undefined): string[] {
  if (!plan.loadBalancer || !lb) return [];
  const out: string[] = [];
  for (const l of plan.loadBalancer.listeners) {
    const tg = plan.targetGroups.find((t) => t.name === l.targetGroup)!;
    const scheme = l.protocol === "HTTP" ? "http" : "tcp";
    const host = l.port === 80 && scheme === "http" ? lb.dnsName : `${lb.dnsName}:${l.port}`;
    out.push(`${tg.service}: ${scheme}://${host}/`);
    if (scheme === "http") out.push(`  curl --resolve ${lb.dnsName}:${l.port}:${lb.address} http://${host}/`);
    else out.push(`  reach it at ${lb.address}:${l.port} (${lb.dnsName} resolves to ${lb.address} through Wharf's DNS server)`);
  }
  return out;
}
