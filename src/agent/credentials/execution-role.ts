import type { LogRoute } from "../../core/log-route.js";
import { type LogsCall, logsCallOf } from "../../contracts/logs-client.js";
import { type ApiCredentials, WharfClient } from "../../contracts/wharf-client.js";
import type { RoleCalls } from "../logs/shipper.js";
import type { TaskCredentials } from "./task-credentials.js";

/**
 * What the agent does with a task's execution role, as the ECS agent does: awslogs delivery
 * (CreateLogGroup/CreateLogStream/PutLogEvents) is signed with the role's session credentials
 * (`arn:aws:sts::A:assumed-role/ROLE/TASK_ID`), so the role's policies decide it. The
 * credentials are fetched from the control plane (`role: "execution"`) into a TaskCredentials
 * store of their own, refreshed the same way, and never reach a container: this store is not the
 * one the metadata endpoint serves, and no variable names it.
 *
 * Image pulls from Wharf's ECR ask their registry token with the same credentials
 * (`credentialsOf(taskArn)`, used by the agent's ECR token source: src/agent/agent.ts).
 */
export class ExecutionRoleCredentials implements RoleCalls {
  private readonly clients = new Map<string, { accessKeyId: string; call: LogsCall }>();

  constructor(
    private readonly o: {
      store: TaskCredentials;
      endpoint: string;
      region: string;
    },
  ) {}

  /** The task's current execution role credentials, fetching the first ones (undefined: not issued). */
  async credentialsOf(taskArn: string): Promise<ApiCredentials | undefined> {
    await this.o.store.track(taskArn);
    const c = this.o.store.get(taskArn);
    return c && { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.Token };
  }

  callFor(route: LogRoute): LogsCall {
    const taskArn = route.taskArn;
    return async (region, operation, input, signal) => {
      const creds = await this.credentialsOf(taskArn);
      // Retryable: the shipper retries, and the task's set-up gives up after its retries.
      if (!creds) throw new Error(`the execution role's credentials for ${taskArn} are not issued (yet)`);
      let c = this.clients.get(taskArn);
      if (c?.accessKeyId !== creds.accessKeyId) {
        c = { accessKeyId: creds.accessKeyId, call: logsCallOf(new WharfClient(this.o.endpoint, creds, this.o.region)) };
        this.clients.set(taskArn, c);
      }
      return c.call(region, operation, input, signal);
    };
  }

  forget(taskArn: string): void {
    this.o.store.forget(taskArn);
    this.clients.delete(taskArn);
  }

  close(): void {
    this.o.store.close();
    this.clients.clear();
  }
}
