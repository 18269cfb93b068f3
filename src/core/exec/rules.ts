import { AwsError, invalidParameter } from "../errors.js";

/**
 * ECS's rules for ExecuteCommand (pure): which container of the task the command runs in, and
 * ECS's refusals. Texts marked "ECS's" are the service's own; the others are Wharf's, in ECS's
 * style, where ECS's exact wording is not published.
 */

/** ECS's answer when the task was not run with enableExecuteCommand or its exec agent is not up. */
export const EXEC_NOT_ENABLED =
  "The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running. " +
  "Wait and try again or run a new task with execute command enabled and try again.";

/** ECS's: interactive must be true. */
export const INTERACTIVE_ONLY = "Interactive is the only mode supported currently.";

/** ECS's TargetNotConnectedException text (here: the task's agent is not connected). */
export const TARGET_NOT_CONNECTED = "The execute command failed due to an internal error. Try again later.";

export interface ExecTaskView {
  lastStatus: string;
  desiredStatus: string;
  enableExecuteCommand: boolean;
  containers: { name: string; containerArn: string; lastStatus?: string }[];
}

/** The container the command runs in, or ECS's refusal. */
export function execTarget(task: ExecTaskView, input: { container?: string; interactive?: boolean; command?: string }): { name: string; containerArn: string } {
  if (input.interactive !== true) throw invalidParameter(INTERACTIVE_ONLY);
  if (!input.command || !input.command.trim()) throw invalidParameter("command cannot be empty.");
  if (!task.enableExecuteCommand) throw invalidParameter(EXEC_NOT_ENABLED);
  if (task.lastStatus !== "RUNNING" || task.desiredStatus !== "RUNNING") throw invalidParameter(EXEC_NOT_ENABLED);
  let container: ExecTaskView["containers"][number] | undefined;
  if (input.container !== undefined && input.container !== "") {
    container = task.containers.find((c) => c.name === input.container);
    if (!container) throw invalidParameter(`The container ${input.container} does not exist in the task.`);
  } else {
    if (task.containers.length !== 1) {
      throw invalidParameter("The task has more than one container. Specify the container to run the command in.");
    }
    container = task.containers[0]!;
  }
  if (container.lastStatus !== undefined && container.lastStatus !== "RUNNING") throw invalidParameter(EXEC_NOT_ENABLED);
  return { name: container.name, containerArn: container.containerArn };
}

export const targetNotConnected = (): AwsError => new AwsError("TargetNotConnectedException", TARGET_NOT_CONNECTED);

/** `ecs-execute-command-` and 17 hex digits, as ECS's session ids look; `random` gives [0, 1). */
export function newSessionId(random: () => number): string {
  let hex = "";
  for (let i = 0; i < 17; i++) hex += Math.floor(random() * 16).toString(16);
  return `ecs-execute-command-${hex}`;
}

/** The service event recorded when a session starts (Wharf's; ECS records exec sessions in CloudTrail only). */
export function execEventMessage(serviceName: string, o: { sessionId: string; taskId: string; container: string; callerArn: string; command: string }): string {
  const command = o.command.length > 200 ? `${o.command.slice(0, 200)}…` : o.command;
  return `(service ${serviceName}) started execute command session ${o.sessionId} on task ${o.taskId} (container ${o.container}) for ${o.callerArn}: ${command}`;
}
