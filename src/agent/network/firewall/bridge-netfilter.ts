import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { promisify } from "node:util";

/**
 * Traffic between two containers on the same Docker bridge is switched, not routed: it reaches
 * iptables' FORWARD chain only while the br_netfilter module is loaded and
 * `net.bridge.bridge-nf-call-iptables` is 1. Docker turns both on when it creates a bridge
 * network with inter-container rules; if they are off, the firewall loads the module and sets
 * the switch (as Docker itself does), and says so. Without them, rules between tasks of one
 * subnet would silently not apply, so the firewall reports it cannot enforce.
 */

export interface BridgeNetfilterStatus {
  /** True when bridged IPv4 traffic crosses iptables. */
  ok: boolean;
  /** What was found or done, for the log. */
  detail: string;
}

export interface BridgeNetfilterEnv {
  /** Default /proc/sys/net/bridge/bridge-nf-call-iptables. */
  sysctlPath?: string;
  /** Loads br_netfilter (default `modprobe br_netfilter`). */
  loadModule?: () => Promise<void>;
}

const run = promisify(execFile);
export const BRIDGE_NF_SYSCTL = "/proc/sys/net/bridge/bridge-nf-call-iptables";

export async function ensureBridgeNetfilter(env: BridgeNetfilterEnv = {}): Promise<BridgeNetfilterStatus> {
  const path = env.sysctlPath ?? BRIDGE_NF_SYSCTL;
  const load = env.loadModule ?? (async () => void (await run("modprobe", ["br_netfilter"])));
  const read = () => readFile(path, "utf8").then((s) => s.trim(), () => undefined);
  let value = await read();
  let loaded = false;
  if (value === undefined) {
    try {
      await load();
      loaded = true;
    } catch (err) {
      return { ok: false, detail: `br_netfilter is not loaded and modprobe failed: ${(err as Error).message}` };
    }
    value = await read();
    if (value === undefined) return { ok: false, detail: `br_netfilter loaded but ${path} is missing` };
  }
  if (value === "1") return { ok: true, detail: loaded ? "loaded br_netfilter; bridge-nf-call-iptables is 1" : "bridge-nf-call-iptables is 1" };
  try {
    await writeFile(path, "1\n");
  } catch (err) {
    return { ok: false, detail: `bridge-nf-call-iptables is ${value} and cannot be set: ${(err as Error).message}` };
  }
  const now = await read();
  return now === "1"
    ? { ok: true, detail: `set bridge-nf-call-iptables to 1 (was ${value})${loaded ? " after loading br_netfilter" : ""}` }
    : { ok: false, detail: `bridge-nf-call-iptables stays ${now}` };
}
