import type { GetAuthorizationTokenRequest } from "@aws-sdk/client-ecr";
import { mintToken, TOKEN_LIFETIME_MS } from "../../core/ecr/auth-token.js";
import type { RequestContext } from "../../edge/service.js";
import type { EcrDeps } from "./common.js";

/**
 * GetAuthorizationToken: base64 of `AWS:<token>`, valid 12 hours, for `docker login` to the
 * registry at `proxyEndpoint` (Wharf's registry front, plain HTTP on a loopback address, which
 * Docker allows without TLS). One entry per `registryIds` member (deprecated, as in ECR), else one.
 */
export async function getAuthorizationToken(deps: EcrDeps, input: GetAuthorizationTokenRequest, ctx: RequestContext) {
  const p = ctx.principal;
  // A token of temporary credentials lasts no longer than they do.
  const expiresAtMs = Math.min(deps.clock.now() + TOKEN_LIFETIME_MS, ctx.caller?.expiresAt ?? Infinity);
  const registries = input.registryIds?.length ? input.registryIds : [p.accountId];
  const proxyEndpoint = deps.registry ? `http://${deps.registry.host}` : `https://${p.accountId}.dkr.ecr.${p.region}.amazonaws.com`;
  return {
    authorizationData: registries.map(() => ({
      authorizationToken: Buffer.from(`AWS:${mintToken(deps.tokenKey, { accountId: p.accountId, region: p.region, principalArn: ctx.callerArn, expiresAtMs, ...(ctx.accessKeyId ? { accessKeyId: ctx.accessKeyId } : {}) })}`).toString("base64"),
      expiresAt: Math.floor(expiresAtMs / 1000),
      proxyEndpoint,
    })),
  };
}
