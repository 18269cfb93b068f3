import { AwsError } from "../errors.js";

const bad = (m: string) => new AwsError("ValidationError", m);

/**
 * ELB's name rules for load balancers and target groups: at most 32 characters, only
 * alphanumerics and hyphens, not beginning or ending with a hyphen; a load balancer's name must
 * not begin with `internal-`.
 */
export function checkElbName(name: string, what: "load balancer" | "target group"): void {
  const noun = what === "load balancer" ? "Load balancer" : "Target group";
  if (name.length === 0) throw bad(`${noun} name cannot be empty`);
  if (name.length > 32) throw bad(`${noun} name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw bad(`${noun} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`);
  if (name.startsWith("-") || name.endsWith("-")) throw bad(`${noun} name '${name}' cannot begin or end with '-' character`);
  if (what === "load balancer" && name.toLowerCase().startsWith("internal-")) throw bad(`Load balancer name '${name}' cannot begin with 'internal-'`);
}
