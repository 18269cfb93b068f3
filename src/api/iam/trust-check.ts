import { malformed, parsePolicy, type PolicyDocument } from "../../core/iam/index.js";
import type { IamDirectory } from "./directory.js";
import { limitExceeded } from "./errors.js";

/** IAM's quota on a trust policy's size (characters, whitespace excluded). */
export const TRUST_POLICY_MAX = 2048;

/**
 * A trust policy as IAM accepts it: the policy language's rules (parsePolicy "trust"), the size
 * quota, and — what only the API can check — principals naming a user or role of this account
 * that exists (`Invalid principal in policy: "AWS":"arn:aws:iam::A:role/nope"`).
 */
export function checkTrustPolicy(d: IamDirectory, text: string): PolicyDocument {
  const doc = parsePolicy(text, "trust");
  if (text.replace(/\s/g, "").length > TRUST_POLICY_MAX) throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_MAX}`);
  for (const st of doc.statements) {
    const principal = st.principal ?? st.notPrincipal;
    if (!principal || principal === "*") continue;
    for (const arn of principal.AWS ?? []) {
      const m = /^arn:aws:iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
      if (!m || m[1] !== d.accountId) continue;
      const kind = m[2] === "user" ? "iam-user" : "iam-role";
      const found = d.all(kind).some((e) => e.arn === arn);
      if (!found) throw malformed(`Invalid principal in policy: "AWS":"${arn}"`);
    }
  }
  return doc;
}
