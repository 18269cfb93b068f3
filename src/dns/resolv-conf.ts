import { readFileSync } from "node:fs";
import type { DnsEndpoint } from "../contracts/dns-relay.js";

/** The host's resolver file, read afresh at each forward (Docker and DHCP rewrite it). */
export const DEFAULT_RESOLV_CONF = "/etc/resolv.conf";

/**
 * The `nameserver` lines of a resolv.conf, in order (port 53; an IPv6 zone suffix dropped).
 * None, or an unreadable file: 127.0.0.1, as resolv.conf(5) says.
 */
export function nameserversOf(text: string | undefined): DnsEndpoint[] {
  const out: DnsEndpoint[] = [];
  for (const line of (text ?? "").split("\n")) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m) out.push({ address: m[1]!.replace(/%.*$/, ""), port: 53 });
  }
  return out.length ? out : [{ address: "127.0.0.1", port: 53 }];
}

export function readNameservers(path: string): DnsEndpoint[] {
  let text: string | undefined;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    text = undefined;
  }
  return nameserversOf(text);
}
