import { clusterOfArn } from "./arn.js";
import type { ContainerDefinition } from "@aws-sdk/client-ecs";

/**
 * Where a container's stdout/stderr go, decided from its task definition alone (pure): the
 * `awslogs` driver (a CloudWatch Logs group and stream, ECS's naming) or `awsfirelens` (the
 * destination a FireLens log router would send to; Wharf's agent plays that router). The agent
 * stores the route on the container (a label) and ships by it; `wharf logs` / `wharf run` use
 * it to find the stream to read; registration uses the FireLens rules to refuse what the agent
 * could not route.
 */

export type LogMode = "blocking" | "non-blocking";
/** Docker's (and ECS's) default `max-buffer-size` for `mode: non-blocking`. */
export const DEFAULT_MAX_BUFFER_BYTES = 1024 * 1024;

export type LogDestination =
  | {
      type: "cloudwatch";
      region: string;
      group: string;
      /** null: the stream is named after the Docker container id (awslogs without a prefix). */
      stream: string | null;
      createGroup: boolean;
      /** FireLens `log_key`: send only this record key's value instead of the JSON record. */
      logKey?: string;
    }
  | { type: "file"; path: string; file: string; format: "out_file" | "plain" }
  | { type: "http"; host: string; port: number; uri: string; format: "json" | "json_lines" }
  | { type: "stdout" };

export interface LogRoute {
  driver: "awslogs" | "awsfirelens";
  destination: LogDestination;
  mode: LogMode;
  maxBufferBytes: number;
  taskArn: string;
  containerName: string;
  /** FireLens only: lines become JSON records (Fluent Bit's), tagged and optionally enriched. */
  firelens?: { tag: string; metadata?: EcsLogMetadata };
  /** awslogs routes of a task with an execution role: delivery runs with that role's credentials. */
  executionRoleArn?: string;
}

export interface EcsLogMetadata {
  ecs_cluster: string;
  ecs_task_arn: string;
  ecs_task_definition: string;
}

export interface RouteContext {
  taskArn: string;
  clusterArn: string;
  family: string;
  revision: number;
  /** Region for awslogs without `awslogs-region` (the agent's own, as the EC2 agent uses the instance's). */
  defaultRegion: string;
  /** The task's containers (to find the FireLens router's options). */
  containers: ContainerDefinition[];
}

/** A log configuration the agent cannot honour; the message is Docker's or FireLens's wording. */
export class LogConfigError extends Error {
  override name = "LogConfigError";
}

export const taskIdOf = (taskArn: string): string => taskArn.slice(taskArn.lastIndexOf("/") + 1);

/** ECS's stream name for `awslogs-stream-prefix`: `<prefix>/<container-name>/<task-id>`. */
export const awslogsStreamName = (prefix: string, containerName: string, taskArn: string): string =>
  `${prefix}/${containerName}/${taskIdOf(taskArn)}`;

/** FireLens's tag for an app container's records: `<container-name>-firelens-<task-id>`. */
export const firelensTag = (containerName: string, taskArn: string): string =>
  `${containerName}-firelens-${taskIdOf(taskArn)}`;

/**
 * Docker's size syntax (units.RAMInBytes): "25m", "4k", "1g", "512", "25MB", "4KiB" — binary
 * multiples. Undefined when it does not parse or is not positive.
 */
export function parseBufferSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?) ?([kKmMgGtT])?[iI]?[bB]?$/.exec(text.trim());
  if (!m) return undefined;
  const mult = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[(m[2] ?? "").toLowerCase()]!;
  const n = Math.floor(Number(m[1]) * mult);
  return n > 0 ? n : undefined;
}

/** Options Docker's awslogs driver knows (plus ECS's `awslogs-stream-prefix`); others fail like Docker. */
const AWSLOGS_OPTIONS = new Set([
  "awslogs-region",
  "awslogs-endpoint",
  "awslogs-group",
  "awslogs-stream",
  "awslogs-stream-prefix",
  "awslogs-create-group",
  "awslogs-create-stream",
  "awslogs-datetime-format",
  "awslogs-multiline-pattern",
  "awslogs-credentials-endpoint",
  "awslogs-force-flush-interval-seconds",
  "awslogs-max-buffered-events",
  "awslogs-format",
  "tag",
  "mode",
  "max-buffer-size",
]);

