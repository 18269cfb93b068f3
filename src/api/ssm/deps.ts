import type { Principal } from "../../core/arn.js";
import { nameFromArn, type ParameterDoc } from "../../core/ssm/parameters.js";
import type { StoreDeps } from "../../records/store-deps.js";
import type { SecretBox } from "../iam/secret-box.js";

/** What SSM operations are given besides their input: the store and the box SecureStrings are sealed in (IAM's key, `<dataDir>/iam.key`). */
export interface SsmDeps extends StoreDeps {
  box: SecretBox;
}

/** Parameters are kind `ssm-parameter`, id `<account>:<region>:<name>`, scope `<account>:<region>`, sorted by name. */
export const PARAMETER_KIND = "ssm-parameter" as const;
export const paramScope = (accountId: string, region: string): string => `${accountId}:${region}`;
export const paramId = (accountId: string, region: string, name: string): string => `${accountId}:${region}:${name}`;
export const paramLock = (accountId: string, region: string, name: string): string => `ssm:${paramId(accountId, region, name)}`;

export async function getParameterDoc(deps: SsmDeps, accountId: string, region: string, name: string): Promise<ParameterDoc | undefined> {
  return (await deps.store.get<ParameterDoc>(PARAMETER_KIND, paramId(accountId, region, name)))?.value;
}

export async function listParameterDocs(deps: SsmDeps, accountId: string, region: string): Promise<ParameterDoc[]> {
  return (await deps.store.list<ParameterDoc>(PARAMETER_KIND, { scope: paramScope(accountId, region) })).map((r) => r.value);
}

export function putParameterDoc(deps: SsmDeps, doc: ParameterDoc) {
  return deps.store.write([{ op: "put", kind: PARAMETER_KIND, id: paramId(doc.accountId, doc.region, doc.name), scope: paramScope(doc.accountId, doc.region), sort: doc.name, value: doc }]);
}

/** The parameter name a caller gives (a name, or a parameter ARN of its account and Region). */
export const nameOf = (given: string, p: Principal): string => nameFromArn(given, p.accountId, p.region);
