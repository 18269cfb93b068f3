import { AGENT_CREDENTIALS_PATH, type TaskCredentialsRequest, type TaskRoleCredentials } from "../contracts/agent-protocol.js";
import { clusterArnIn } from "../core/arn.js";
import { AwsError } from "../core/errors.js";
import type { Clock } from "../core/time.js";
import { ECS_TASKS_PRINCIPAL, executionRoleOf, roleAccount, TASK_CREDENTIALS_DURATION_S, taskRoleOf } from "../core/task-role.js";
import type { InternalRoute } from "../edge/server.js";
import type { SecretLookup } from "../edge/sigv4.js";
import type { InstanceDoc } from "../records/instance-doc.js";
import type { TaskDoc } from "../records/task-doc.js";
import type { EcsDeps } from "./ecs/deps.js";
import type { IamRuntime } from "./iam/startup.js";
import { signedRoute } from "./signed-route.js";

/**
 * The control-plane end of task role credentials (agent-protocol.ts, AGENT_CREDENTIALS_PATH): an
 * agent gets the credentials of a task placed on it, and only of such a task. Each answer is a
 * fresh STS session of the task role, assumed as `ecs-tasks.amazonaws.com` with the task id as
 * session name, so the edge evaluates the calls made with it under the role's policies. With
 * `role: "execution"`, the task's execution role the same way (the agent's own use only).
 */
export interface AgentCredentialsOptions {
  deps: Pick<EcsDeps, "store">;
  secrets: SecretLookup;
  accountId: string;
  clock: Clock;
  iam: Pick<IamRuntime, "assumeRoleForService">;
}

const refuse = (message: string) => new AwsError("InvalidParameterException", message);

function parse(body: unknown): TaskCredentialsRequest {
  const r = body as Partial<TaskCredentialsRequest>;
  for (const k of ["cluster", "containerInstanceArn", "taskArn"] as const) {
    if (typeof r[k] !== "string" || !r[k]) throw refuse(`${k} is required.`);
  }
  if (r.role !== undefined && r.role !== "task" && r.role !== "execution") throw refuse("role must be task or execution.");
  return r as TaskCredentialsRequest;
}

/** Epoch seconds → "2026-12-03T19:00:00Z", as ECS writes Expiration. */
const isoSeconds = (epochS: number) => new Date(epochS * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

export function agentCredentialsRoute(o: AgentCredentialsOptions): InternalRoute {
  return signedRoute({
    path: AGENT_CREDENTIALS_PATH,
    secrets: o.secrets,
    clock: o.clock,
    async handle(body, identity): Promise<TaskRoleCredentials> {
      const req = parse(body);
      const cArn = clusterArnIn({ region: identity.region, accountId: o.accountId }, req.cluster);
      const instance = (await o.deps.store.get<InstanceDoc>("container-instance", req.containerInstanceArn))?.value;
      const task = (await o.deps.store.get<TaskDoc>("task", req.taskArn))?.value;
      // One answer for every refusal: an agent learns nothing about tasks that are not its own.
      const notYours = refuse(`The task ${req.taskArn} is not running on ${req.containerInstanceArn}.`);
      if (!cArn || !instance || instance.wharf.clusterArn !== cArn || instance.status === "INACTIVE") throw notYours;
      if (!task || task.containerInstanceArn !== req.containerInstanceArn || task.lastStatus === "STOPPED") throw notYours;
      const execution = req.role === "execution";
      const roleArn = (execution ? executionRoleOf : taskRoleOf)(task.wharf.taskDefinition, task.overrides);
      const kind = execution ? "execution role" : "task role";
      if (!roleArn) throw refuse(`The task ${req.taskArn} has no ${kind}.`);
      if (roleAccount(roleArn) !== o.accountId) throw refuse(`The ${kind} ${roleArn} is not of account ${o.accountId}.`);
      const taskId = req.taskArn.slice(req.taskArn.lastIndexOf("/") + 1);
      const assumed = await o.iam.assumeRoleForService(roleArn, ECS_TASKS_PRINCIPAL, taskId, TASK_CREDENTIALS_DURATION_S);
      const c = assumed.Credentials;
      return { RoleArn: roleArn, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, Token: c.SessionToken, Expiration: isoSeconds(c.Expiration) };
    },
  });
}
