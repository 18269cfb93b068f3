import { spawn } from "node:child_process";

/**
 * The two iptables commands the firewall needs: a dump of the filter table and a --noflush
 * restore (one transaction). `iptables-nft` and `iptables-legacy` both work; the restore waits
 * for the xtables lock (`--wait`) that Docker and other writers take on legacy kernels.
 */
export interface IptablesBackend {
  save(): Promise<string>;
  restore(script: string): Promise<void>;
}

export class IptablesError extends Error {
  override name = "IptablesError";
}

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.once("error", (e) => reject(new IptablesError(`${cmd}: ${e.message}`)));
    child.once("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new IptablesError(`${cmd} ${args.join(" ")} exited ${code}: ${err.trim() || out.trim()}`));
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(input ?? "");
  });
}

/** The system's iptables (`iptables-save` / `iptables-restore` on PATH, or given paths). */
export function systemIptables(o: { save?: string; restore?: string } = {}): IptablesBackend {
  const save = o.save ?? "iptables-save";
  const restore = o.restore ?? "iptables-restore";
  return {
    save: () => run(save, ["-t", "filter"]),
    restore: async (script) => {
      await run(restore, ["--noflush", "--wait"], script);
    },
  };
}
