import { type CompiledPolicy, loadPolicy, type PolicyDocument, parsePolicy } from "../iam/index.js";

/**
 * Secrets Manager resource policies, pure: a resource-based IAM policy on one secret, parsed and
 * evaluated by IAM's own code (src/core/iam/). `broadAccess` is BlockPublicPolicy's check: an
 * Allow to every principal (`*` or `{"AWS": "*"}`) with no Condition.
 */

export class ResourcePolicyError extends Error {}

export function compileSecretPolicy(text: string, arn: string): CompiledPolicy {
  try {
    return loadPolicy(text, "resource", `${arn}/resource-policy`);
  } catch (err) {
    throw new ResourcePolicyError(err instanceof Error ? err.message : String(err));
  }
}

export function broadAccess(text: string): boolean {
  let doc: PolicyDocument;
  try {
    doc = parsePolicy(text, "resource");
  } catch {
    return false;
  }
  return doc.statements.some((s) => {
    if (s.effect !== "Allow" || (s.condition && Object.keys(s.condition).length > 0)) return false;
    const pr = s.principal;
    return pr === "*" || (pr !== undefined && (pr as Readonly<Record<string, readonly string[]>>)["AWS"]?.includes("*") === true);
  });
}
