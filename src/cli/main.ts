import { agentCommand } from "./agent.js";
import { deploymentsCommand } from "./deployments.js";
import { envCommand } from "./env.js";
import { explainCommand } from "./explain.js";
import { logsCommand } from "./logs.js";
import { runCommand } from "./run.js";
import { spotInterruptCommand } from "./spot.js";
import { serverCommand, upCommand } from "./up.js";

const HELP = `wharf — Amazon ECS on your own machines

Usage: wharf <command> [options]

Commands:
  up        Start Wharf with embedded defaults (control plane, SQLite store under --data-dir)
  server    Start the control plane alone
  agent     Run containers for a cluster on this host's Docker Engine (wharf agent --help)
  env       Print the export lines that point the AWS CLI and SDKs at Wharf
  explain   Where would a task go, and why not elsewhere, without starting it (wharf explain --help)
  run       Run a task once, stream its output, exit with its exit code (wharf run --help)
  logs      Print and follow a task's or service's container output (wharf logs --help)
  deployments  A service's deployments and where one's time went (wharf deployments --help)
  spot-interrupt  Reclaim FARGATE_SPOT tasks now, as AWS does (wharf spot-interrupt --help)
  help      Show this help

Common options:
  --data-dir DIR   where state and credentials live (default ./.wharf, or WHARF_DATA_DIR)
  --host HOST      address to listen on (default 127.0.0.1)
  --port PORT      port to listen on (default 4700)
  --stopped-task-retention DURATION
                   how long STOPPED tasks stay describable (default 1h; e.g. 3600s, 24h, 7d)

Environment:
  WHARF_ACCESS_KEY_ID / WHARF_SECRET_ACCESS_KEY   root credentials (default: generated on first start)
  WHARF_ACCOUNT_ID                                account id in every ARN (default 000000000000)
`;

/** Runs the CLI with the given arguments and returns the process exit code. */
export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "up":
        return await upCommand(rest);
      case "server":
        return await serverCommand(rest);
      case "agent":
        return await agentCommand(rest);
      case "env":
        return envCommand(rest);
      case "explain":
        return await explainCommand(rest);
      case "run":
        return await runCommand(rest);
      case "logs":
        return await logsCommand(rest);
      case "deployments":
        return await deploymentsCommand(rest);
      case "spot-interrupt":
        return await spotInterruptCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(HELP);
        return 0;
      default:
        process.stderr.write(`wharf: unknown command '${command}'. Run 'wharf --help' to see the commands.\n`);
        return 2;
    }
  } catch (err) {
    process.stderr.write(`wharf: ${(err as Error).message}\n`);
    return 1;
  }
}
