import { randomBytes, randomUUID } from "node:crypto";

/** ECS task ids (and container instance ids): 32 lower-case hex characters, no dashes. */
export const newTaskId = (): string => randomBytes(16).toString("hex");
/** Request ids look like UUIDs, as AWS's do. */
export const newRequestId = (): string => randomUUID();
/** Deployment ids: `ecs-svc/` followed by 19 digits, as ECS's. */
export const newDeploymentId = (): string => {
  const digits = randomBytes(10).reduce((s, b) => s + (b % 10).toString(), "");
  return `ecs-svc/${(digits + "123456789").slice(0, 19)}`;
};
