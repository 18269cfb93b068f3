import type { ContainerDefinition, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { EcsApiError, WharfClient } from "../contracts/wharf-client.js";
import { QueryApiError, QueryClient, type XmlNode } from "../contracts/query-client.js";
import { logsCallOf, type LogsCall } from "../contracts/logs-client.js";
import { DATA_DIR_DEFAULT_TEXT, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_REGION, loadRootCredentials, resolveDataDir } from "../config.js";
import { CliError } from "./args.js";
import { type LogDestination, planLogRoute } from "../core/log-route.js";

/**
 * What `wharf logs` and `wharf run` share: how they reach Wharf (endpoint, Region, credentials,
 * in that order: flags, the AWS_* environment `wharf env` prints, the server's data dir) and
 * how they find the CloudWatch Logs stream of a task's container (its task definition's
 * awslogs or FireLens-cloudwatch route, ECS's naming).
 */

export interface Connection {
  endpoint: string;
  region: string;
  ecs: <T = Record<string, unknown>>(operation: string, input: Record<string, unknown>) => Promise<T>;
  logs: LogsCall;
  /** A signed JSON call to one of Wharf's own endpoints (`/_wharf/...`, e.g. /_wharf/explain). */
  internal: <T = Record<string, unknown>>(path: string, input: Record<string, unknown>) => Promise<T>;
  /** A JSON 1.1 call to another service on the endpoint (Cloud Map, ECR), signed for it. */
  json: <T = Record<string, unknown>>(target: { prefix: string; service: string }, operation: string, input: unknown) => Promise<T>;
  /** A Query/EC2-protocol call (ELBv2 `elasticloadbalancing`, `ec2`), answered in XML. */
  query: (service: string, action: string, params?: Record<string, string | number | boolean | undefined>) => Promise<XmlNode>;
}

export const CONNECTION_OPTIONS = {
  endpoint: { type: "string" },
  region: { type: "string" },
  "data-dir": { type: "string" },
} as const;

export const CONNECTION_HELP = `Connection (each falls back in this order):
  --endpoint URL      Wharf's API (else AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL, http://${DEFAULT_HOST}:${DEFAULT_PORT})
  --region REGION     signing Region (else AWS_REGION, AWS_DEFAULT_REGION, ${DEFAULT_REGION})
  --data-dir DIR      read credentials from the server's data dir when AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
                      are not set (default WHARF_DATA_DIR, else ${DATA_DIR_DEFAULT_TEXT})
`;

export { CliError } from "./args.js";

export function connect(values: { endpoint?: string; region?: string; "data-dir"?: string }): Connection {
  const env = process.env;
  const endpoint = values.endpoint ?? env.AWS_ENDPOINT_URL_ECS ?? env.AWS_ENDPOINT_URL ?? `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_REGION;
  let credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
  } else {
    const dir = resolveDataDir(values["data-dir"]);
    credentials = loadRootCredentials(dir, false);
    if (!credentials) {
      throw new CliError(
        `no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (eval "$(wharf env)"), or pass --data-dir pointing at the Wharf server's data dir (looked in ${dir})`,
      );
    }
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new CliError(`--endpoint must be a URL such as http://127.0.0.1:${DEFAULT_PORT}, got '${endpoint}'`);
  }
  const api = new WharfClient(url.toString(), credentials, region);
  const reach = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: Error & { cause?: { code?: string } }) => {
      if (err instanceof EcsApiError || err instanceof QueryApiError) throw err;
      const code = err.cause?.code ?? "";
      throw new CliError(`cannot reach Wharf at ${endpoint} (${code || err.message}): start it with 'wharf up', or pass --endpoint`);
    });
  const logs = logsCallOf(api);
  const queries = new QueryClient(url.toString(), credentials, region);
  return {
    endpoint,
    region,
    ecs: (op, input) => reach(api.call(op, input)),
    logs: (r, op, input, signal) => reach(logs(r, op, input, signal)),
    internal: (path, input) => reach(api.internal(path, input)),
    json: (target, op, input) => reach(api.callService({ ...target, region }, op, input)),
    query: (service, action, params) => reach(queries.call(service, action, params)),
  };
}

export const shortId = (arn: string): string => arn.slice(arn.lastIndexOf("/") + 1);

/** A container's output as stored in CloudWatch Logs, or why it is not. */
export type ContainerLogs =
  | { container: string; region: string; group: string; stream: string; taskArn: string }
  | { container: string; taskArn: string; missing: string };

/** Where each container of a task logs (per its task definition), optionally one container only. */
export function containerLogs(task: Task, td: TaskDefinition, defaultRegion: string, only?: string): ContainerLogs[] {
  const defs = (td.containerDefinitions ?? []) as ContainerDefinition[];
  const out: ContainerLogs[] = [];
  for (const def of defs) {
    if (only !== undefined && def.name !== only) continue;
    const base = { container: def.name!, taskArn: task.taskArn! };
    let dest: LogDestination | undefined;
    try {
      dest = planLogRoute(def, {
        taskArn: task.taskArn!,
        clusterArn: task.clusterArn!,
        family: td.family!,
        revision: td.revision!,
        defaultRegion,
        containers: defs,
      })?.destination;
    } catch (err) {
      out.push({ ...base, missing: (err as Error).message });
      continue;
    }
    const driver = def.logConfiguration?.logDriver ?? "json-file";
    if (!dest || dest.type !== "cloudwatch") {
      out.push({
        ...base,
        missing: `container '${def.name}' logs with ${driver}${dest ? ` (${dest.type} output)` : ""}; only awslogs (or FireLens to cloudwatch_logs) output can be read through Wharf — add logConfiguration {"logDriver": "awslogs", ...} to read it here, or use 'docker logs' on its host`,
      });
      continue;
    }
    let stream = dest.stream;
    if (stream === null) {
      const runtimeId = task.containers?.find((c) => c.name === def.name)?.runtimeId;
      if (!runtimeId) {
        out.push({ ...base, missing: `container '${def.name}' has no awslogs-stream-prefix and has not started yet (its stream is named after its Docker id)` });
        continue;
      }
      stream = runtimeId;
    }
    out.push({ ...base, region: dest.region, group: dest.group, stream });
  }
  return out;
}

/** DescribeTaskDefinition, cached per ARN. */
export function taskDefinitions(conn: Connection): (arn: string) => Promise<TaskDefinition> {
  const cache = new Map<string, Promise<TaskDefinition>>();
  return (arn) => {
    let p = cache.get(arn);
    if (!p) {
      p = conn.ecs<{ taskDefinition: TaskDefinition }>("DescribeTaskDefinition", { taskDefinition: arn }).then((o) => o.taskDefinition);
      cache.set(arn, p);
    }
    return p;
  };
}

/** DescribeTasks of up to 100 ARNs or ids per call. */
export async function describeTasks(conn: Connection, cluster: string, tasks: string[]): Promise<{ tasks: Task[]; missing: string[] }> {
  const out: Task[] = [];
  const missing: string[] = [];
  for (let i = 0; i < tasks.length; i += 100) {
    const r = await conn.ecs<{ tasks?: Task[]; failures?: { arn?: string; reason?: string }[] }>("DescribeTasks", { cluster, tasks: tasks.slice(i, i + 100) });
    out.push(...(r.tasks ?? []));
    missing.push(...(r.failures ?? []).map((f) => f.arn ?? ""));
  }
  return { tasks: out, missing };
}
