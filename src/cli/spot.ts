import { EcsApiError } from "../contracts/wharf-client.js";
import { HELP_LINE, HELP_OPTION, parseCommandArgs } from "./args.js";
import { type InterruptOutput, SPOT_INTERRUPT_PATH } from "../contracts/internal-routes.js";
import { CliError, connect, CONNECTION_HELP, CONNECTION_OPTIONS, shortId } from "./connection.js";

export const SPOT_HELP = `wharf spot-interrupt — reclaim FARGATE_SPOT capacity now, as AWS does when it needs it back

Usage: wharf spot-interrupt [--cluster NAME] (--task ID ... | --share FRACTION)

  --cluster NAME     the cluster (default "default")
  --task ID          a FARGATE_SPOT task to interrupt, id or ARN (repeatable)
  --share FRACTION   or this share of the cluster's running FARGATE_SPOT tasks, chosen at random
                     (0-1; e.g. 0.5 interrupts half of them, at least one)
${HELP_LINE}
Each task is stopped as ECS stops an interrupted Spot task: SIGTERM, then SIGKILL after the
container's stopTimeout; it shows stopCode SpotInterruption and stoppedReason "Your Spot Task was
interrupted."; a service replaces it. For a steady random rate, start Wharf with its
spot-interruptions-per-hour option (wharf up --help).

${CONNECTION_HELP}`;

export const SPOT_OPTIONS = {
  ...CONNECTION_OPTIONS,
  cluster: { type: "string" },
  task: { type: "string", multiple: true },
  share: { type: "string" },
  ...HELP_OPTION,
} as const;

export async function spotInterruptCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("spot-interrupt", argv, SPOT_OPTIONS);
  if (values.help) {
    process.stdout.write(SPOT_HELP);
    return 0;
  }
  const tasks = values.task ?? [];
  if ((tasks.length > 0) === (values.share !== undefined)) throw new CliError("give --task ID (repeatable) or --share FRACTION (wharf spot-interrupt --help)");
  const share = values.share === undefined ? undefined : Number(values.share);
  if (share !== undefined && !(share >= 0 && share <= 1)) throw new CliError(`--share must be a number from 0 to 1, got '${values.share}'`);
  const conn = connect(values);
  let out: InterruptOutput;
  try {
    out = await conn.internal<InterruptOutput>(SPOT_INTERRUPT_PATH, {
      cluster: values.cluster ?? "default",
      ...(tasks.length ? { tasks } : { share }),
    });
  } catch (err) {
    if (err instanceof EcsApiError) throw new CliError(`${err.code}: ${err.message.slice(err.code.length + 2)}`);
    throw err;
  }
  for (const arn of out.interrupted) process.stdout.write(`interrupted ${shortId(arn)}\n`);
  for (const f of out.failures) process.stderr.write(`not interrupted ${shortId(f.arn)}: ${f.reason}\n`);
  if (out.interrupted.length === 0 && out.failures.length === 0) process.stdout.write("no running FARGATE_SPOT task to interrupt\n");
  return out.failures.length > 0 ? 1 : 0;
}
