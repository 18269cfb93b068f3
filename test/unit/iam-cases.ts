/** Helpers for the IAM evaluation tables: policies as plain objects, principals, rows. */
import { loadPolicy, type CompiledPolicy } from "../../src/core/iam/compile.js";
import type { ContextValue, RequestPrincipal } from "../../src/core/iam/context.js";
import type { PolicyKind } from "../../src/core/iam/policy.js";

export const A = "111122223333";
export const B = "444455556666";
export const ALICE: RequestPrincipal = { kind: "User", arn: `arn:aws:iam::${A}:user/alice`, account: A, userId: "AIDAALICE" };
export const ROLE_ARN = `arn:aws:iam::${A}:role/app`;
export const SESSION: RequestPrincipal = {
  kind: "AssumedRole",
  arn: `arn:aws:sts::${A}:assumed-role/app/s1`,
  roleArn: ROLE_ARN,
  account: A,
  userId: "AROAAPP:s1",
};
export const ROOT: RequestPrincipal = { kind: "Account", arn: `arn:aws:iam::${A}:root`, account: A };
export const BOB_B: RequestPrincipal = { kind: "User", arn: `arn:aws:iam::${B}:user/bob`, account: B };
export const ECS_TASKS: RequestPrincipal = { kind: "Service", arn: "ecs-tasks.amazonaws.com", service: "ecs-tasks.amazonaws.com" };

export type Stmt = Record<string, unknown>;
let n = 0;
export function pol(statements: Stmt | Stmt[], kind: PolicyKind = "identity", version: string | null = "2012-10-17"): CompiledPolicy {
  const doc: Record<string, unknown> = { Statement: statements };
  if (version) doc.Version = version;
  return loadPolicy(JSON.stringify(doc), kind, `p${++n}`);
}
export const allow = (Action: unknown, Resource: unknown = "*", extra: Stmt = {}): Stmt => ({ Effect: "Allow", Action, Resource, ...extra });
export const deny = (Action: unknown, Resource: unknown = "*", extra: Stmt = {}): Stmt => ({ Effect: "Deny", Action, Resource, ...extra });

export interface Row {
  readonly d: string;
  readonly identity?: CompiledPolicy[];
  readonly resource?: CompiledPolicy[];
  readonly boundary?: CompiledPolicy;
  readonly session?: CompiledPolicy[];
  readonly principal?: RequestPrincipal;
  readonly action?: string;
  readonly res?: string;
  readonly resourceAccount?: string;
  readonly ctx?: Record<string, ContextValue>;
  readonly want: "Allow" | "ExplicitDeny" | "ImplicitDeny";
  /** The deciding statement's Sid (or `#index`) and policy type, when the row checks it. */
  readonly by?: string;
  readonly missing?: string;
}
