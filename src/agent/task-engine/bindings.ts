import type { NetworkBinding, TransportProtocol } from "@aws-sdk/client-ecs";
import type { ContainerPlan, NetworkMode } from "../container-config.js";
import type { ContainerInspect } from "../docker/types.js";

/**
 * The network bindings ECS reports for a running container: in bridge mode the host ports
 * Docker really bound (read back from inspect, so dynamic ports are exact); in host mode the
 * container ports themselves. IPv6 duplicates of an IPv4 binding are left out.
 */
export function networkBindings(
  mode: NetworkMode,
  plan: ContainerPlan,
  inspect: ContainerInspect | undefined,
  hostIp: string | undefined,
): NetworkBinding[] {
  if (mode === "host") return hostModeBindings(plan, hostIp);
  if (mode !== "bridge" || !inspect) return [];
  const out: NetworkBinding[] = [];
  for (const [key, list] of Object.entries(inspect.NetworkSettings?.Ports ?? {})) {
    if (!list) continue;
    const [port, proto] = key.split("/") as [string, string];
    const v4 = list.filter((b) => !(b.HostIp ?? "").includes(":"));
    for (const b of v4.length ? v4 : list) {
      out.push({
        bindIP: b.HostIp || "0.0.0.0",
        containerPort: Number(port),
        hostPort: Number(b.HostPort),
        protocol: (proto ?? "tcp") as TransportProtocol,
      });
    }
  }
  return out;
}

function hostModeBindings(plan: ContainerPlan, hostIp: string | undefined): NetworkBinding[] {
  return plan.portMappings.map((pm) => ({
    bindIP: hostIp ?? "0.0.0.0",
    containerPort: pm.containerPort,
    hostPort: pm.containerPort,
    protocol: pm.protocol as TransportProtocol,
  }));
}
