import type { CallContext, OperationAuthz, RequestContext } from "../edge/service.js";

/**
 * One operation as a service module declares it: what runs, and how it is authorized — the IAM
 * action a policy names for it, the resource ARNs the call acts on (what a policy's `Resource`
 * would match; `*` for the id of a resource the call creates, or for actions without
 * resource-level permissions), the condition keys it sets and further checks (iam:PassRole).
 * The edge's authorizer reads the `OperationAuthz` half (`Service.authorization`), in one form
 * for every service.
 */
export interface OperationSpec<D> extends OperationAuthz {
  // Input arrives validated against the model, typed by the SDK's own request types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  run: (deps: D, input: any, ctx: RequestContext) => Promise<unknown>;
}

/**
 * The `Service.authorization` map of a table of specs; `context` (the service's way of reading
 * request tags and keys) applies to each operation that declares none of its own.
 */
export function authorizationOf(
  specs: Record<string, OperationAuthz>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  context?: (input: any) => CallContext,
): Record<string, OperationAuthz> {
  const out: Record<string, OperationAuthz> = {};
  for (const [name, s] of Object.entries(specs)) {
    const ctx = s.context ?? (context ? (i: unknown) => context(i) : undefined);
    out[name] = { action: s.action, resources: s.resources, ...(ctx ? { context: ctx } : {}), ...(s.also ? { also: s.also } : {}) };
  }
  return out;
}

/** `[{Key, Value}]` (EC2, ELBv2) or `[{key, value}]` (ECS) → a tag map; undefined when absent. */
export function tagListToMap(list: unknown): Record<string, string> | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: Record<string, string> = {};
  for (const t of list as Record<string, unknown>[]) {
    const k = t?.Key ?? t?.key;
    if (typeof k === "string") out[k] = String(t.Value ?? t.value ?? "");
  }
  return out;
}
