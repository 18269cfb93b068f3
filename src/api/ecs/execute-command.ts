import type { ExecuteCommandRequest, ExecuteCommandResponse } from "@aws-sdk/client-ecs";
import { serviceArn } from "../../core/arn.js";
import { invalidParameter } from "../../core/errors.js";
import { CommandSyntaxError, splitCommand } from "../../core/exec/command.js";
import { execEventMessage, execTarget, targetNotConnected } from "../../core/exec/rules.js";
import { EXEC_CLI_PATH } from "../../contracts/exec-stream.js";
import type { RequestContext } from "../../edge/service.js";
import { addEvents, type ServiceDoc } from "../../records/service-doc.js";
import { resolveTaskArn, type TaskDoc } from "../../records/task-doc.js";
import { requireCluster } from "./clusters.js";
import type { EcsDeps } from "./deps.js";

/**
 * ExecuteCommand (ECS Exec): allowed on a RUNNING task run with `enableExecuteCommand` whose
 * agent is connected; answers a session `wharf exec` opens (src/contracts/exec-stream.ts). The
 * session is recorded in the task's service events (when it has a service) and in the access log
 * (operation ExecuteCommand with the caller), and the instance's agent hears of it at once.
 */
export async function executeCommand(deps: EcsDeps, input: ExecuteCommandRequest, ctx: RequestContext): Promise<ExecuteCommandResponse> {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const arn = resolveTaskArn(ctx.principal, cluster.clusterName, input.task ?? "");
  const task = arn ? (await deps.store.get<TaskDoc>("task", arn))?.value : undefined;
  if (!task || task.clusterArn !== cluster.clusterArn) throw invalidParameter("The referenced task was not found.");
  const target = execTarget(task, input);
  let command: string[];
  try {
    command = splitCommand(input.command ?? "");
  } catch (err) {
    if (err instanceof CommandSyntaxError) throw invalidParameter(`The command could not be parsed: ${err.message}.`);
    throw err;
  }
  const instance = task.containerInstanceArn;
  if (!deps.exec || !deps.endpoint || !instance || !deps.agents?.connected(instance)) throw targetNotConnected();
  const { sessionId, tokenValue } = deps.exec.create({
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    containerInstanceArn: instance,
    containerName: target.name,
    command,
    callerArn: ctx.callerArn,
  });
  if (task.group.startsWith("service:")) {
    await recordEvent(deps, serviceArn(ctx.principal, cluster.clusterName, task.group.slice("service:".length)), {
      sessionId,
      taskId: task.taskArn.slice(task.taskArn.lastIndexOf("/") + 1),
      container: target.name,
      callerArn: ctx.callerArn,
      command: input.command ?? "",
    });
  }
  return {
    clusterArn: task.clusterArn,
    containerArn: target.containerArn,
    containerName: target.name,
    interactive: true,
    taskArn: task.taskArn,
    session: { sessionId, streamUrl: `${deps.endpoint}${EXEC_CLI_PATH}${sessionId}`, tokenValue },
  };
}

async function recordEvent(deps: EcsDeps, arn: string, facts: Parameters<typeof execEventMessage>[1]): Promise<void> {
  await deps.lock(arn, async () => {
    const cur = await deps.store.get<ServiceDoc>("service", arn);
    if (!cur) return;
    const doc = cur.value;
    const next: ServiceDoc = { ...doc, events: addEvents(doc, [execEventMessage(doc.serviceName, facts)], deps.clock.now()) };
    await deps.store.write([{ op: "put", kind: "service", id: arn, scope: doc.clusterArn, sort: doc.serviceName, value: next, expectVersion: cur.version }]);
  });
}
