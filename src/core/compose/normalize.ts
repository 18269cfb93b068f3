import {
  ComposeError,
  type ComposeBuild,
  type ComposeDependency,
  type ComposeHealthcheck,
  type ComposeMount,
  type ComposePort,
  type ComposeProject,
  type ComposeService,
  type ComposeSecret,
  type ComposeSecretUse,
} from "./project.js";
import { composeDurationSec, composeSizeMiB, shellWords } from "./units.js";

type Raw = Record<string, unknown>;

/**
 * Service keys that have no ECS (Fargate) meaning, and why. A file using one is refused, not
 * half-deployed: the user learns what to change.
 */
const REFUSED_KEYS: Record<string, string> = {
  privileged: "Fargate tasks cannot run privileged containers",
  network_mode: "every task runs in awsvpc mode (its own ENI in the project's VPC); network_mode has no ECS equivalent",
  pid: "Fargate supports only the task's own PID namespace (pidMode 'task'), not pid",
  ipc: "Fargate tasks do not support ipcMode",
  links: "links are not supported with awsvpc networking; services reach each other by name through service discovery already",
  external_links: "links are not supported with awsvpc networking",
  devices: "Fargate tasks cannot map host devices",
  gpus: "Fargate tasks have no GPUs",
  cap_add: "Fargate allows adding only SYS_PTRACE; wharf compose does not map cap_add",
  sysctls: "ECS systemControls are not mapped by wharf compose",
  hostname: "awsvpc tasks cannot set a hostname (ECS refuses 'hostname' with awsvpc)",
  domainname: "ECS has no domainname setting",
  extra_hosts: "awsvpc tasks cannot set extraHosts (ECS refuses them)",
  dns: "tasks use the VPC's resolver (169.254.169.253), which serves the project's names; dns has no awsvpc equivalent",
  dns_search: "the project's namespace is every task's search domain already",
  volumes_from: "volumesFrom shares volumes between containers of one task; compose services are separate tasks",
  configs: "configs have no ECS equivalent (no file can be put into a Fargate task's filesystem)",
  tmpfs: "Fargate tasks do not support tmpfs mounts",
  shm_size: "Fargate tasks do not support sharedMemorySize",
  extends: "extends is not supported by wharf compose: write the service out in full",
  stop_signal: "ECS always stops a container with SIGTERM, then SIGKILL after stopTimeout",
  mem_limit: "use deploy.resources.limits.memory (the task size)",
  cpus: "use deploy.resources.limits.cpus (the task size)",
  mac_address: "ENIs get their own MAC addresses",
  userns_mode: "ECS has no user namespace setting",
  cgroup_parent: "ECS has no cgroup parent setting",
  runtime: "ECS has no container runtime setting",
  isolation: "ECS on Linux has no isolation setting",
  provider: "provider services are managed outside Compose; wharf compose cannot run them",
  models: "AI models have no ECS equivalent",
  post_start: "ECS has no container lifecycle hooks",
  pre_stop: "ECS has no container lifecycle hooks",
  use_api_socket: "Fargate tasks cannot reach a Docker API socket",
  oom_kill_disable: "ECS has no OOM-killer setting",
  security_opt: "Fargate tasks do not support dockerSecurityOptions",
  storage_opt: "ECS has no storage driver options",
  blkio_config: "ECS has no block IO settings",
};

/** Service keys that change nothing on ECS and are accepted without effect. */
const IGNORED_KEYS = new Set(["container_name", "pull_policy", "attach", "annotations", "develop", "label_file", "stdin_open"]);

const MAPPED_KEYS = new Set([
  "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose", "healthcheck", "depends_on",
  "deploy", "scale", "volumes", "networks", "working_dir", "user", "labels", "stop_grace_period", "init", "read_only",
  "tty", "ulimits", "restart", "platform", "logging", "profiles", "secrets",
]);

/** The x-aws-* extensions of Docker's ECS integration that Wharf does not honour, and why. */
const REFUSED_X_AWS: Record<string, string> = {
  "x-aws-role": "task roles from an inline policy are not created by wharf compose; register the role with 'aws iam' and use a task definition",
  "x-aws-policies": "task roles with managed policies are not created by wharf compose",
  "x-aws-pull_credentials": "private registry credentials (repositoryCredentials) are not mapped by wharf compose",
  "x-aws-autoscaling": "Application Auto Scaling policies are not created by wharf compose; set deploy.replicas",
  "x-aws-cloudformation": "Wharf has no CloudFormation: the resources are made through the ECS, ELBv2, EC2 and Cloud Map APIs",
};

