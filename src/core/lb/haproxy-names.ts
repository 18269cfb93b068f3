import { createHash } from "node:crypto";
import type { LbListener, LbLoadBalancer, LbTarget, LbTargetGroup } from "./data-plane-contract.js";

/**
 * Names in the generated haproxy.cfg. HAProxy allows letters, digits, '-', '_', '.' and ':' in
 * proxy and server names; every name here is stable for the same input so a regenerated config
 * and the runtime API agree on what they call each thing.
 */

const clean = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, "_");
const short = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 8);

export function backendName(tg: Pick<LbTargetGroup, "arn" | "name">): string {
  return `tg_${clean(tg.name)}_${short(tg.arn)}`;
}

export function frontendName(lb: Pick<LbLoadBalancer, "name">, listener: Pick<LbListener, "port" | "arn">): string {
  return `lb_${clean(lb.name)}_${listener.port}_${short(listener.arn)}`;
}

/** One server per (address, port) of a group: ELB's target identity within a group is (id, port). */
export function serverName(target: Pick<LbTarget, "id" | "port">): string {
  return `t_${clean(target.id)}_${target.port}`;
}

/** The cookie value that pins a client to a target (lb_cookie stickiness). */
export function serverCookie(target: Pick<LbTarget, "id" | "port">): string {
  return short(`${target.id}:${target.port}`);
}

/** `addr:port` as HAProxy reads it (IPv6 in brackets). */
export function serverAddress(target: Pick<LbTarget, "address" | "port">): string {
  return target.address.includes(":") ? `ipv6@${target.address}:${target.port}` : `${target.address}:${target.port}`;
}

/** The key of a target within its group (as reports name it). */
export function targetKey(tgArn: string, target: Pick<LbTarget, "id" | "port">): string {
  return `${tgArn}|${target.id}|${target.port}`;
}
