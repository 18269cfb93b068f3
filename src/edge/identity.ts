import type { PolicySet, RequestPrincipal } from "../core/iam/index.js";

/**
 * Who signs with an access key: what the edge verifies a signature against and what the
 * authorizer evaluates. The IAM/STS module resolves users' keys and temporary credentials; the
 * root keys of `wharf up` resolve to the account's root, which is never evaluated (as on AWS).
 */
export interface Caller {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary credentials only: the token requests must carry (`X-Amz-Security-Token`). */
  readonly sessionToken?: string;
  /** Temporary credentials only: when they stop working, ms since the epoch. */
  readonly expiresAt?: number;
  /** `kind: "Account"` is the root: allowed everything, no policies read. */
  readonly principal: RequestPrincipal;
  /** The compiled policies evaluated for this caller (identity, boundary, session). */
  readonly policies: PolicySet;
}

/** Resolves an access key id to its caller, or undefined when the key is unknown (or deleted/inactive). */
export interface IdentityResolver {
  resolve(accessKeyId: string): Caller | undefined;
}

/** The account root: `wharf up`'s keys. */
export function rootCaller(accessKeyId: string, secretAccessKey: string, accountArn: string, accountId: string): Caller {
  return {
    accessKeyId,
    secretAccessKey,
    principal: { kind: "Account", arn: accountArn, account: accountId, userId: accountId },
    policies: {},
  };
}

/** Tries each resolver in turn (the root first, then IAM). */
export function chainResolvers(...resolvers: IdentityResolver[]): IdentityResolver {
  return {
    resolve(id) {
      for (const r of resolvers) {
        const c = r.resolve(id);
        if (c) return c;
      }
      return undefined;
    },
  };
}

export const isRoot = (c: Caller): boolean => c.principal.kind === "Account";

/**
 * IAM's roles as the edge needs them (implemented by the IAM module): whether a role exists and
 * its trust policy lets a service principal (`ecs-tasks.amazonaws.com`) assume it. ECS refuses
 * RunTask/StartTask with a task or execution role for which this is not true.
 */
export interface RoleDirectory {
  /** true: the role exists and trusts `servicePrincipal`; false: it exists and does not; undefined: no such role. */
  trusts(roleArn: string, servicePrincipal: string): boolean | undefined;
}
