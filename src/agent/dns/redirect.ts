import { CredentialsRedirect, type RedirectTarget } from "../credentials/redirect.js";

/** AWS's VPC resolver address (the "Amazon-provided DNS" every VPC has at 169.254.169.253). */
export const VPC_RESOLVER_ADDRESS = "169.254.169.253";

/**
 * 169.254.169.253:53 (UDP and TCP) for this agent's containers: per-container nat PREROUTING
 * DNAT rules (matched by the container's MAC, as the credentials redirect's) to the agent's DNS
 * relay at the container's gateway. Comment `wharf-dns:<tag>`.
 */
export class DnsRedirect extends CredentialsRedirect {
  protected override get kind(): string {
    return "wharf-dns";
  }

  protected override specs(t: RedirectTarget): string[][] {
    return ["udp", "tcp"].map((proto) => ["-d", `${VPC_RESOLVER_ADDRESS}/32`, "-p", proto, "-m", "mac", "--mac-source", t.mac, "--dport", "53", "-m", "comment", "--comment", this.comment, "-j", "DNAT", "--to-destination", `${t.toIp}:${t.toPort}`]);
  }
}
