import type { TaskCredentials } from "../credentials/task-credentials.js";
import type { MetadataTask } from "./responses.js";

/**
 * The credentials endpoint's answers, as amazon-ecs-agent gives them (its tmds/handlers/v1
 * credentials handler): 200 with `{RoleArn, AccessKeyId, SecretAccessKey, Token, Expiration}`;
 * 400 `NoIdInRequest` without an id; 400 `InvalidIdInRequest` "Credentials not found" for an id
 * it does not know — and, in Wharf, for a known id asked from an address that is not the id's
 * task (so another task learns nothing, not even that the id exists); 503
 * `CredentialsUninitialized` while the first credentials are on their way.
 */
export interface CredentialsLookup {
  taskOf(id: string): MetadataTask | undefined;
  fromTask(task: MetadataTask): Promise<boolean>;
  credentials?: TaskCredentials;
}

export interface CredentialsAnswer {
  status: number;
  body: unknown;
}

export async function credentialsAnswer(version: "v1" | "v2", id: string, o: CredentialsLookup): Promise<CredentialsAnswer> {
  const prefix = `CredentialsV${version === "v1" ? 1 : 2}Request: `;
  const fail = (status: number, code: string, message: string): CredentialsAnswer => ({ status, body: { code, message: prefix + message } });
  if (!id) return fail(400, "NoIdInRequest", "No Credential ID in the request");
  const task = o.taskOf(id);
  const arn = task?.assignment.taskArn;
  if (!task || !arn || !o.credentials?.tracks(arn) || !(await o.fromTask(task))) return fail(400, "InvalidIdInRequest", "Credentials not found");
  const c = o.credentials.get(arn);
  if (!c) return fail(503, "CredentialsUninitialized", "Credentials uninitialized for ID");
  return { status: 200, body: { RoleArn: c.RoleArn, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, Token: c.Token, Expiration: c.Expiration } };
}
