import { UsageError } from "./args.js";
import { COMMANDS } from "./commands.js";

const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;

const HELP = `wharf — Amazon ECS on your own machines

Usage: wharf <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`)
  .join("\n")}
  ${"help".padEnd(width)}Show this help

Run 'wharf <command> --help' for a command's options.

Environment:
  WHARF_DATA_DIR                                  state and credentials (default: a per-user directory,
                                                  ~/.local/share/wharf or $XDG_DATA_HOME/wharf; macOS:
                                                  ~/Library/Application Support/wharf)
  WHARF_LOG_LEVEL                                 log level of up, server and agent (default info)
  WHARF_ACCESS_KEY_ID / WHARF_SECRET_ACCESS_KEY   root credentials (default: generated on first start)
  WHARF_ACCOUNT_ID                                account id in every ARN (default 000000000000)
`;

/** Runs the CLI with the given arguments and returns the process exit code. */
export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      process.stdout.write(HELP);
      return 0;
    }
    const cmd = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!cmd) {
      process.stderr.write(`wharf: unknown command '${command}'. Run 'wharf --help' to see the commands.\n`);
      return 2;
    }
    return await cmd.run(rest);
  } catch (err) {
    process.stderr.write(`wharf ${command}: ${(err as Error).message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
