/**
 * Matching the Principal / NotPrincipal element of a resource-based or trust policy against the
 * caller (IAM User Guide, "AWS JSON policy elements: Principal").
 *
 * How the caller is named decides what the grant is worth within one account ("Policy
 * evaluation for requests within a single account"): a grant naming the caller itself — the IAM
 * user's ARN, the role session's ARN, the service — is enough on its own, even past a
 * permissions boundary or session policy; a grant naming the role (for one of its sessions) or
 * everyone (`*`) is still limited by the boundary and session policies; a grant naming the
 * account (its id or `arn:aws:iam::A:root`) delegates to the account: the caller's own
 * identity-based policies must allow the request.
 */
import type { RequestPrincipal } from "./context.js";
import type { PrincipalElement } from "./policy.js";

export type PrincipalMatch = "exact" | "role" | "everyone" | "account";

/** The strongest way `element` names `p`, or undefined. */
export function matchPrincipal(element: PrincipalElement, p: RequestPrincipal): PrincipalMatch | undefined {
  if (element === "*") return "everyone";
  let best: PrincipalMatch | undefined;
  const better = (m: PrincipalMatch) => {
    const rank = { exact: 4, role: 3, everyone: 2, account: 1 } as const;
    if (!best || rank[m] > rank[best]) best = m;
  };
  for (const id of element.AWS ?? []) {
    if (id === "*") {
      if (p.kind !== "Service" && p.kind !== "Anonymous") better("everyone");
    } else if (/^\d{12}$/.test(id) || id.endsWith(":root")) {
      const acct = /^\d{12}$/.test(id) ? id : id.split(":")[4];
      if (p.account === acct && p.kind !== "Service" && p.kind !== "Anonymous") {
        better(p.kind === "Account" ? "exact" : "account");
      }
    } else if (id === p.arn) better("exact");
    else if (p.kind === "AssumedRole" && id === p.roleArn) better("role");
  }
  for (const s of element.Service ?? []) {
    if (p.kind === "Service" && (s === p.service || s === "*")) better("exact");
  }
  for (const f of element.Federated ?? []) if (p.kind === "FederatedUser" && f === p.arn) better("exact");
  return best;
}