/** Options that change how lines are cut that Wharf's shipper does not implement; they are reported, not silently ignored. */
export const AWSLOGS_IGNORED_OPTIONS = ["awslogs-datetime-format", "awslogs-multiline-pattern", "awslogs-format"] as const;

function deliveryMode(options: Record<string, string>): { mode: LogMode; maxBufferBytes: number } {
  const mode = options["mode"] ?? "blocking";
  if (mode !== "blocking" && mode !== "non-blocking") {
    throw new LogConfigError(`logger: logger mode '${mode}' is not supported (use blocking or non-blocking)`);
  }
  const raw = options["max-buffer-size"];
  if (raw !== undefined && mode !== "non-blocking") {
    throw new LogConfigError("logger: max-buffer-size option is only supported with 'mode=non-blocking'");
  }
  const maxBufferBytes = raw === undefined ? DEFAULT_MAX_BUFFER_BYTES : parseBufferSize(raw);
  if (maxBufferBytes === undefined) throw new LogConfigError(`logger: could not parse max-buffer-size '${raw}'`);
  return { mode, maxBufferBytes };
}

const truthy = (v: string | undefined): boolean => v !== undefined && /^(true|on|yes|1)$/i.test(v.trim());

/**
 * The route of a container's logs, or undefined when its driver is neither awslogs nor
 * awsfirelens (Docker keeps those lines in json-file). Throws LogConfigError for options the
 * agent cannot honour.
 */
export function planLogRoute(def: ContainerDefinition, ctx: RouteContext): LogRoute | undefined {
  const driver = def.logConfiguration?.logDriver;
  const options = { ...(def.logConfiguration?.options ?? {}) };
  const base = { taskArn: ctx.taskArn, containerName: def.name!, ...deliveryMode(options) };
  if (driver === "awslogs") {
    for (const k of Object.keys(options)) {
      if (!AWSLOGS_OPTIONS.has(k)) throw new LogConfigError(`unknown log opt '${k}' for awslogs log driver`);
    }
    const group = options["awslogs-group"];
    if (!group) throw new LogConfigError("awslogs-group is required");
    const prefix = options["awslogs-stream-prefix"];
    const stream = prefix ? awslogsStreamName(prefix, def.name!, ctx.taskArn) : (options["awslogs-stream"] ?? null);
    return {
      driver,
      ...base,
      destination: {
        type: "cloudwatch",
        region: options["awslogs-region"] || ctx.defaultRegion,
        group,
        stream,
        createGroup: truthy(options["awslogs-create-group"]),
      },
    };
  }
  if (driver === "awsfirelens") {
    const problem = firelensOptionsProblem(def);
    if (problem) throw new LogConfigError(problem);
    const router = ctx.containers.find((c) => c.firelensConfiguration);
    const tag = firelensTag(def.name!, ctx.taskArn);
    const withMetadata = router?.firelensConfiguration?.options?.["enable-ecs-log-metadata"] !== "false";
    return {
      driver,
      ...base,
      destination: firelensDestination(lowerKeys(options), tag),
      firelens: {
        tag,
        ...(withMetadata
          ? {
              metadata: {
                ecs_cluster: clusterOfArn(ctx.clusterArn),
                ecs_task_arn: ctx.taskArn,
                ecs_task_definition: `${ctx.family}:${ctx.revision}`,
              },
            }
          : {}),
      },
    };
  }
  return undefined;
}

const lowerKeys = (o: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));

function firelensDestination(o: Record<string, string>, tag: string): LogDestination {
  switch (o["name"]!.toLowerCase()) {
    case "cloudwatch":
    case "cloudwatch_logs":
      return {
        type: "cloudwatch",
        region: o["region"]!,
        group: o["log_group_name"]!,
        stream: o["log_stream_name"] ?? `${o["log_stream_prefix"]}${tag}`,
        createGroup: truthy(o["auto_create_group"]),
        ...(o["log_key"] ? { logKey: o["log_key"] } : {}),
      };
    case "file":
      return { type: "file", path: o["path"]!, file: o["file"] ?? tag, format: (o["format"] ?? "out_file") as "out_file" | "plain" };
    case "http":
      return {
        type: "http",
        host: o["host"] ?? "127.0.0.1",
        port: o["port"] === undefined ? 80 : Number(o["port"]),
        uri: o["uri"] ?? "/",
        format: o["format"] as "json" | "json_lines",
      };
    default:
      return { type: "stdout" };
  }
}

// ---- FireLens: what the agent can route (checked at registration and again by the agent) ----

