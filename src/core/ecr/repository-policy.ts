import { buildContext, type CompiledPolicy, ContextMap, evaluate, loadPolicy, type RequestPrincipal } from "../iam/index.js";

/**
 * ECR repository policies, pure: a resource-based IAM policy on one repository. ECR takes the
 * grammar of a trust policy — every statement names a Principal, and no Resource (the repository
 * is implied; a Resource is refused: "Invalid repository policy provided") — so the text is parsed
 * by IAM's parser as one, and evaluated by IAM's evaluator as the resource's policy.
 */

export class RepositoryPolicyError extends Error {}

const compiled = new Map<string, CompiledPolicy>();

/** The compiled policy of a repository policy text (cached by text); RepositoryPolicyError when ECR refuses it. */
export function compileRepositoryPolicy(text: string, repositoryArn: string): CompiledPolicy {
  const key = `${repositoryArn}\n${text}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  let policy: CompiledPolicy;
  try {
    policy = loadPolicy(text, "trust", `${repositoryArn}/repository-policy`);
  } catch (err) {
    throw new RepositoryPolicyError(err instanceof Error ? err.message : String(err));
  }
  if (compiled.size > 1000) compiled.clear();
  compiled.set(key, policy);
  return policy;
}

/**
 * Would this policy deny `principal` ecr:SetRepositoryPolicy on the repository (an explicit Deny
 * naming it)? Then it could not set another policy: SetRepositoryPolicy asks for `force`.
 */
export function locksOut(policy: CompiledPolicy, principal: RequestPrincipal, repositoryArn: string, now: number): boolean {
  const ctx = new ContextMap(buildContext(principal, { now, secureTransport: false }));
  const d = evaluate({ principal, action: "ecr:SetRepositoryPolicy", resource: repositoryArn }, { resource: [policy] }, ctx);
  return d.decision === "ExplicitDeny";
}
