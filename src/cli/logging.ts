import { pino, type DestinationStream, type Level, type Logger } from "pino";
import type { AccessLogEntry } from "../edge/access-log.js";
import { UsageError } from "./args.js";

/**
 * Structured logs at the process edge: `wharf up`, `wharf server` and `wharf agent` write JSON
 * lines to stderr through pino — `time` (ISO 8601), `level` (its name), `component`, then the
 * line's own fields (`requestId` where there is one) and `msg`. The code inside keeps its
 * injected `log(line)` functions; `lineLog` adapts them here.
 */

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = "info";

export const LOG_LEVEL_OPTION = { "log-level": { type: "string" } } as const;
export const LOG_LEVEL_HELP = `  --log-level LEVEL       ${LOG_LEVELS.join(", ")} (default ${DEFAULT_LOG_LEVEL}, or WHARF_LOG_LEVEL)\n`;

/** `--log-level`, else WHARF_LOG_LEVEL, else info; anything else is a usage error naming the levels. */
export function resolveLogLevel(command: string, flag: string | undefined, env = process.env): LogLevel {
  const given = flag ?? env.WHARF_LOG_LEVEL;
  if (given === undefined || given === "") return DEFAULT_LOG_LEVEL;
  const level = given.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  const source = flag !== undefined ? "--log-level" : "WHARF_LOG_LEVEL";
  throw new UsageError(`${source} must be one of ${LOG_LEVELS.join(", ")}, got '${given}'. Run 'wharf ${command} --help' to see its options.`);
}

/** The process's logger: JSON lines on stderr (written synchronously, so none is lost at exit). */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

const LINE_LEVELS = new Set<string>(["fatal", "error", "warn", "info", "debug", "trace"]);

/**
 * Adapts an injected `log(line)` function to pino: `line.level` (when it names a level) picks
 * the level, else `fallback`; `line.msg` is the message; `line.component`, when present, wins
 * over `component`; every other field is kept as it is.
 */
export function lineLog(logger: Logger, component: string, fallback: Level = "info"): (line: Record<string, unknown>) => void {
  return (line) => {
    const { level, msg, component: own, ...fields } = line;
    const lvl = typeof level === "string" && LINE_LEVELS.has(level) ? (level as Level) : fallback;
    logger[lvl]({ component: typeof own === "string" ? own : component, ...fields }, typeof msg === "string" ? msg : "");
  };
}

/**
 * The access log: one line per answered request, component `edge`. API calls log at info (5xx
 * at error); Wharf's own `/_wharf/` paths (agent long polls, health) at debug.
 */
export function accessLog(logger: Logger): (entry: AccessLogEntry) => void {
  return (entry) => {
    const lvl: Level = entry.status >= 500 ? "error" : entry.path.startsWith("/_wharf/") ? "debug" : "info";
    const what = entry.operation ? `${entry.service ?? "?"}:${entry.operation}` : `${entry.method} ${entry.path}`;
    logger[lvl]({ component: "edge", ...entry }, `${what} ${entry.status}`);
  };
}
