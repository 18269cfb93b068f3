import { parseArgs, type ParseArgsConfig } from "node:util";

/** A failure the user can act on: the message says what to do; the CLI prints it and exits 1. */
export class CliError extends Error {
  override name = "CliError";
}

/** A command line the command cannot take (unknown flag, missing value): the CLI exits 2. */
export class UsageError extends CliError {
  override name = "UsageError";
}

/** Every subcommand's `--help` / `-h` flag. */
export const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;

/** The help line every subcommand's help ends its flag list with. */
export const HELP_LINE = "  --help, -h              this help\n";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * parseArgs for `wharf <command>`, strict: an unknown flag, a flag without its value or a
 * positional the command does not take is a UsageError that names the command and its --help.
 */
export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    if (!e.code?.startsWith("ERR_PARSE_ARGS_")) throw err;
    throw new UsageError(`${describe(e, options)}. Run 'wharf ${command} --help' to see its options.`);
  }
}

function describe(e: Error & { code?: string }, options: Options): string {
  const flag = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1];
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option '${flag ?? e.message}'`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument '${/'([^']*)'/.exec(e.message)?.[1] ?? e.message}'`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = flag?.replace(/^-+/, "").split(/[ =]/)[0] ?? "";
      const opt = options[name];
      return opt?.type === "boolean" ? `option '--${name}' takes no value` : `option '--${name}' needs a value`;
    }
    default:
      return e.message;
  }
}