const SERVICE_X_AWS = new Set(["x-aws-min_percent", "x-aws-max_percent", "x-aws-logs_retention"]);

export interface NormalizeOptions {
  /** The project's name (-p, else `name:`, else the directory's). */
  projectName: string;
  /** Profiles enabled with --profile: a service with profiles runs only when one is enabled. */
  profiles?: string[];
}

/** Turns a validated compose document into the project wharf compose maps; refuses what ECS cannot mean. */
export function normalizeProject(doc: Raw, opts: NormalizeOptions): ComposeProject {
  const reasons: string[] = [];
  const refuse = (r: string) => reasons.push(r);
  const topVolumes = (doc.volumes ?? {}) as Raw;
  const topNetworks = (doc.networks ?? {}) as Raw;
  for (const [k, why] of Object.entries(REFUSED_X_AWS)) if (k in doc) refuse(`${k}: ${why}`);
  if (doc.include) refuse("include: combining compose files is not supported by wharf compose; pass one file with -f");
  if (doc.configs) refuse(`configs: ${REFUSED_KEYS.configs}`);
  const secrets = topSecrets((doc.secrets ?? {}) as Raw, refuse);
  if (doc.models) refuse(`models: ${REFUSED_KEYS.models}`);
  for (const [name, v] of Object.entries(topVolumes)) {
    const vol = (v ?? {}) as Raw;
    if (vol.external) refuse(`volumes.${name}: external volumes are not supported (Wharf has no EFS API to look a file system up)`);
    if (vol.driver && vol.driver !== "local") refuse(`volumes.${name}: volume driver '${vol.driver}' is not supported; named volumes become EFS-style volumes`);
    if (vol.driver_opts) refuse(`volumes.${name}: driver_opts are not supported; named volumes become EFS-style volumes`);
  }
  for (const [name, v] of Object.entries(topNetworks)) {
    const net = (v ?? {}) as Raw;
    if (net.external) refuse(`networks.${name}: external networks are not supported; each network becomes a security group of the project`);
    for (const k of ["driver", "driver_opts", "ipam", "enable_ipv6", "internal"]) {
      if (net[k] !== undefined && !(k === "driver" && net[k] === "bridge")) refuse(`networks.${name}.${k}: a network becomes a security group; its ${k} has no meaning there`);
    }
  }
  const rawServices = (doc.services ?? {}) as Raw;
  const enabled = new Set(opts.profiles ?? []);
  const services: ComposeService[] = [];
  for (const [name, v] of Object.entries(rawServices)) {
    const s = (v ?? {}) as Raw;
    const profiles = (s.profiles as string[] | undefined) ?? [];
    if (profiles.length && !profiles.some((p) => enabled.has(p))) continue;
    services.push(normalizeService(name, s, topVolumes, topNetworks, refuse));
    services[services.length - 1]!.secrets = secretUses(s.secrets, secrets, `services.${name}.secrets`, refuse);
  }
  if (!services.length) refuse("the file has no services to run (services with profiles run only with --profile)");
  const names = new Set(services.map((s) => s.name));
  for (const s of services) {
    for (const d of s.dependsOn) {
      if (!names.has(d.service)) refuse(`services.${s.name}.depends_on: no service '${d.service}'`);
      else if (d.condition === "service_healthy" && !services.find((x) => x.name === d.service)!.healthcheck) {
        refuse(`services.${s.name}.depends_on.${d.service}: service_healthy needs a healthcheck on ${d.service} (ECS learns a task's health from its container health check)`);
      }
    }
  }
  if (!reasons.length) creationOrder(services, refuse);
  const retention = doc["x-aws-logs_retention"];
  if (retention !== undefined && !(Number.isInteger(retention) && (retention as number) > 0)) refuse("x-aws-logs_retention: a number of days");
  if (reasons.length) throw new ComposeError(reasons);
  return {
    name: opts.projectName,
    services: creationOrder(services, refuse),
    volumes: Object.keys(topVolumes),
    networks: [...new Set(["default", ...Object.keys(topNetworks)])],
    secrets: secrets.filter((x) => services.some((s) => s.secrets.some((u) => u.source === x.name))),
    ...(typeof doc["x-aws-cluster"] === "string" ? { cluster: doc["x-aws-cluster"] } : {}),
    ...(typeof doc["x-aws-vpc"] === "string" ? { vpc: doc["x-aws-vpc"] } : {}),
    ...(typeof doc["x-aws-loadbalancer"] === "string" ? { loadBalancer: doc["x-aws-loadbalancer"] } : {}),
    ...(retention !== undefined ? { logsRetentionDays: retention as number } : {}),
  };
}

