import type { DeleteRepositoryPolicyRequest, GetRepositoryPolicyRequest, SetRepositoryPolicyRequest } from "@aws-sdk/client-ecr";
import type { Principal } from "../../core/arn.js";
import { repositoryArn } from "../../core/ecr/names.js";
import { compileRepositoryPolicy, locksOut, RepositoryPolicyError } from "../../core/ecr/repository-policy.js";
import { AwsError } from "../../core/errors.js";
import type { CompiledPolicy } from "../../core/iam/index.js";
import type { RequestContext } from "../../edge/service.js";
import { type EcrDeps, ecrInvalidParameter, getRepository, registryOf, repoId, repoLock, repoScope, type RepositoryDoc, requireRepository } from "./common.js";

/**
 * Repository policies (src/core/ecr/repository-policy.ts parses and checks them): stored on the
 * repository, evaluated by the edge's authorizer for API calls on the repository (the service's
 * `resourcePolicies`) and by the registry front for docker pull/push (src/api/ecr/catalog.ts).
 */

const notFound = (r: RepositoryDoc) =>
  new AwsError("RepositoryPolicyNotFoundException", `Repository policy does not exist for the repository with name '${r.name}' in the registry with id '${r.accountId}'`);

const arnOf = (r: RepositoryDoc) => repositoryArn({ accountId: r.accountId, region: r.region }, r.name);

const putRepo = (deps: EcrDeps, r: RepositoryDoc) =>
  deps.store.write([{ op: "put", kind: "ecr-repository", id: repoId(r.accountId, r.region, r.name), scope: repoScope(r.accountId, r.region), sort: r.name, value: r }]);

export async function setRepositoryPolicy(deps: EcrDeps, input: SetRepositoryPolicyRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const text = input.policyText!;
  return deps.lock(repoLock(registryOf(input, p), p.region, input.repositoryName!), async () => {
    const repo = await requireRepository(deps, input, p);
    let policy: CompiledPolicy;
    try {
      policy = compileRepositoryPolicy(text, arnOf(repo));
    } catch (err) {
      if (err instanceof RepositoryPolicyError) throw ecrInvalidParameter("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'");
      throw err;
    }
    if (!input.force && ctx.caller && locksOut(policy, ctx.caller.principal, arnOf(repo), deps.clock.now())) {
      throw ecrInvalidParameter(
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'The repository policy would prevent you from setting another policy in the future; use force to set it anyway'",
      );
    }
    await putRepo(deps, { ...repo, repositoryPolicy: text });
    return { registryId: repo.accountId, repositoryName: repo.name, policyText: text };
  });
}

export async function getRepositoryPolicy(deps: EcrDeps, input: GetRepositoryPolicyRequest, ctx: RequestContext) {
  const r = await requireRepository(deps, input, ctx.principal);
  if (r.repositoryPolicy === undefined) throw notFound(r);
  return { registryId: r.accountId, repositoryName: r.name, policyText: r.repositoryPolicy };
}

export async function deleteRepositoryPolicy(deps: EcrDeps, input: DeleteRepositoryPolicyRequest, ctx: RequestContext) {
  const p = ctx.principal;
  return deps.lock(repoLock(registryOf(input, p), p.region, input.repositoryName!), async () => {
    const r = await requireRepository(deps, input, p);
    if (r.repositoryPolicy === undefined) throw notFound(r);
    const { repositoryPolicy, ...rest } = r;
    await putRepo(deps, rest);
    return { registryId: r.accountId, repositoryName: r.name, policyText: repositoryPolicy };
  });
}

/** The repository policy of a repository, compiled, or undefined (none, or no such repository). */
export async function repositoryPolicyOf(deps: EcrDeps, accountId: string, region: string, name: string): Promise<CompiledPolicy | undefined> {
  const r = await getRepository(deps, accountId, region, name);
  if (r?.repositoryPolicy === undefined) return undefined;
  try {
    return compileRepositoryPolicy(r.repositoryPolicy, arnOf(r));
  } catch {
    return undefined; // checked when set
  }
}

const ARN_RE = /^arn:[^:]+:ecr:([^:]+):(\d{12}):repository\/(.+)$/;

/** The `Service.resourcePolicies` hook: the repository policy of an ECR repository ARN. */
export async function repositoryPoliciesByArn(deps: EcrDeps, arn: string, _p: Principal): Promise<CompiledPolicy[] | undefined> {
  const m = ARN_RE.exec(arn);
  if (!m || m[3]!.includes("*")) return undefined;
  const policy = await repositoryPolicyOf(deps, m[2]!, m[1]!, m[3]!);
  return policy ? [policy] : undefined;
}