/** Output plugins (FireLens `Name`) the agent routes, with the options each accepts (lower case). */
export const FIRELENS_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
  cloudwatch: ["region", "log_group_name", "log_stream_name", "log_stream_prefix", "auto_create_group", "log_key"],
  cloudwatch_logs: ["region", "log_group_name", "log_stream_name", "log_stream_prefix", "auto_create_group", "log_key"],
  file: ["path", "file", "format"],
  http: ["host", "port", "uri", "format"],
  stdout: ["format"],
};
/** Options any output may carry: the plugin name, Fluent Bit's retry limit, Docker's delivery mode. */
const COMMON_FIRELENS_OPTIONS = ["name", "retry_limit", "mode", "max-buffer-size", "log-driver-buffer-limit"];
const AWS_STREAMING_OUTPUTS = /^(s3|kinesis|kinesis_streams|kinesis_firehose|firehose|es|opensearch)$/i;
const SUPPORTED = "cloudwatch_logs (or cloudwatch), file, http or stdout";

/**
 * Why this container's `awsfirelens` options cannot be routed by Wharf (a message for a
 * ClientException), or undefined when they can.
 */
export function firelensOptionsProblem(def: ContainerDefinition): string | undefined {
  const where = `container '${def.name}'`;
  if ((def.logConfiguration?.secretOptions ?? []).length > 0) {
    return `Log driver awsfirelens secretOptions are not supported by Wharf (${where}); pass the values in options instead.`;
  }
  const o = lowerKeys({ ...(def.logConfiguration?.options ?? {}) });
  const name = o["name"];
  if (!name) {
    return `Log driver awsfirelens option 'Name' should not be null or empty (${where}); Wharf routes ${SUPPORTED}.`;
  }
  const allowed = FIRELENS_OUTPUTS[name.toLowerCase()];
  if (!allowed) {
    const why = AWS_STREAMING_OUTPUTS.test(name) ? "S3, Kinesis, Firehose and OpenSearch destinations do not exist in Wharf" : "no such output in Wharf's FireLens router";
    return `Log driver awsfirelens option 'Name' value '${name}' is not supported (${where}): ${why}. Use ${SUPPORTED}.`;
  }
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key) && !COMMON_FIRELENS_OPTIONS.includes(key)) {
      return `Log driver awsfirelens option '${key}' is not supported for Name '${name}' (${where}). Supported options: Name, ${allowed.join(", ")}.`;
    }
  }
  const lname = name.toLowerCase();
  if (lname === "cloudwatch" || lname === "cloudwatch_logs") {
    for (const req of ["region", "log_group_name"]) {
      if (!o[req]) return `Log driver awsfirelens option '${req}' is required for Name '${name}' (${where}).`;
    }
    if (!o["log_stream_name"] && o["log_stream_prefix"] === undefined) {
      return `Log driver awsfirelens needs 'log_stream_name' or 'log_stream_prefix' for Name '${name}' (${where}).`;
    }
  }
  if (lname === "file") {
    if (!o["path"]?.startsWith("/")) {
      return `Log driver awsfirelens option 'Path' must be an absolute directory for Name 'file' (${where}); Wharf writes it on the agent's host.`;
    }
    if (o["format"] !== undefined && !["out_file", "plain"].includes(o["format"])) {
      return `Log driver awsfirelens option 'Format' value '${o["format"]}' is not supported for Name 'file' (${where}). Use out_file or plain.`;
    }
  }
  if (lname === "http") {
    if (!["json", "json_lines"].includes(o["format"] ?? "")) {
      return `Log driver awsfirelens option 'Format' must be json or json_lines for Name 'http' (${where}); Fluent Bit's default (msgpack) is not supported.`;
    }
    if (o["port"] !== undefined && !/^\d{1,5}$/.test(o["port"])) {
      return `Log driver awsfirelens option 'Port' value '${o["port"]}' is not a port number (${where}).`;
    }
  }
  const mode = o["mode"];
  if (mode !== undefined && mode !== "blocking" && mode !== "non-blocking") {
    return `Log driver awsfirelens option 'mode' value '${mode}' is not supported (${where}). Use blocking or non-blocking.`;
  }
  if (o["max-buffer-size"] !== undefined && parseBufferSize(o["max-buffer-size"]) === undefined) {
    return `Log driver awsfirelens option 'max-buffer-size' value '${o["max-buffer-size"]}' is not a size such as 4k or 25m (${where}).`;
  }
  return undefined;
}
