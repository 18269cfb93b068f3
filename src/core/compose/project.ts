/**
 * A compose file's project, normalized: what `wharf compose` maps to ECS. The raw file has been
 * parsed, interpolated and validated against the Compose Specification's schema before it gets
 * here (src/cli/compose/load.ts); this module turns its many spellings (short and long port
 * syntax, list or map environment, string or list commands, …) into one form.
 */

/** One or more reasons a compose file cannot be mapped to ECS, each naming where and why. */
export class ComposeError extends Error {
  override name = "ComposeError";
  constructor(readonly reasons: string[]) {
    super(reasons.length === 1 ? reasons[0]! : `${reasons.length} problems:\n  - ${reasons.join("\n  - ")}`);
  }
}

export interface ComposePort {
  /** The container's port. */
  target: number;
  /** The published (load balancer listener) port; undefined when only exposed to the other services. */
  published?: number;
  protocol: "tcp" | "udp";
  /** `app_protocol` of the long syntax (http, https, …). */
  appProtocol?: string;
}

export interface ComposeMount {
  /** The top-level volume's name. */
  volume: string;
  target: string;
  readOnly: boolean;
}

export interface ComposeHealthcheck {
  /** ECS's form: ["CMD", …] or ["CMD-SHELL", "…"]. */
  test: string[];
  intervalSec?: number;
  timeoutSec?: number;
  retries?: number;
  startPeriodSec?: number;
}

export interface ComposeDependency {
  service: string;
  condition: "service_started" | "service_healthy";
}

export interface ComposeBuild {
  context: string;
  dockerfile?: string;
  args: Record<string, string>;
  target?: string;
}

/**
 * A top-level secret. ECS takes secrets only from Secrets Manager or Parameter Store, so (as in
 * Docker's ECS integration) an `external: true` secret names one (`name`, an ARN or a Secrets
 * Manager name; default its key), and a `file:` or `environment:` secret is put into Secrets
 * Manager by `up` as `<project>/<name>`.
 */
export type ComposeSecret =
  | { name: string; external: string }
  | { name: string; file: string }
  | { name: string; environment: string };

/** A service's use of a secret: ECS injects it as the environment variable `env`. */
export interface ComposeSecretUse {
  source: string;
  env: string;
}

export interface ComposeService {
  name: string;
  image?: string;
  build?: ComposeBuild;
  command?: string[];
  entrypoint?: string[];
  /** environment over env_file, by name. */
  environment: Record<string, string>;
  /** env_file paths as written (relative to the project directory), read by the CLI. */
  envFiles: { path: string; required: boolean }[];
  ports: ComposePort[];
  healthcheck?: ComposeHealthcheck;
  dependsOn: ComposeDependency[];
  replicas: number;
  /** Task size asked for: vCPUs and MiB (limits, else reservations). */
  cpus?: number;
  memoryMiB?: number;
  memoryReservationMiB?: number;
  mounts: ComposeMount[];
  networks: string[];
  workingDir?: string;
  user?: string;
  labels: Record<string, string>;
  stopTimeoutSec?: number;
  init?: boolean;
  readOnly?: boolean;
  tty?: boolean;
  stdinOpen?: boolean;
  ulimits: { name: string; soft: number; hard: number }[];
  secrets: ComposeSecretUse[];
  /** deploy.update_config.order start-first / stop-first → deployment percentages. */
  updateOrder?: "start-first" | "stop-first";
  /** x-aws-min_percent / x-aws-max_percent. */
  minPercent?: number;
  maxPercent?: number;
}

export interface ComposeProject {
  name: string;
  services: ComposeService[];
  volumes: string[];
  networks: string[];
  secrets: ComposeSecret[];
  /** x-aws-cluster: an existing cluster to deploy into (not created, not deleted). */
  cluster?: string;
  /** x-aws-vpc: the VPC whose subnets the tasks and the load balancer use (else the default VPC). */
  vpc?: string;
  /** x-aws-loadbalancer: an existing load balancer (name or ARN) to add listeners to. */
  loadBalancer?: string;
  /** x-aws-logs_retention: days. */
  logsRetentionDays?: number;
}

/** Compose's project name rule: lowercase letters, digits, dashes and underscores, starting with a letter or digit. */
export function normalizeProjectName(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9_-]/g, "").replace(/^[^a-z0-9]+/, "");
}
