/**
 * A policy compiled for evaluation: every Action, Resource and Condition turned into matchers
 * once (parse once, match fast). Policy variables are on for Version 2012-10-17 only.
 */
import { compileGlob, type Matcher } from "./glob.js";
import { compileResource } from "./arn-match.js";
import { compileConditions, type ConditionTest } from "./conditions.js";
import type { ContextMap } from "./context.js";
import type { Effect, PolicyDocument, PolicyKind, PrincipalElement } from "./policy.js";
import { parsePolicy } from "./policy.js";
import { parseTemplate, resolveTemplate } from "./variables.js";

export interface CompiledStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  /** Does the statement's Action / NotAction cover this action? */
  readonly action: (action: string) => boolean;
  /** Does its Resource / NotResource cover this resource? (true when it has neither: a trust policy) */
  readonly resource: (resource: string, ctx: ContextMap) => boolean;
  readonly principal?: PrincipalElement;
  readonly notPrincipal?: PrincipalElement;
  readonly condition?: ConditionTest;
}

export interface CompiledPolicy {
  /** What the decision names: a managed policy's ARN, or e.g. `user/alice/inline-name`. */
  readonly id: string;
  readonly statements: readonly CompiledStatement[];
  readonly hasDeny: boolean;
  /** Does any statement read a resource's tags (`…:ResourceTag/…` in a condition or variable)? The authorizer looks tags up only then. */
  readonly readsResourceTags: boolean;
  /** The statements whose Action/NotAction can cover an action of this (lower-case) service prefix, in order. */
  readonly forService: (servicePrefix: string) => readonly CompiledStatement[];
}

/** The literal service prefixes a statement's actions name, or undefined if it may cover any service. */
function servicesOf(actions: readonly string[] | undefined): string[] | undefined {
  if (!actions) return undefined; // NotAction: any service
  const out: string[] = [];
  for (const a of actions) {
    const prefix = a.split(":")[0]!;
    if (a === "*" || /[*?]/.test(prefix)) return undefined;
    out.push(prefix.toLowerCase());
  }
  return out;
}

const anyMatch = (ms: Matcher[]): Matcher => (ms.length === 1 ? ms[0]! : (s) => ms.some((m) => m(s)));

function compileResources(patterns: readonly string[], variablesOn: boolean): (r: string, ctx: ContextMap) => boolean {
  const fixed: Matcher[] = [];
  const dynamic: ReturnType<typeof parseTemplate>[] = [];
  for (const p of patterns) {
    const t = parseTemplate(p, variablesOn);
    if (t.hasVariables) dynamic.push(t);
    else fixed.push(compileResource(p));
  }
  const f = fixed.length > 0 ? anyMatch(fixed) : () => false;
  if (dynamic.length === 0) return (r) => f(r);
  return (r, ctx) => {
    if (f(r)) return true;
    for (const t of dynamic) {
      const s = resolveTemplate(t, (k) => ctx.getLower(k));
      if (s !== undefined && compileResource(s)(r)) return true; // unresolved: matches nothing
    }
    return false;
  };
}

export function compilePolicy(doc: PolicyDocument, id: string): CompiledPolicy {
  const variablesOn = doc.version === "2012-10-17";
  const statements = doc.statements.map((s, index): CompiledStatement => {
    const acts = anyMatch((s.action ?? s.notAction)!.map((a) => compileGlob(a, true)));
    const action = s.notAction ? (a: string) => !acts(a) : acts;
    const res = s.resource ?? s.notResource;
    let resource: CompiledStatement["resource"] = () => true;
    if (res) {
      const m = compileResources(res, variablesOn);
      resource = s.notResource ? (r, ctx) => !m(r, ctx) : m;
    }
    const condition = compileConditions(s.condition, variablesOn);
    return {
      index,
      ...(s.sid !== undefined ? { sid: s.sid } : {}),
      effect: s.effect,
      action,
      resource,
      ...(s.principal ? { principal: s.principal } : {}),
      ...(s.notPrincipal ? { notPrincipal: s.notPrincipal } : {}),
      ...(condition ? { condition } : {}),
    };
  });
  // Index by service prefix: a request reads only the statements that can name its action.
  const generic: CompiledStatement[] = [];
  const byService = new Map<string, CompiledStatement[]>();
  doc.statements.forEach((s, i) => {
    const svcs = servicesOf(s.action);
    if (!svcs) {
      generic.push(statements[i]!);
      for (const list of byService.values()) list.push(statements[i]!);
    } else {
      for (const svc of new Set(svcs)) {
        if (!byService.has(svc)) byService.set(svc, [...generic]);
        byService.get(svc)!.push(statements[i]!);
      }
    }
  });
  const forService = (svc: string) => byService.get(svc) ?? generic;
  const readsResourceTags = /:resourcetag\//i.test(JSON.stringify(doc.statements.map((s) => [s.condition, s.resource, s.notResource])));
  return { id, statements, hasDeny: statements.some((s) => s.effect === "Deny"), readsResourceTags, forService };
}

/** Parses, validates (throws MalformedPolicyDocument) and compiles a policy's JSON text. */
export const loadPolicy = (text: string, kind: PolicyKind, id: string): CompiledPolicy => compilePolicy(parsePolicy(text, kind), id);
