import { spawn } from "node:child_process";

/**
 * The host's neighbor (ARP) entries for addresses a new container now holds. Wharf gives
 * containers MACs of their own (an awsvpc task's ENI MAC, a bridge container's MAC for its
 * credentials redirect), so an address reused by a new container comes with a new MAC. Docker's
 * own MACs follow the address, Wharf's do not: the host would keep sending to the old container's
 * MAC until its entry ages out (tens of seconds, during which the new container is unreachable
 * from the host: port bindings, load balancer targets). Flushing the entry once the container
 * has started makes the next packet ask again.
 */
export type NeighborFlush = (ips: readonly string[]) => Promise<void>;

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** `ip neigh flush to <ip>` for each address; a failure (no iproute2, no permission) is logged, never thrown. */
export function systemNeighborFlush(log?: (line: Record<string, unknown>) => void, cmd = "ip"): NeighborFlush {
  return async (ips) => {
    for (const ip of new Set(ips)) {
      if (!IPV4.test(ip)) continue;
      await new Promise<void>((resolve) => {
        const child = spawn(cmd, ["neigh", "flush", "to", ip], { stdio: ["ignore", "ignore", "pipe"] });
        let err = "";
        child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
        child.once("error", (e) => {
          log?.({ level: "warn", msg: "cannot flush the host's neighbor entry; the container may be unreachable for a while", ip, error: e.message });
          resolve();
        });
        child.once("close", (code) => {
          if (code !== 0) log?.({ level: "warn", msg: "cannot flush the host's neighbor entry", ip, error: err.trim() });
          resolve();
        });
      });
    }
  };
}
