/**
 * IAM's policy simulator (SimulatePrincipalPolicy / SimulateCustomPolicy), pure: the same
 * evaluation as the authorizer (evaluate.ts) over the given policies, for every action × resource
 * pair, reported as IAM reports it — `allowed` / `explicitDeny` / `implicitDeny`, the statements
 * that decide (every matching Allow when allowed, the matching Deny statements when denied,
 * none for an implicit deny), each named by its policy and its position in the policy's text,
 * and the context keys the policies' conditions read that the simulation was not given.
 */
import { compilePolicy, type CompiledPolicy } from "./compile.js";
import { ContextMap, type ContextValue, type RequestPrincipal } from "./context.js";
import { applies, evaluate } from "./evaluate.js";
import { parsePolicy, type PolicyDocument, type PolicyKind } from "./policy.js";
import { statementSpans, type StatementSpan, type TextPosition } from "./positions.js";

export type PolicySourceType = "user" | "group" | "role" | "aws-managed" | "user-managed" | "resource" | "none";
export type SimDecision = "allowed" | "explicitDeny" | "implicitDeny";

/** One policy of the simulation: its text and how IAM names it in MatchedStatements. */
export interface SimPolicy {
  /** SourcePolicyId: an inline policy's name, a managed policy's name, `PolicyInputList.N`, … */
  id: string;
  type: PolicySourceType;
  text: string;
}

export interface SimulationInput {
  principal: RequestPrincipal;
  /** Identity-based policies (the entity's, its groups', PolicyInputList). */
  policies: SimPolicy[];
  /** PermissionsBoundaryPolicyInputList, or the entity's boundary. */
  boundaries?: SimPolicy[];
  resourcePolicy?: SimPolicy;
  /** The resource's account (ResourceOwner), when not the caller's. */
  resourceAccount?: string;
  actions: string[];
  /** Default `*`. */
  resources?: string[];
  context?: Record<string, ContextValue>;
}

export interface MatchedStatement {
  SourcePolicyId: string;
  SourcePolicyType: PolicySourceType;
  StartPosition: TextPosition;
  EndPosition: TextPosition;
}

export interface SimulationResult {
  EvalActionName: string;
  EvalResourceName: string;
  EvalDecision: SimDecision;
  MatchedStatements: MatchedStatement[];
  MissingContextValues: string[];
  PermissionsBoundaryDecisionDetail?: { AllowedByPermissionsBoundary: boolean };
}

interface Loaded {
  src: SimPolicy;
  doc: PolicyDocument;
  compiled: CompiledPolicy;
  spans: StatementSpan[];
}

function load(p: SimPolicy, kind: PolicyKind, index: number): Loaded {
  const doc = parsePolicy(p.text, kind);
  return { src: p, doc, compiled: compilePolicy(doc, String(index)), spans: statementSpans(p.text) };
}

/** Condition keys a statement reads (its Condition block's keys), as written. */
const conditionKeys = (doc: PolicyDocument, i: number): string[] => Object.values(doc.statements[i]?.condition ?? {}).flatMap((b) => Object.keys(b));

/** Runs the simulation. Throws MalformedPolicyDocument for a policy that does not parse. */
export function simulate(input: SimulationInput): SimulationResult[] {
  const identity = input.policies.map((p, i) => load(p, "identity", i));
  const boundaries = (input.boundaries ?? []).map((p, i) => load(p, "identity", i));
  const resource = input.resourcePolicy ? [load(input.resourcePolicy, "resource", 0)] : [];
  const ctx = new ContextMap(input.context);
  const out: SimulationResult[] = [];
  for (const action of input.actions) {
    for (const res of input.resources?.length ? input.resources : ["*"]) {
      const req = { principal: input.principal, action, resource: res, ...(input.resourceAccount ? { resourceAccount: input.resourceAccount } : {}) };
      const matches = (set: Loaded[], effect: "Allow" | "Deny") => {
        const found: MatchedStatement[] = [];
        for (const l of set) {
          for (const st of l.compiled.statements) {
            if (st.effect !== effect || !applies(st, req, ctx)) continue;
            const span = l.spans[st.index];
            if (span) found.push({ SourcePolicyId: l.src.id, SourcePolicyType: l.src.type, StartPosition: span.start, EndPosition: span.end });
          }
        }
        return found;
      };
      // Keys the statements covering this action and resource read, absent from the context.
      const missing = new Set<string>();
      for (const l of [...identity, ...boundaries, ...resource]) {
        for (const st of l.compiled.statements) {
          if (!st.action(action) || !st.resource(res, ctx)) continue;
          for (const k of conditionKeys(l.doc, st.index)) if (!ctx.has(k)) missing.add(k);
        }
      }
      // Several boundaries (PermissionsBoundaryPolicyInputList): each must allow.
      let decision = evaluate(req, { identity: identity.map((l) => l.compiled), resource: resource.map((l) => l.compiled) }, ctx);
      let boundaryAllows: boolean | undefined;
      if (boundaries.length > 0) {
        boundaryAllows = true;
        for (const b of boundaries) {
          const d = evaluate(req, { identity: identity.map((l) => l.compiled), resource: resource.map((l) => l.compiled), boundary: b.compiled }, ctx);
          if (d.decision === "ExplicitDeny" || (d.decision === "ImplicitDeny" && d.missing === "boundary")) boundaryAllows = false;
          if (d.decision === "ExplicitDeny" || (d.decision === "ImplicitDeny" && decision.decision === "Allow")) decision = d;
        }
      }
      const all = [...identity, ...resource, ...boundaries];
      const EvalDecision: SimDecision = decision.decision === "Allow" ? "allowed" : decision.decision === "ExplicitDeny" ? "explicitDeny" : "implicitDeny";
      const MatchedStatements = EvalDecision === "allowed" ? matches([...identity, ...resource], "Allow") : EvalDecision === "explicitDeny" ? matches(all, "Deny") : [];
      out.push({
        EvalActionName: action,
        EvalResourceName: res,
        EvalDecision,
        MatchedStatements,
        MissingContextValues: [...missing],
        ...(boundaryAllows !== undefined ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: boundaryAllows } } : {}),
      });
    }
  }
  return out;
}
