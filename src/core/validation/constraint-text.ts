/**
 * The words AWS's request validation (the Coral framework behind ECS and CloudWatch Logs) uses for
 * a value that breaks a constraint of the service model, e.g.
 *
 *   1 validation error detected: Value 'x…' at 'logGroupName' failed to satisfy constraint:
 *   Member must have length less than or equal to 512
 *
 * Paths name members from the top of the input, list items as `name.N.member` (1-based); a list of
 * plain values or a map is reported as a whole ("Member must satisfy constraint: [...]", "Map value
 * must satisfy constraint: [...]").
 */

/** The constraints a model can state on one shape (the compact form of scripts/gen-models.py). */
export interface Bounds {
  min?: number;
  max?: number;
  /** Enum values (strings). */
  e?: string[];
  /** A Java regular expression the whole value must match. */
  p?: string;
}

export const lengthAtMost = (max: number) => `Member must have length less than or equal to ${max}`;
export const lengthAtLeast = (min: number) => `Member must have length greater than or equal to ${min}`;
export const valueAtMost = (max: number) => `Member must have value less than or equal to ${max}`;
export const valueAtLeast = (min: number) => `Member must have value greater than or equal to ${min}`;
export const inEnum = (values: readonly string[]) => `Member must satisfy enum value set: [${values.join(", ")}]`;
export const matchesPattern = (pattern: string) => `Member must satisfy regular expression pattern: ${pattern}`;
export const NOT_NULL = "Member must not be null";

/** Every constraint of a scalar shape, in AWS's order (for list members and map keys/values). */
export function allConstraints(b: Bounds, numeric: boolean): string[] {
  const out: string[] = [];
  if (b.max !== undefined) out.push(numeric ? valueAtMost(b.max) : lengthAtMost(b.max));
  if (b.min !== undefined) out.push(numeric ? valueAtLeast(b.min) : lengthAtLeast(b.min));
  if (b.e) out.push(inEnum(b.e));
  if (b.p !== undefined) out.push(matchesPattern(b.p));
  return out;
}

export const memberConstraint = (inner: string[]) => `Member must satisfy constraint: [${inner.join(", ")}]`;
export const mapValueConstraint = (inner: string[]) => `Map value must satisfy constraint: [${inner.join(", ")}]`;
export const mapKeyConstraint = (inner: string[]) => `Map keys must satisfy constraint: [${inner.join(", ")}]`;

const isScalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/**
 * A value as the message shows it (Java's toString): strings bare, lists `[a, b]`, maps `{k=v}`.
 * undefined for collections holding structures, whose text AWS leaves out ("Value at 'x'").
 */
export function shownValue(v: unknown): string | undefined {
  if (v === null || v === undefined) return "null";
  if (isScalar(v)) return String(v);
  if (Array.isArray(v)) return v.every(isScalar) ? `[${v.map(String).join(", ")}]` : undefined;
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>);
    return entries.every(([, x]) => isScalar(x)) ? `{${entries.map(([k, x]) => `${k}=${String(x)}`).join(", ")}}` : undefined;
  }
  return undefined;
}

/** One violation: `Value 'v' at 'path' failed to satisfy constraint: …` (`Value null at …`). */
export function violation(value: unknown, path: string, constraint: string): string {
  const shown = shownValue(value);
  const what = shown === undefined ? "Value" : value === null || value === undefined ? "Value null" : `Value '${shown}'`;
  return `${what} at '${path}' failed to satisfy constraint: ${constraint}`;
}

/** The whole message for one or more violations. */
export function validationMessage(violations: readonly string[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? "" : "s"} detected: ${violations.join("; ")}`;
}
