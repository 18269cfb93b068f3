import type { TaskAssignment } from "../../contracts/agent-protocol.js";
import type { TaskPlan } from "../container-config.js";
import type { MetadataEndpoint } from "../metadata/server.js";
import type { RedirectTarget } from "../credentials/redirect.js";
import { type DnsRedirect, VPC_RESOLVER_ADDRESS } from "./redirect.js";
import type { DnsRelay } from "./relay.js";

/** What the agent gives tasks their resolver with (src/agent/agent.ts builds it). */
export interface DnsContext {
  relay: DnsRelay;
  /** The 169.254.169.253 redirect (absent: tasks keep Docker's resolver). */
  redirect?: DnsRedirect;
  log?(line: Record<string, unknown>): void;
}

/**
 * A task's part in DNS (docs/dns.md), for the task setup hook: awsvpc and bridge tasks get
 * 169.254.169.253 as their resolver (HostConfig.Dns; awsvpc: it moves to the pause container),
 * as every VPC's Amazon-provided DNS serves every instance in AWS, unless the task definition
 * names its own `dnsServers`, or the control plane runs no DNS server. Bridge containers get
 * their own MAC (as for credentials) so the redirect can match them; an awsvpc task is matched
 * by its ENI's MAC and known to the relay by its ENI address, with its VPC. Host-mode tasks
 * share the host's resolver; `none` has no network.
 */
export function dnsHook(c: DnsContext | undefined, metadata: MetadataEndpoint | undefined, a: TaskAssignment, plan: TaskPlan) {
  if (!c?.redirect || !c.relay.hasServer) return undefined;
  const mode = plan.networkMode;
  if (mode !== "awsvpc" && mode !== "bridge") return undefined;
  if (plan.containers.some((ct) => ct.body.HostConfig.Dns?.length)) return undefined;
  if (mode === "awsvpc" && !a.eni) return undefined;
  if (mode === "bridge" && !metadata) return undefined;
  const targets: RedirectTarget[] = [];
  for (const ct of plan.containers) {
    ct.body.HostConfig.Dns = [VPC_RESOLVER_ADDRESS];
    if (mode === "bridge") {
      const mac = metadata!.macFor(a.taskArn, ct.name);
      ct.body.MacAddress = mac;
      targets.push({ mac, toIp: metadata!.bridgeGateway, toPort: c.relay.port });
    }
  }
  if (mode === "awsvpc") targets.push({ mac: a.eni!.macAddress, toIp: a.eni!.subnetGatewayIpv4Address, toPort: c.relay.port });
  return {
    async beforeCreate(): Promise<void> {
      if (a.eni) c.relay.register(a.taskArn, [a.eni.privateIpv4Address], a.eni.vpcId);
      await c.redirect?.set(a.taskArn, targets).catch((err: Error) =>
        c.log?.({ level: "warn", msg: "DNS redirect not set; the task cannot reach 169.254.169.253", taskArn: a.taskArn, error: err.message }),
      );
    },
    async afterRemove(): Promise<void> {
      c.relay.forget(a.taskArn);
      await c.redirect?.remove(a.taskArn);
    },
  };
}