/** Services ordered so each comes after what it depends on; a cycle is refused. */
function creationOrder(services: ComposeService[], refuse: (r: string) => void): ComposeService[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: ComposeService[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (s: ComposeService, chain: string[]): void => {
    const st = state.get(s.name);
    if (st === "done") return;
    if (st === "visiting") {
      refuse(`depends_on: a cycle ${[...chain, s.name].join(" → ")}`);
      return;
    }
    state.set(s.name, "visiting");
    for (const d of s.dependsOn) {
      const dep = byName.get(d.service);
      if (dep) visit(dep, [...chain, s.name]);
    }
    state.set(s.name, "done");
    out.push(s);
  };
  for (const s of services) visit(s, []);
  return out;
}

function normalizeService(name: string, s: Raw, topVolumes: Raw, topNetworks: Raw, refuse: (r: string) => void): ComposeService {
  const at = (k: string) => `services.${name}.${k}`;
  for (const k of Object.keys(s)) {
    if (k.startsWith("x-")) {
      if (k.startsWith("x-aws-") && !SERVICE_X_AWS.has(k)) refuse(`${at(k)}: ${REFUSED_X_AWS[k] ?? "this x-aws extension is not honoured by wharf compose"}`);
      continue;
    }
    if (REFUSED_KEYS[k]) refuse(`${at(k)}: ${REFUSED_KEYS[k]}`);
    else if (!MAPPED_KEYS.has(k) && !IGNORED_KEYS.has(k)) refuse(`${at(k)}: not mapped to ECS by wharf compose`);
  }
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
    refuse(`services.${name}: a service name must be a DNS label (lowercase letters, digits and dashes) to be found by that name through service discovery`);
  }
  if (s.image === undefined && s.build === undefined) refuse(`services.${name}: needs image or build`);
  const svc: ComposeService = {
    name,
    environment: {},
    envFiles: [],
    ports: [],
    dependsOn: [],
    replicas: 1,
    mounts: [],
    networks: ["default"],
    labels: {},
    ulimits: [],
    secrets: [],
  };
  if (typeof s.image === "string") svc.image = s.image;
  if (s.build !== undefined) svc.build = normalizeBuild(s.build, at("build"), refuse);
  const cmd = (v: unknown, k: string) => {
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v)) return v.map(String);
    try {
      return shellWords(String(v));
    } catch (err) {
      refuse(`${at(k)}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const command = cmd(s.command, "command");
  if (command) svc.command = command;
  const entrypoint = cmd(s.entrypoint, "entrypoint");
  if (entrypoint) svc.entrypoint = entrypoint;
  svc.environment = listOrDict(s.environment);
  svc.envFiles = envFiles(s.env_file);
  svc.labels = listOrDict(s.labels);
  if (typeof s.working_dir === "string") svc.workingDir = s.working_dir;
  if (typeof s.user === "string") svc.user = s.user;
  if (s.init !== undefined) svc.init = truthy(s.init);
  if (s.read_only !== undefined) svc.readOnly = truthy(s.read_only);
  if (s.tty !== undefined) svc.tty = truthy(s.tty);
  if (s.stop_grace_period !== undefined) {
    const sec = composeDurationSec(s.stop_grace_period as string);
    if (sec === undefined) refuse(`${at("stop_grace_period")}: not a duration`);
    else if (sec > 120) refuse(`${at("stop_grace_period")}: ECS's stopTimeout is at most 120 seconds`);
    else svc.stopTimeoutSec = Math.max(0, Math.round(sec));
  }
  if (typeof s.platform === "string" && !/^linux(\/(amd64|arm64|x86_64))?/.test(s.platform)) refuse(`${at("platform")}: only Linux platforms run here`);
  if (typeof s.restart === "string" && !["always", "unless-stopped"].includes(s.restart)) {
    refuse(`${at("restart")}: '${s.restart}' cannot be honoured: an ECS service replaces every task that stops (use 'wharf run' for one-off tasks)`);
  }
  if (s.logging !== undefined) {
    const driver = (s.logging as Raw).driver;
    if (driver !== undefined && driver !== "awslogs") refuse(`${at("logging")}: tasks log with awslogs to the project's log group; driver '${driver}' is not mapped`);
  }
  svc.ports = ports(s.ports, at("ports"), refuse);
  for (const e of (s.expose as (string | number)[] | undefined) ?? []) {
    const m = /^(\d+)(?:\/(tcp|udp))?$/.exec(String(e));
    if (!m) refuse(`${at("expose")}: '${e}' is not a port (ranges are not supported)`);
    else if (!svc.ports.some((p) => p.target === Number(m[1]))) svc.ports.push({ target: Number(m[1]), protocol: (m[2] ?? "tcp") as "tcp" });
  }
  if (s.healthcheck !== undefined) {
    const hc = healthcheck(s.healthcheck as Raw, at("healthcheck"), refuse);
    if (hc) svc.healthcheck = hc;
  }
  svc.dependsOn = dependsOn(s.depends_on, at("depends_on"), refuse);
  deploy(svc, s, at, refuse);
  svc.mounts = mounts(s.volumes, topVolumes, at("volumes"), refuse);
  const nets = s.networks === undefined ? ["default"] : Array.isArray(s.networks) ? (s.networks as string[]) : Object.keys(s.networks as Raw);
  for (const n of nets) if (n !== "default" && !(n in topNetworks)) refuse(`${at("networks")}: no top-level network '${n}'`);
  svc.networks = nets;
  for (const [k, field] of [["x-aws-min_percent", "minPercent"], ["x-aws-max_percent", "maxPercent"]] as const) {
    const v = s[k];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || (v as number) < 0) refuse(`${at(k)}: a whole percentage`);
    else svc[field] = v as number;
  }
  const ul = (s.ulimits ?? {}) as Raw;
  for (const [n, v] of Object.entries(ul)) {
    const soft = typeof v === "object" && v ? Number((v as Raw).soft) : Number(v);
    const hard = typeof v === "object" && v ? Number((v as Raw).hard) : Number(v);
    if (n !== "nofile") refuse(`${at(`ulimits.${n}`)}: Fargate allows only the nofile ulimit`);
    else svc.ulimits.push({ name: n, soft, hard });
  }
  return svc;
}

