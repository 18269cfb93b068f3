import { spawn } from "node:child_process";
import { createHash } from "node:crypto";

/**
 * 169.254.170.2:80 for containers, as amazon-ecs-agent makes it: a nat PREROUTING DNAT of that
 * address to the agent's listener. Wharf's agents share hosts (and the default bridge) with
 * other agents, so there is no one rule per network: each rule matches ONE container's traffic
 * (its source MAC: Wharf sets it on bridge containers before they start, and an awsvpc task's
 * pause container has its ENI's MAC), and sends it to this agent's listener at the container's
 * gateway. Rules carry the comment `wharf-creds:<tag>` (one tag per agent), so an agent removes
 * exactly its own: each task's at task removal, all of them at start (a crashed run) and close.
 */
export const CREDENTIALS_ADDRESS = "169.254.170.2";

export interface RedirectTarget {
  /** The container's MAC address (`02:…`). */
  mac: string;
  /** Where the agent listens, as the container reaches it (its gateway). */
  toIp: string;
  toPort: number;
}

export interface NatRunner {
  run(args: string[]): Promise<string>;
}

export const systemNat = (cmd = "iptables"): NatRunner => ({
  run: (args) =>
    new Promise((resolve, reject) => {
      const child = spawn(cmd, ["-w", "-t", "nat", ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
      child.once("error", (e) => reject(new Error(`${cmd}: ${e.message}`)));
      child.once("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} -t nat ${args.join(" ")} exited ${code}: ${err.trim()}`))));
    }),
});

/** One agent's tag: 12 hex digits of its container instance ARN. */
export const redirectTagFor = (containerInstanceArn: string): string => createHash("sha256").update(containerInstanceArn).digest("hex").slice(0, 12);

const TAG_RE = /^[A-Za-z0-9-]{1,40}$/;

export class CredentialsRedirect {
  private readonly rules = new Map<string, string[][]>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly tag: string,
    private readonly nat: NatRunner = systemNat(),
  ) {
    if (!TAG_RE.test(tag)) throw new Error(`redirect tag "${tag}" must match ${TAG_RE}`);
  }

  /** What the rules' comments start with (one word per kind of redirect). */
  protected get kind(): string {
    return "wharf-creds";
  }

  get comment(): string {
    return `${this.kind}:${this.tag}`;
  }

  /** The rules of one target (the DNS redirect, src/agent/dns/redirect.ts, has two: UDP and TCP). */
  protected specs(t: RedirectTarget): string[][] {
    return [["-d", `${CREDENTIALS_ADDRESS}/32`, "-p", "tcp", "-m", "mac", "--mac-source", t.mac, "--dport", "80", "-m", "comment", "--comment", this.comment, "-j", "DNAT", "--to-destination", `${t.toIp}:${t.toPort}`]];
  }

  /** One writer at a time: iptables calls of one agent never interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Puts `key`'s rules in place (replacing what `key` had). */
  set(key: string, targets: RedirectTarget[]): Promise<void> {
    return this.serial(async () => {
      await this.dropKey(key);
      const specs = targets.flatMap((t) => this.specs(t));
      this.rules.set(key, specs);
      for (const s of specs) await this.nat.run(["-I", "PREROUTING", ...s]);
    });
  }

  remove(key: string): Promise<void> {
    return this.serial(() => this.dropKey(key));
  }

  /** Every rule with this agent's comment, whoever's (a run that crashed left them). */
  clear(): Promise<void> {
    return this.serial(async () => {
      this.rules.clear();
      const listing = await this.nat.run(["-S", "PREROUTING"]);
      for (const line of listing.split("\n")) {
        const words = splitRule(line);
        if (words[0] !== "-A" || words[1] !== "PREROUTING" || words[words.indexOf("--comment") + 1] !== this.comment) continue;
        await this.nat.run(["-D", ...words.slice(1)]).catch(() => undefined);
      }
    });
  }

  private async dropKey(key: string): Promise<void> {
    const specs = this.rules.get(key) ?? [];
    this.rules.delete(key);
    for (const s of specs) await this.nat.run(["-D", "PREROUTING", ...s]).catch(() => undefined);
  }
}

/** `iptables -S` words, quotes removed (iptables quotes comments such as ours; they have no spaces). */
export const splitRule = (rule: string): string[] => rule.split(" ").filter(Boolean).map((w) => w.replace(/^"(.*)"$/, "$1"));
