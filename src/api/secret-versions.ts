import type { Principal } from "../core/arn.js";
import { ABSENT } from "../core/secrets/rotation.js";
import { parseValueFrom, ValueFromError } from "../core/secrets/value-from.js";
import { AWSCURRENT } from "../core/secretsmanager/secrets.js";
import type { SecretVersionPort } from "../records/secret-watch.js";
import { findSecret, SECRET_KIND, type SmDeps } from "./secretsmanager/deps.js";
import { getParameterDoc, nameOf, PARAMETER_KIND, type SsmDeps } from "./ssm/deps.js";

/**
 * The version a task's `valueFrom` currently reads, for the secret-rotation controller: an SSM
 * parameter's newest version number, or the id of the Secrets Manager version holding the
 * referenced stage (AWSCURRENT by default; a reference pinned to a version id is that id).
 * A reference of another account, or whose secret is gone or malformed, is "absent".
 */
export function secretVersionPort(deps: SsmDeps & SmDeps): SecretVersionPort {
  return {
    kinds: [PARAMETER_KIND, SECRET_KIND],
    async versionOf(valueFrom: string, owner: Principal): Promise<string> {
      let ref;
      try {
        ref = parseValueFrom(valueFrom, owner.region);
      } catch (err) {
        if (err instanceof ValueFromError) return ABSENT;
        throw err;
      }
      if (ref.region !== owner.region) return ABSENT;
      if (ref.source === "ssm") {
        const name = nameOf(ref.name, owner);
        if (name.startsWith("arn:")) return ABSENT;
        const doc = await getParameterDoc(deps, owner.accountId, owner.region, name);
        const newest = doc?.versions[doc.versions.length - 1];
        return newest ? String(newest.version) : ABSENT;
      }
      if (ref.versionId) return ref.versionId;
      const doc = await findSecret(deps, ref.secretId, owner);
      if (!doc || doc.deletedDate !== undefined) return ABSENT;
      const stage = ref.versionStage ?? AWSCURRENT;
      return doc.versions.find((v) => v.stages.includes(stage))?.id ?? ABSENT;
    },
  };
}
