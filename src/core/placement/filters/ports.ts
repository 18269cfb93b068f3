import type { TaskRequirements } from "../types.js";
import type { Filter } from "./filter.js";

/**
 * Static host ports must be free on the instance, including ports taken by tasks placed earlier
 * in the same batch. UDP ports (ECS's PORTS_UDP) are checked too and reported as RESOURCE:PORTS.
 */
export function portsFilter(t: TaskRequirements): Filter {
  const tcp = t.ports ?? [];
  const udp = t.portsUdp ?? [];
  const taken = (set: Set<number>, want: number[]) => want.find((p) => set.has(p));
  return {
    reason: "RESOURCE:PORTS",
    static: false,
    test: (ix, s) => taken(ix.ports[s]!, tcp) === undefined && taken(ix.portsUdp[s]!, udp) === undefined,
    detail: (ix, s) => {
      const p = taken(ix.ports[s]!, tcp);
      return p !== undefined ? `host port ${p}/tcp is in use` : `host port ${taken(ix.portsUdp[s]!, udp)}/udp is in use`;
    },
  };
}
