import type { Comparison, Operator, Subject } from "./ast.js";
import { subjectName } from "./ast.js";

/**
 * What each subject allows, as ECS documents it ("Valid operators: ..."). `attribute:` has no
 * documented restriction, so every operator applies to it.
 */
const EQUALITY: Operator[] = ["equals", "not_equals", "in", "not_in", "matches", "not_matches"];
const ORDERING: Operator[] = ["equals", "not_equals", "greater_than", "greater_than_equal", "less_than", "less_than_equal"];

const ALLOWED: Record<Exclude<Subject["kind"], "attribute">, ReadonlySet<Operator>> = {
  agentConnected: new Set(EQUALITY),
  ec2InstanceId: new Set(EQUALITY),
  agentVersion: new Set(ORDERING),
  registeredAt: new Set(ORDERING),
  runningTasksCount: new Set(ORDERING),
  taskGroup: new Set([...EQUALITY, "exists", "not_exists"]),
};

/** Date forms ECS accepts for registeredAt: 2018-06-18T22:28:28+00:00, ...Z, no zone (UTC), or a date. */
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Parses a registeredAt argument to epoch seconds, or undefined when it is not a valid date. */
export const parseQueryDate = (value: string): number | undefined => {
  if (!DATE.test(value)) return undefined;
  const iso = value.length === 10 ? `${value}T00:00:00Z` : /Z|[+-]\d{2}:\d{2}$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
};

/**
 * ECS's `=~` takes a Java regular expression and, as Java's `matches()`, must match the whole
 * value (`g4dn.*` matches `g4dn.xlarge`, `g4dn` alone does not match `g4dn.xlarge`).
 */
export const compileRegex = (pattern: string): RegExp | undefined => {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
};

/** Returns a problem description when the comparison is not valid for its subject, else undefined. */
export function checkComparison(c: Comparison): string | undefined {
  const { subject, operator, values } = c;
  if (subject.kind !== "attribute" && !ALLOWED[subject.kind].has(operator)) {
    const allowed = [...ALLOWED[subject.kind]].join(", ");
    return `operator '${operator}' is not valid for ${subjectName(subject)} (valid: ${allowed})`;
  }
  if (operator === "matches" || operator === "not_matches") {
    if (!compileRegex(values[0]!)) return `'${values[0]}' is not a valid regular expression`;
  }
  for (const v of values) {
    if (subject.kind === "registeredAt" && parseQueryDate(v) === undefined) {
      return `'${v}' is not a valid date for registeredAt (use 2018-06-18T22:28:28Z, 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28 or 2018-06-18)`;
    }
    if (subject.kind === "runningTasksCount" && !/^\d+$/.test(v)) {
      return `'${v}' is not a whole number for runningTasksCount`;
    }
  }
  return undefined;
}
