import { checkToken } from "../../core/ecr/auth-token.js";
import { tagIsImmutable } from "../../core/ecr/images.js";
import { isDigest, repositoryArn } from "../../core/ecr/names.js";
import { authorizeCall } from "../../core/iam/index.js";
import type { PushedManifest, RegistryCatalog, RegistryRefusal, RegistryRepo } from "../../core/ecr/registry-contract.js";
import { AwsError } from "../../core/errors.js";
import { type EcrDeps, getRepository, imageId, imageScope, listImages, repoLock } from "./common.js";
import { storeManifest, tagImmutableMessage } from "./push.js";
import { repositoryPolicyOf } from "./repository-policy.js";

/**
 * The registry front's view of ECR (src/core/ecr/registry-contract.ts): tokens, repositories,
 * the image index. Pushes through Docker land in the same index PutImage writes.
 */
export function ecrCatalog(deps: EcrDeps): RegistryCatalog {
  const repoDoc = async (r: RegistryRepo) => {
    const doc = await getRepository(deps, r.accountId, r.region, r.name);
    if (!doc) throw new Error(`repository ${r.name} is gone`);
    return doc;
  };
  return {
    checkToken: (token) => checkToken(deps.tokenKey, token, deps.clock.now()),
    async authorize(claims, action, r) {
      const resource = repositoryArn({ accountId: r.accountId, region: r.region }, r.name);
      const denied = (why: string): RegistryRefusal => ({ status: 403, code: "DENIED", message: why });
      if (!deps.identities || claims.accessKeyId === undefined) return undefined;
      const caller = deps.identities.resolve(claims.accessKeyId);
      if (!caller) return denied("Your authorization token is no longer valid: the credentials that requested it are gone. Reauthenticate and try again.");
      if (caller.expiresAt !== undefined && caller.expiresAt <= deps.clock.now()) return denied("Your authorization token has expired. Reauthenticate and try again.");
      const held = await repositoryPolicyOf(deps, r.accountId, r.region, r.name);
      const failure = authorizeCall(caller.principal, caller.policies, [{ action, resource, ...(held ? { resourcePolicies: [held] } : {}) }], { now: deps.clock.now(), secureTransport: false });
      return failure ? denied(`User: ${caller.principal.arn} is not authorized to perform: ${action} on resource: ${resource}`) : undefined;
    },
    async repository(accountId, region, name) {
      const doc = await getRepository(deps, accountId, region, name);
      if (doc) return { accountId, region, name };
      return { status: 404, code: "NAME_UNKNOWN", message: `The repository with name '${name}' does not exist in the registry with id '${accountId}'` };
    },
    async checkPush(r, _digest, tag) {
      if (tag === undefined || isDigest(tag)) return undefined;
      const doc = await repoDoc(r);
      const images = await listImages(deps, doc);
      if (images.some((i) => i.tags.includes(tag)) && tagIsImmutable({ imageTagMutability: doc.imageTagMutability, ...(doc.exclusions ? { exclusions: doc.exclusions } : {}) }, tag)) {
        return { status: 400, code: "TAG_INVALID", message: tagImmutableMessage(tag, r.name) };
      }
      return undefined;
    },
    async recordPush(r, m: PushedManifest): Promise<RegistryRefusal | undefined> {
      try {
        await storeManifest(deps, await repoDoc(r), { bytes: m.bytes, mediaType: m.mediaType, ...(m.tag !== undefined ? { tag: m.tag } : {}), digest: m.digest, strict: false, toRegistry: false });
        return undefined;
      } catch (err) {
        if (err instanceof AwsError && err.code === "ImageTagAlreadyExistsException") return { status: 400, code: "TAG_INVALID", message: err.message };
        if (err instanceof AwsError) return { status: 400, code: "MANIFEST_INVALID", message: err.message };
        throw err;
      }
    },
    async resolve(r, reference) {
      const images = await listImages(deps, await repoDoc(r));
      const hit = isDigest(reference) ? images.find((i) => i.digest === reference) : images.find((i) => i.tags.includes(reference));
      return hit?.digest;
    },
    async tags(r) {
      return (await listImages(deps, await repoDoc(r))).flatMap((i) => i.tags).sort();
    },
    async recordPull(r, digest) {
      await deps.lock(repoLock(r.accountId, r.region, r.name), async () => {
        const doc = await repoDoc(r);
        const row = await deps.store.get<import("../../core/ecr/images.js").ImageDoc>("ecr-image", imageId(doc, digest));
        if (!row) return;
        await deps.store.write([{ op: "put", kind: "ecr-image", id: imageId(doc, digest), scope: imageScope(doc), sort: digest, value: { ...row.value, lastPull: Math.floor(deps.clock.now()) / 1000 } }]);
      });
    },
  };
}
