import type { Comparison, QueryNode } from "./ast.js";
import { isDynamic } from "./ast.js";
import { parseQuery } from "./parse.js";
import { compileRegex, parseQueryDate } from "./subjects.js";

/**
 * What an expression is evaluated against: one container instance. Placement's cluster index
 * and the ListContainerInstances filter each provide one (see `targetFromInstance`).
 */
export interface QueryTarget {
  ec2InstanceId: string | undefined;
  /** Epoch seconds. */
  registeredAt: number | undefined;
  runningTasksCount: number;
  agentConnected: boolean;
  agentVersion: string | undefined;
  /** The attribute's value; null for an attribute without a value; undefined when absent. */
  attribute(name: string): string | null | undefined;
  /** The task groups of the tasks on the instance (each group once). */
  taskGroups(): Iterable<string>;
}

export type Predicate = (t: QueryTarget) => boolean;

export interface CompiledQuery {
  readonly source: string;
  readonly ast: QueryNode;
  /** True when the result depends on runningTasksCount or task:group (changes as tasks are placed). */
  readonly dynamic: boolean;
  readonly test: Predicate;
}

/** Parses and compiles once; throws QueryError (InvalidParameterException) on a bad expression. */
export function compileQuery(source: string): CompiledQuery {
  const ast = parseQuery(source);
  return { source, ast, dynamic: isDynamic(ast), test: compileNode(ast) };
}

const cache = new Map<string, CompiledQuery>();
const CACHE_LIMIT = 1000;

/** compileQuery with a bounded cache: placement sees the same few expressions over and over. */
export function compileQueryCached(source: string): CompiledQuery {
  let hit = cache.get(source);
  if (!hit) {
    hit = compileQuery(source);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, hit);
  }
  return hit;
}

function compileNode(node: QueryNode): Predicate {
  switch (node.type) {
    case "and": {
      const l = compileNode(node.left), r = compileNode(node.right);
      return (t) => l(t) && r(t);
    }
    case "or": {
      const l = compileNode(node.left), r = compileNode(node.right);
      return (t) => l(t) || r(t);
    }
    case "not": {
      const inner = compileNode(node.operand);
      return (t) => !inner(t);
    }
    case "compare":
      return compileComparison(node);
  }
}

/** Negative operators are the negation of their positive twin, so absent values satisfy them. */
const NEGATED = {
  not_equals: "equals",
  not_in: "in",
  not_matches: "matches",
  not_exists: "exists",
} as const;

function compileComparison(c: Comparison): Predicate {
  const negated = NEGATED[c.operator as keyof typeof NEGATED];
  if (negated) {
    const positive = compileComparison({ ...c, operator: negated });
    return (t) => !positive(t);
  }
  const test = valueTest(c);
  const s = c.subject;
  switch (s.kind) {
    case "attribute": {
      const name = s.name;
      if (c.operator === "exists") return (t) => t.attribute(name) !== undefined;
      return (t) => {
        const v = t.attribute(name);
        return v !== undefined && v !== null && test(v);
      };
    }
    case "taskGroup":
      // An instance holds a set of groups: the positive operators ask "does any task's group ...".
      if (c.operator === "exists") return (t) => !isEmpty(t.taskGroups());
      return (t) => {
        for (const g of t.taskGroups()) if (test(g)) return true;
        return false;
      };
    case "ec2InstanceId":
      return (t) => t.ec2InstanceId !== undefined && test(t.ec2InstanceId);
    case "agentConnected":
      return (t) => test(String(t.agentConnected));
    case "agentVersion":
      return (t) => t.agentVersion !== undefined && test(t.agentVersion);
    case "runningTasksCount":
      return (t) => test(String(t.runningTasksCount));
    case "registeredAt":
      return (t) => t.registeredAt !== undefined && test(String(t.registeredAt));
  }
}

const isEmpty = (it: Iterable<string>): boolean => {
  for (const _ of it) return false;
  return true;
};

/** Builds the test of one (string) value against the comparison's argument(s). */
function valueTest(c: Comparison): (v: string) => boolean {
  const arg = c.values[0] ?? "";
  const kind = c.subject.kind;
  // Dates, versions and counts are equal by value ("03" == 3, a date == its epoch seconds).
  const byValue = kind === "registeredAt" || kind === "agentVersion" || kind === "runningTasksCount";
  switch (c.operator) {
    case "equals": {
      if (!byValue) return (v) => v === arg;
      const order = ordering(c);
      return (v) => order(v) === 0;
    }
    case "in": {
      const set = new Set(c.values);
      return (v) => set.has(v);
    }
    case "matches": {
      const re = compileRegex(arg)!;
      return (v) => re.test(v);
    }
    case "greater_than":
    case "greater_than_equal":
    case "less_than":
    case "less_than_equal": {
      const order = ordering(c);
      const op = c.operator;
      return (v) => {
        const d = order(v);
        if (Number.isNaN(d)) return false;
        return op === "greater_than" ? d > 0 : op === "greater_than_equal" ? d >= 0 : op === "less_than" ? d < 0 : d <= 0;
      };
    }
    default:
      return () => false;
  }
}

/** Returns a comparator "value vs argument" (<0, 0, >0; NaN when incomparable) suited to the subject. */
function ordering(c: Comparison): (v: string) => number {
  const arg = c.values[0]!;
  switch (c.subject.kind) {
    case "registeredAt": {
      const at = parseQueryDate(arg)!;
      return (v) => Number(v) - at;
    }
    case "agentVersion": {
      const target = versionParts(arg);
      return (v) => compareVersions(versionParts(v), target);
    }
    default: {
      const n = Number(arg);
      const numeric = arg.trim() !== "" && Number.isFinite(n);
      return (v) => {
        const m = Number(v);
        if (numeric && v.trim() !== "" && Number.isFinite(m)) return m - n;
        return v < arg ? -1 : v > arg ? 1 : 0;
      };
    }
  }
}

const versionParts = (v: string): number[] => v.replace(/^v/, "").split(/[.\-+]/).map((p) => Number.parseInt(p, 10) || 0);

const compareVersions = (a: number[], b: number[]): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
};
