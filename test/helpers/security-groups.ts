import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { compilePolicy } from "../../src/core/network/compile-policy.js";
import { parseSave, planRestore } from "../../src/core/network/iptables-plan.js";
import { EMPTY_NETWORK_POLICY, type PolicyPermission, type PolicySecurityGroup } from "../../src/core/network/security-policy.js";

/** Helpers of the security group tests: a mutable group catalog, the kernel's rules, connection probes. */

const run = promisify(execFile);

export const ALL_EGRESS: PolicyPermission[] = [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }];

/** Groups a test changes as the EC2 API would; `changed()` tells the control plane. */
export class TestGroups {
  readonly groups = new Map<string, PolicySecurityGroup>();
  private listeners: (() => void)[] = [];
  onChange = (l: () => void): void => void this.listeners.push(l);
  set(id: string, ingress: PolicyPermission[], egress: PolicyPermission[] = ALL_EGRESS): void {
    this.groups.set(id, { GroupId: id, IpPermissions: ingress, IpPermissionsEgress: egress });
    for (const l of this.listeners) l();
  }
}

/** The filter table as iptables-save prints it. */
export async function filterTable(): Promise<string> {
  return (await run("iptables-save", ["-t", "filter"], { maxBuffer: 64 << 20 })).stdout;
}

/** The lines of the dump that belong to a prefix (its chains and its hook). */
export const linesOf = (dump: string, prefix: string): string[] => dump.split("\n").filter((l) => l.includes(`${prefix}-`));

/** The names the compiler gives an ENI's chains. */
export function eniChains(prefix: string, networkInterfaceId: string): { ingress: string; egress: string } {
  const h = createHash("sha256").update(networkInterfaceId).digest("hex").slice(0, 10);
  return { ingress: `${prefix}-I${h}`, egress: `${prefix}-E${h}` };
}

/** Polls the kernel until `ok(dump)` holds (bounded); resolves the milliseconds it took. */
export async function waitKernel(what: string, ok: (dump: string) => boolean, timeoutMs = 10_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    const dump = await filterTable();
    if (ok(dump)) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`kernel never got to: ${what}\n${dump}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * One TCP connection from inside a container (busybox nc, 2 s connect timeout): "ok" when the
 * server's greeting came back, "timeout" when nothing answered (dropped), else "refused"/other.
 */
export async function connect(containerId: string, ip: string, port: number): Promise<"ok" | "timeout" | "refused" | string> {
  const out = await run("docker", ["exec", containerId, "nc", "-w", "2", ip, String(port)]).then(
    (r) => r.stdout + r.stderr,
    (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ""}${e.stderr ?? ""}`,
  );
  if (out.includes("pong")) return "ok";
  if (/timed out/i.test(out)) return "timeout";
  if (/refused/i.test(out)) return "refused";
  return out.trim() || "nothing";
}

/** Removes whatever chains and hook of `prefix` are left (cleanup after a failed test). */
export async function removeChains(prefix: string): Promise<void> {
  const plan = planRestore(compilePolicy(EMPTY_NETWORK_POLICY, prefix), parseSave(await filterTable(), prefix), prefix);
  if (!plan.script) return;
  await new Promise<void>((resolve, reject) => {
    const child = execFile("iptables-restore", ["--noflush", "--wait"], (err) => (err ? reject(err) : resolve()));
    child.stdin!.end(plan.script);
  });
}
