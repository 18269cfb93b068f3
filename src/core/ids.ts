import { randomBytes, randomUUID } from "node:crypto";

/** ECS task ids (and container instance ids): 32 lower-case hex characters, no dashes. */
export const newTaskId = (): string => randomBytes(16).toString("hex");
/** Request ids look like UUIDs, as AWS's do. */
export const newRequestId = (): string => randomUUID();
/** Deployment ids: `ecs-svc/` followed by 19 random digits, as ECS's. */
export const newDeploymentId = (): string => {
  let digits = "";
  while (digits.length < 19) {
    // Bytes 250–255 are dropped so every digit is equally likely.
    for (const b of randomBytes(24)) if (b < 250 && digits.length < 19) digits += String(b % 10);
  }
  return `ecs-svc/${digits}`;
};
