import { COMPOSE_HELP, COMPOSE_OPTIONS, composeCommand } from "./compose/command.js";
import { AGENT_HELP, AGENT_OPTIONS, agentCommand } from "./agent.js";
import { DEPLOYMENTS_HELP, DEPLOYMENTS_OPTIONS, deploymentsCommand } from "./deployments.js";
import { ENV_HELP, ENV_OPTIONS, envCommand } from "./env.js";
import { EXEC_HELP, EXEC_OPTIONS, execCommand } from "./exec.js";
import { EXPLAIN_HELP, EXPLAIN_OPTIONS, explainCommand } from "./explain.js";
import { LOGS_HELP, LOGS_OPTIONS, logsCommand } from "./logs.js";
import { RUN_HELP, RUN_OPTIONS, runCommand } from "./run.js";
import { SPOT_HELP, SPOT_OPTIONS, spotInterruptCommand } from "./spot.js";
import { SERVER_HELP, SERVER_OPTIONS, serverCommand, UP_HELP, UP_OPTIONS, upCommand } from "./up.js";

/** One `wharf` subcommand: its flags (parseArgs options), its --help text and its code. */
export interface Command {
  summary: string;
  options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;
  help: string;
  run(argv: string[]): Promise<number> | number;
}

/** Every `wharf` subcommand, in the order `wharf --help` lists them. */
export const COMMANDS: Record<string, Command> = {
  up: { summary: "Start Wharf with embedded defaults: control plane and agents for this host", options: UP_OPTIONS, help: UP_HELP, run: upCommand },
  server: { summary: "Start the control plane alone", options: SERVER_OPTIONS, help: SERVER_HELP, run: serverCommand },
  agent: { summary: "Run containers for a cluster on this host's Docker Engine", options: AGENT_OPTIONS, help: AGENT_HELP, run: agentCommand },
  env: { summary: "Print the export lines that point the AWS CLI and SDKs at Wharf", options: ENV_OPTIONS, help: ENV_HELP, run: envCommand },
  explain: { summary: "Where would a task go, and why not elsewhere, without starting it", options: EXPLAIN_OPTIONS, help: EXPLAIN_HELP, run: explainCommand },
  run: { summary: "Run a task once, stream its output, exit with its exit code", options: RUN_OPTIONS, help: RUN_HELP, run: runCommand },
  exec: { summary: "Run a command in a running task's container (ECS Exec; -it for a shell)", options: EXEC_OPTIONS, help: EXEC_HELP, run: execCommand },
  logs: { summary: "Print and follow a task's or service's container output", options: LOGS_OPTIONS, help: LOGS_HELP, run: logsCommand },
  deployments: { summary: "A service's deployments and where one's time went", options: DEPLOYMENTS_OPTIONS, help: DEPLOYMENTS_HELP, run: deploymentsCommand },
  compose: { summary: "Run a compose file on ECS: up, down, ps, logs, convert", options: COMPOSE_OPTIONS, help: COMPOSE_HELP, run: composeCommand },
  "spot-interrupt": { summary: "Reclaim FARGATE_SPOT tasks now, as AWS does", options: SPOT_OPTIONS, help: SPOT_HELP, run: spotInterruptCommand },
};
