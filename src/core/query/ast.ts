/**
 * The syntax tree of an ECS cluster query ("subject operator [argument]", combined with
 * and/or/not and parentheses). Kept as plain data so a parsed expression can be shown,
 * compared or compiled; `compile.ts` turns it into a closure evaluated many times.
 */

/** Canonical operator names (the word forms ECS documents next to the symbols). */
export type Operator =
  | "equals"
  | "not_equals"
  | "greater_than"
  | "greater_than_equal"
  | "less_than"
  | "less_than_equal"
  | "exists"
  | "not_exists"
  | "in"
  | "not_in"
  | "matches"
  | "not_matches";

/** The fields an expression may test. `attribute` carries the attribute's name. */
export type Subject =
  | { kind: "attribute"; name: string }
  | { kind: "ec2InstanceId" }
  | { kind: "registeredAt" }
  | { kind: "runningTasksCount" }
  | { kind: "agentConnected" }
  | { kind: "agentVersion" }
  | { kind: "taskGroup" };

export interface Comparison {
  type: "compare";
  subject: Subject;
  operator: Operator;
  /** One value for most operators, a list for in/not_in, none for exists/not_exists. */
  values: string[];
  /** Offset of the comparison in the source, for error messages. */
  position: number;
}

export type QueryNode =
  | Comparison
  | { type: "and"; left: QueryNode; right: QueryNode }
  | { type: "or"; left: QueryNode; right: QueryNode }
  | { type: "not"; operand: QueryNode };

/** Renders a subject as it is written in an expression. */
export const subjectName = (s: Subject): string =>
  s.kind === "attribute" ? `attribute:${s.name}` : s.kind === "taskGroup" ? "task:group" : s.kind;

/** True when the expression reads state that changes as tasks are placed (so its result cannot be cached per instance). */
export const isDynamic = (node: QueryNode): boolean => {
  switch (node.type) {
    case "compare":
      return node.subject.kind === "runningTasksCount" || node.subject.kind === "taskGroup";
    case "not":
      return isDynamic(node.operand);
    default:
      return isDynamic(node.left) || isDynamic(node.right);
  }
};