const truthy = (v: unknown): boolean => v === true || v === "true" || v === "1" || v === "yes";

function listOrDict(v: unknown): Record<string, string> {
  if (!v) return {};
  if (Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (const item of v as string[]) {
      const i = item.indexOf("=");
      if (i > 0) out[item.slice(0, i)] = item.slice(i + 1);
    }
    return out;
  }
  return Object.fromEntries(
    Object.entries(v as Raw)
      .filter(([, x]) => x !== null && x !== undefined)
      .map(([k, x]) => [k, String(x)]),
  );
}

function envFiles(v: unknown): { path: string; required: boolean }[] {
  if (v === undefined) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.map((x) => (typeof x === "string" ? { path: x, required: true } : { path: String((x as Raw).path), required: (x as Raw).required !== false && (x as Raw).required !== "false" }));
}

function normalizeBuild(v: unknown, at: string, refuse: (r: string) => void): ComposeBuild {
  if (typeof v === "string") return { context: v, args: {} };
  const b = v as Raw;
  for (const k of Object.keys(b)) {
    if (!["context", "dockerfile", "args", "target", "labels", "cache_from"].includes(k) && !k.startsWith("x-")) refuse(`${at}.${k}: not supported by wharf compose's docker build`);
  }
  if (typeof b.context === "string" && /^[a-z]+:\/\//.test(b.context)) refuse(`${at}.context: only a local directory can be built (no registry or Git context is reachable here)`);
  return {
    context: typeof b.context === "string" ? b.context : ".",
    ...(typeof b.dockerfile === "string" ? { dockerfile: b.dockerfile } : {}),
    args: listOrDict(b.args),
    ...(typeof b.target === "string" ? { target: b.target } : {}),
  };
}

function ports(v: unknown, at: string, refuse: (r: string) => void): ComposePort[] {
  const out: ComposePort[] = [];
  for (const p of (v as unknown[] | undefined) ?? []) {
    if (typeof p === "number") {
      out.push({ target: p, published: p, protocol: "tcp" });
      continue;
    }
    if (typeof p === "string") {
      const m = /^(?:(?:\[?([0-9a-fA-F.:]+)\]?:)?(\d+(?:-\d+)?)?:)?(\d+(?:-\d+)?)(?:\/(tcp|udp|sctp))?$/.exec(p);
      if (!m) {
        refuse(`${at}: '${p}' is not [HOST:]CONTAINER[/PROTOCOL]`);
        continue;
      }
      const [, , pub, target, proto = "tcp"] = m;
      if ((pub ?? "").includes("-") || target!.includes("-")) {
        refuse(`${at}: port ranges ('${p}') are not supported: a range would need a listener per port`);
        continue;
      }
      if (proto === "sctp") {
        refuse(`${at}: sctp ports have no ECS equivalent`);
        continue;
      }
      out.push({ target: Number(target), published: pub === undefined ? Number(target) : Number(pub), protocol: proto as "tcp" });
      continue;
    }
    const o = p as Raw;
    const target = Number(o.target);
    if (!Number.isInteger(target)) {
      refuse(`${at}: a long-syntax port needs a numeric target`);
      continue;
    }
    if (o.mode === "host") refuse(`${at}: mode host publishes on a host, which Fargate tasks have none of; use the default ingress mode (the load balancer)`);
    const proto = String(o.protocol ?? "tcp");
    if (proto !== "tcp" && proto !== "udp") refuse(`${at}: protocol '${proto}' has no ECS equivalent`);
    const published = o.published === undefined ? undefined : Number(o.published);
    if (published !== undefined && !Number.isInteger(published)) {
      refuse(`${at}: port ranges ('${o.published}') are not supported`);
      continue;
    }
    out.push({ target, ...(published !== undefined ? { published } : {}), protocol: proto as "tcp", ...(typeof o.app_protocol === "string" ? { appProtocol: o.app_protocol } : {}) });
  }
  for (const p of out) if (p.published !== undefined && p.protocol === "udp") refuse(`${at}: published udp port ${p.published}: Wharf's load balancers do not serve UDP listeners`);
  return out;
}

function healthcheck(h: Raw, at: string, refuse: (r: string) => void): ComposeHealthcheck | undefined {
  if (truthy(h.disable)) return undefined;
  let test: string[] | undefined;
  if (typeof h.test === "string") test = ["CMD-SHELL", h.test];
  else if (Array.isArray(h.test)) {
    const [kind, ...rest] = h.test as string[];
    if (kind === "NONE") return undefined;
    if (kind === "CMD") test = ["CMD", ...rest];
    else if (kind === "CMD-SHELL") test = ["CMD-SHELL", rest.join(" ")];
    else refuse(`${at}.test: the first item must be NONE, CMD or CMD-SHELL`);
  }
  if (!test) {
    if (h.test === undefined) refuse(`${at}: a healthcheck without test cannot be mapped (ECS needs the command; the image's HEALTHCHECK is not read)`);
    return undefined;
  }
  const out: ComposeHealthcheck = { test };
  // ECS's ranges (interval 5–300 s, timeout 2–60 s, retries 1–10, startPeriod 0–300 s).
  const range = (k: string, v: unknown, lo: number, hi: number): number | undefined => {
    if (v === undefined) return undefined;
    const sec = k === "retries" ? Number(v) : composeDurationSec(v as string);
    if (sec === undefined || !Number.isFinite(sec)) {
      refuse(`${at}.${k}: '${v}' is not ${k === "retries" ? "a number" : "a duration"}`);
      return undefined;
    }
    const n = Math.round(sec);
    if (n < lo || n > hi) {
      refuse(`${at}.${k}: ECS takes ${lo} to ${hi}${k === "retries" ? "" : " seconds"}, got ${v}`);
      return undefined;
    }
    return n;
  };
  const interval = range("interval", h.interval, 5, 300);
  const timeout = range("timeout", h.timeout, 2, 60);
  const retries = range("retries", h.retries, 1, 10);
  const start = range("start_period", h.start_period, 0, 300);
  if (interval !== undefined) out.intervalSec = interval;
  if (timeout !== undefined) out.timeoutSec = timeout;
  if (retries !== undefined) out.retries = retries;
  if (start !== undefined) out.startPeriodSec = start;
  return out;
}

function dependsOn(v: unknown, at: string, refuse: (r: string) => void): ComposeDependency[] {
  if (!v) return [];
  if (Array.isArray(v)) return (v as string[]).map((service) => ({ service, condition: "service_started" }));
  const out: ComposeDependency[] = [];
  for (const [service, d] of Object.entries(v as Raw)) {
    const condition = String((d as Raw).condition);
    if (condition === "service_completed_successfully") {
      refuse(`${at}.${service}: service_completed_successfully cannot be met: an ECS service's tasks run until stopped (run one-off jobs with 'wharf run' first)`);
      continue;
    }
    out.push({ service, condition: condition as ComposeDependency["condition"] });
  }
  return out;
}

function deploy(svc: ComposeService, s: Raw, at: (k: string) => string, refuse: (r: string) => void): void {
  if (s.scale !== undefined) svc.replicas = Number(s.scale);
  const d = (s.deploy ?? {}) as Raw;
  for (const k of Object.keys(d)) {
    if (!["replicas", "resources", "update_config", "restart_policy", "mode", "labels"].includes(k) && !k.startsWith("x-")) refuse(`${at(`deploy.${k}`)}: not mapped to ECS by wharf compose`);
  }
  if (d.mode !== undefined && d.mode !== "replicated") refuse(`${at("deploy.mode")}: '${d.mode}' has no Fargate equivalent (ECS daemon services need EC2 instances); use replicated`);
  if (d.replicas !== undefined) svc.replicas = Number(d.replicas);
  if (!Number.isInteger(svc.replicas) || svc.replicas < 0) refuse(`${at("deploy.replicas")}: a whole number of tasks, got ${d.replicas ?? s.scale}`);
  const res = (d.resources ?? {}) as Raw;
  const limits = (res.limits ?? {}) as Raw;
  const reservations = (res.reservations ?? {}) as Raw;
  if (limits.pids !== undefined) refuse(`${at("deploy.resources.limits.pids")}: ECS has no PID limit`);
  if (reservations.devices || reservations.generic_resources) refuse(`${at("deploy.resources.reservations")}: devices and generic resources have no Fargate equivalent`);
  const cpus = limits.cpus ?? reservations.cpus;
  if (cpus !== undefined) {
    const n = Number(cpus);
    if (!(n > 0)) refuse(`${at("deploy.resources")}: cpus must be a positive number, got ${cpus}`);
    else svc.cpus = n;
  }
  const mem = limits.memory ?? reservations.memory;
  if (mem !== undefined) {
    const n = composeSizeMiB(mem as string);
    if (n === undefined) refuse(`${at("deploy.resources")}: '${mem}' is not a memory size`);
    else svc.memoryMiB = n;
  }
  if (reservations.memory !== undefined && limits.memory !== undefined) {
    const r = composeSizeMiB(reservations.memory as string);
    if (r !== undefined) svc.memoryReservationMiB = r;
  }
  const uc = (d.update_config ?? {}) as Raw;
  if (uc.order === "start-first" || uc.order === "stop-first") svc.updateOrder = uc.order;
}

function mounts(v: unknown, topVolumes: Raw, at: string, refuse: (r: string) => void): ComposeMount[] {
  const out: ComposeMount[] = [];
  for (const m of (v as unknown[] | undefined) ?? []) {
    let type: string;
    let source: string | undefined;
    let target: string | undefined;
    let readOnly = false;
    if (typeof m === "string") {
      const parts = m.split(":");
      if (parts.length === 1) {
        refuse(`${at}: '${m}' is an anonymous volume; name it in the top-level volumes to keep its data`);
        continue;
      }
      [source, target] = parts;
      readOnly = parts[2]?.split(",").includes("ro") ?? false;
      type = /^[./~]/.test(source!) ? "bind" : "volume";
    } else {
      const o = m as Raw;
      type = String(o.type);
      source = o.source as string | undefined;
      target = o.target as string | undefined;
      readOnly = truthy(o.read_only);
      if (o.volume && ((o.volume as Raw).subpath || (o.volume as Raw).nocopy)) refuse(`${at}: volume subpath and nocopy are not mapped`);
    }
    if (type === "bind") {
      refuse(`${at}: '${source}' is a bind mount: Fargate tasks have no host paths; use a named volume (or build the files into the image)`);
      continue;
    }
    if (type !== "volume") {
      refuse(`${at}: ${type} mounts are not supported on Fargate`);
      continue;
    }
    if (!source || !(source in topVolumes)) {
      refuse(`${at}: volume '${source ?? ""}' is not declared in the top-level volumes`);
      continue;
    }
    out.push({ volume: source, target: target!, readOnly });
  }
  return out;
}

/**
 * Top-level secrets, as Docker's ECS integration took them: `external: true` names a secret that
 * exists (its `name`: a Secrets Manager or Parameter Store ARN, or a Secrets Manager name); `file:`
 * and `environment:` secrets are put into Secrets Manager by `up`. Drivers and templates have no
 * ECS meaning.
 */
function topSecrets(top: Raw, refuse: (r: string) => void): ComposeSecret[] {
  const out: ComposeSecret[] = [];
  for (const [name, v] of Object.entries(top)) {
    const d = (v ?? {}) as Raw;
    const at = `secrets.${name}`;
    for (const k of ["driver", "driver_opts", "template_driver"]) if (d[k] !== undefined) refuse(`${at}.${k}: secrets come from Secrets Manager or Parameter Store; a secret driver has no ECS meaning`);
    for (const k of Object.keys(d)) if (k.startsWith("x-aws-")) refuse(`${at}.${k}: not honoured by wharf compose (a secret is injected whole, as one environment variable)`);
    const external = d.external;
    if (external !== undefined && external !== false && external !== "false") {
      const extName = typeof external === "object" && external && typeof (external as Raw).name === "string" ? String((external as Raw).name) : undefined;
      const ref = typeof d.name === "string" ? d.name : (extName ?? name);
      if (ref.startsWith("arn:") && !/^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:.+|ssm:[a-z0-9-]+:\d{12}:parameter\/.+)$/.test(ref)) {
        refuse(`${at}.name: '${ref}' is neither a Secrets Manager secret ARN nor a Parameter Store parameter ARN`);
      } else out.push({ name, external: ref });
    } else if (typeof d.file === "string") out.push({ name, file: d.file });
    else if (typeof d.environment === "string") out.push({ name, environment: d.environment });
    else refuse(`${at}: needs external: true (with name: the Secrets Manager or Parameter Store ARN), file: or environment:`);
  }
  return out;
}

/**
 * A service's `secrets:`. ECS injects a secret as an environment variable (not as a file under
 * /run/secrets): the variable is the long syntax's `target`, else the secret's name. File
 * ownership and mode have no meaning for a variable.
 */
function secretUses(v: unknown, top: ComposeSecret[], at: string, refuse: (r: string) => void): ComposeSecretUse[] {
  const out: ComposeSecretUse[] = [];
  for (const item of (v as unknown[] | undefined) ?? []) {
    const o = (typeof item === "string" ? { source: item } : item) as Raw;
    const source = String(o.source);
    for (const k of ["uid", "gid", "mode"]) if (o[k] !== undefined) refuse(`${at}.${source}.${k}: ECS injects a secret as an environment variable, which has no file ${k}`);
    if (!top.some((t) => t.name === source)) {
      refuse(`${at}: no top-level secret '${source}'`);
      continue;
    }
    const env = typeof o.target === "string" ? o.target : source;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) {
      refuse(`${at}.${source}: ECS injects a secret as an environment variable, and '${env}' is not a variable name (set target: to one, e.g. ${source.replace(/[^A-Za-z0-9_]/g, "_").replace(/^(\d)/, "_$1").toUpperCase()})`);
      continue;
    }
    if (out.some((u) => u.env === env)) refuse(`${at}: two secrets are injected as ${env}`);
    out.push({ source, env });
  }
  return out;
}
