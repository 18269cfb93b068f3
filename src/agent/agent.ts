import { Prefetcher } from "./prefetch.js";
import { IMAGE_PULL_BEHAVIORS, type ImagePullBehavior } from "./task-engine/engine.js";
import { ECR_TARGET, EcrPulls } from "./ecr-pull.js";
import { WharfClient } from "../contracts/wharf-client.js";
import { join } from "node:path";
import { DEFAULT_REGION, loadRootCredentials } from "../config.js";
import { VERSION } from "../version.js";
import { loadAgentState, newEc2InstanceId, saveAgentState } from "./agent-state.js";
import { type ApiCredentials, EcsAgentApi, EcsApiError } from "./api-client.js";
import { DockerClient } from "./docker/client.js";
import { DockerUnavailable } from "./docker/errors.js";
import { cgroupSupport } from "./limits.js";
import { eniRegistrationAttributes } from "../core/eni.js";
import { MetadataEndpoint } from "./metadata/server.js";
import { CredentialsRedirect, redirectTagFor } from "./credentials/redirect.js";
import { TaskCredentials } from "./credentials/task-credentials.js";
import { DnsRelay } from "./dns/relay.js";
import { DnsRedirect } from "./dns/redirect.js";
import { ResourceInitializationError, resolveSecrets } from "./secrets.js";
import { secretsFailure } from "../core/secrets/value-from.js";
import { ExecutionRoleCredentials } from "./credentials/execution-role.js";
import { UsageSampler } from "./usage-sampler.js";
import { AGENT_POLL_WAIT_MS, AGENT_USAGE_PATH, AGENT_USAGE_SAMPLE_MS, CAPACITY_REGISTER_PATH, FARGATE_POOL_CLUSTER } from "../contracts/agent-protocol.js";
import { registrationRequest, type HostFacts } from "./registration.js";
import { TaskEngine } from "./task-engine/engine.js";
import { WHARF_LABELS } from "./container-config.js";
import { logsCallOf } from "../contracts/logs-client.js";
import { LogShipper } from "./logs/shipper.js";
import { backoffDelay, sleep } from "../core/backoff.js";
import { firewallPrefixFor, SecurityGroupFirewall } from "./network/firewall/firewall.js";
import { listVpcBridges } from "./network/docker-networks.js";
import { type NetworkPolicySource, PushedPolicySource } from "./network/firewall/policy-source.js";
import type { NetworkPolicy } from "../core/network/security-policy.js";
import type { ExecSessionAssignment } from "../contracts/exec-stream.js";
import { AgentExecSessions } from "./exec/sessions.js";

/** awsvpc tasks a managed Fargate host holds (each is its own namespace; no ENI hardware limit). */
const FARGATE_HOST_ENI_LIMIT = 120;

export interface AgentOptions {
  /** The Wharf API endpoint, e.g. http://127.0.0.1:4700. */
  endpoint: string;
  cluster: string;
  /** Where the agent keeps its registration (one directory per agent). */
  dataDir: string;
  /** Address bridge host ports bind to; several agents on one machine use 127.0.0.2, 127.0.0.3, … */
  hostIp?: string;
  attributes?: Record<string, string | undefined>;
  dockerHost?: string;
  instanceType?: string;
  availabilityZone?: string;
  region?: string;
  gpus?: string[];
  reservedMemoryMiB?: number;
  /** Explicit credentials; else WHARF_*, else AWS_*, else `<serverDataDir>/credentials.json`. */
  credentials?: ApiCredentials;
  serverDataDir?: string;
  pollWaitMs?: number;
  log?: (line: Record<string, unknown>) => void;
  /**
   * Directory standing in for EFS file systems (`<efsRoot>/<fileSystemId>/<rootDirectory>`);
   * default WHARF_EFS_ROOT, else `<dataDir>/efs`. Agents given the same one share "EFS".
   */
  efsRoot?: string;
  /** Task ENIs (awsvpc tasks) this host holds without trunking (registered as `wharf.eni-limit`). */
  eniLimit?: number;
  /** Task ENIs with the awsvpcTrunking account setting (registered as `wharf.eni-trunk-limit`). */
  eniTrunkLimit?: number;
  /** ECS_IMAGE_PULL_BEHAVIOR (src/agent/task-engine/engine.ts): default, always, once or prefer-cached (default: the env var, else default). */
  imagePullBehavior?: ImagePullBehavior;
  /** Image of awsvpc pause containers (default: amazon/amazon-ecs-pause:0.1.0, busybox:latest or wharf-test/busybox:latest, whichever is cached). */
  pauseImage?: string;
  /** Redirect 169.254.170.2:80 of tasks with a role to the agent (iptables nat; default true). */
  credentialsRedirect?: boolean;
  /**
   * Give bridge and awsvpc tasks 169.254.169.253 as their resolver, relayed to Wharf's DNS
   * server with the task's VPC (default true; needs the metadata endpoint and iptables).
   */
  dnsRelay?: boolean;
  /** Serve the task metadata endpoint (default true). */
  metadataEndpoint?: boolean;
  /** Ship awslogs / awsfirelens containers' output to the Logs API (default true). */
  shipLogs?: boolean;
  /**
   * Join the managed Fargate capacity instead of a cluster (`wharf agent --fargate`): the host
   * never shows in ListContainerInstances and runs only Fargate tasks, of any cluster.
   */
  fargate?: boolean;
  /**
   * Enforce the security groups of this host's task ENIs with iptables (default true; needs
   * root and iptables). See src/agent/network/firewall/.
   */
  securityGroups?: boolean;
  /** Where the policy comes from (default: the agent channel's `networkPolicy`). */
  networkPolicySource?: NetworkPolicySource;
  /** The firewall's chain prefix (default `WHARF-` + 6 hex digits of the container instance ARN). */
  firewallPrefix?: string;
  /** How often the firewall re-reads and repairs the kernel's rules (default 10 s). */
  firewallResyncMs?: number;
  /**
   * Warm starts: pull the images the control plane lists in its answers' `prefetch` ahead of the
   * tasks (src/agent/prefetch.ts; default true, `--no-warm-starts` turns it off).
   */
  warmStarts?: boolean;
  /**
   * How often the agent samples its RUNNING tasks' containers (Docker's one-shot stats) and reports
   * their usage for CloudWatch's AWS/ECS metrics (src/agent/usage-sampler.ts; default 10 s,
   * AGENT_USAGE_SAMPLE_MS); `false`: no sampling.
   */
  usageSampleMs?: number | false;
}

export interface RunningAgent {
  containerInstanceArn: string;
  ec2InstanceId: string;
  engine: TaskEngine;
  /** Pulls ahead of tasks (warm starts); undefined when turned off. */
  prefetcher?: Prefetcher;
  /** The log shipper (awslogs / FireLens); `stats()` has shipped and dropped line counts per container. */
  logs?: LogShipper;
  /** The security group firewall (absent with `securityGroups: false`). */
  firewall?: SecurityGroupFirewall;
  /** Resolves when the agent stops on its own (its instance was deregistered) or is closed. */
  done: Promise<void>;
  /** Stops polling and the task loops; running containers keep running (the next agent adopts them). */
  close(): Promise<void>;
}

/** Credentials in the documented order of precedence. */
export function resolveAgentCredentials(opts: Pick<AgentOptions, "credentials" | "serverDataDir">): ApiCredentials {
  if (opts.credentials) return opts.credentials;
  const env = process.env;
  if (env.WHARF_ACCESS_KEY_ID && env.WHARF_SECRET_ACCESS_KEY) {
    return { accessKeyId: env.WHARF_ACCESS_KEY_ID, secretAccessKey: env.WHARF_SECRET_ACCESS_KEY };
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
  }
  const fromDir = opts.serverDataDir ? loadRootCredentials(opts.serverDataDir, false) : undefined;
  if (fromDir) return fromDir;
  throw new Error(
    "the agent has no credentials: set WHARF_ACCESS_KEY_ID/WHARF_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), " +
      "or pass --server-data-dir DIR pointing at the server's data dir",
  );
}

async function hostFacts(docker: DockerClient): Promise<HostFacts> {
  const [info, version, cgroups] = await Promise.all([docker.info(), docker.version(), cgroupSupport(docker)]);
  return {
    cpus: info.NCPU,
    memTotalBytes: info.MemTotal,
    architecture: info.Architecture || version.Arch,
    dockerVersion: version.Version,
    minApiVersion: version.MinAPIVersion,
    maxApiVersion: version.ApiVersion,
    taskCgroups: cgroups.mode === "cgroup-v1",
  };
}

/**
 * Starts an agent: checks Docker, registers (or re-registers) the host, adopts containers a
 * previous run left, then long-polls the control plane and reconciles. Throws DockerUnavailable
 * when no Engine answers.
 */
export async function startAgent(given: AgentOptions): Promise<RunningAgent> {
  const opts: AgentOptions = given.fargate
    ? { ...given, cluster: FARGATE_POOL_CLUSTER, eniLimit: given.eniLimit ?? FARGATE_HOST_ENI_LIMIT }
    : given;
  const log = opts.log ?? (() => undefined);
  const region = opts.region ?? DEFAULT_REGION;
  const docker = new DockerClient(opts.dockerHost);
  await docker.ping().catch((err) => {
    throw err instanceof DockerUnavailable ? err : new DockerUnavailable(docker.where, (err as Error).message);
  });
  const facts = await hostFacts(docker);
  const api = new EcsAgentApi(opts.endpoint, resolveAgentCredentials(opts), region);
  const abort = new AbortController();

  const previous = loadAgentState(opts.dataDir);
  const sameCluster = previous && previous.cluster === opts.cluster && previous.endpoint === opts.endpoint;
  const ec2InstanceId = previous?.ec2InstanceId ?? newEc2InstanceId();
  const register = (containerInstanceArn?: string) =>
    (opts.fargate
      ? (_op: string, body: Record<string, unknown>, signal?: AbortSignal) =>
          api.internal<{ containerInstance: { containerInstanceArn: string } }>(CAPACITY_REGISTER_PATH, body, signal)
      : (op: string, body: Record<string, unknown>, signal?: AbortSignal) =>
          api.call<{ containerInstance: { containerInstanceArn: string } }>(op, body, signal))(
      "RegisterContainerInstance",
      registrationRequest(facts, {
        ...opts,
        attributes: { ...eniRegistrationAttributes(opts), ...opts.attributes },
        region,
        ec2InstanceId,
        containerInstanceArn,
        agentVersion: VERSION,
      }),
      abort.signal,
    );
  const registered = await retryUntilAnswered(
    async () => {
      const arn = sameCluster ? previous.containerInstanceArn : undefined;
      try {
        return await register(arn);
      } catch (err) {
        if (arn && err instanceof EcsApiError && err.statusCode < 500) {
          log({ msg: "re-registration refused; registering as a new instance", error: err.message });
          return register(undefined);
        }
        throw err;
      }
    },
    abort.signal,
    log,
  );
  const containerInstanceArn = registered.containerInstance.containerInstanceArn;
  saveAgentState(opts.dataDir, { endpoint: opts.endpoint, cluster: opts.cluster, containerInstanceArn, ec2InstanceId });
  log({ msg: "registered", containerInstanceArn, cluster: opts.cluster });

  const efsRoot = opts.efsRoot ?? process.env.WHARF_EFS_ROOT ?? join(opts.dataDir, "efs");
  let engine: TaskEngine | undefined;
  const taskCredentials = new TaskCredentials({
    fetch: (taskArn, signal) => api.taskCredentials({ cluster: opts.cluster, containerInstanceArn, taskArn }, signal),
    log,
  });
  // The execution role's: a store of their own, for the agent's use only (never served to containers).
  const executionRole = new ExecutionRoleCredentials({
    store: new TaskCredentials({
      fetch: (taskArn, signal) => api.taskCredentials({ cluster: opts.cluster, containerInstanceArn, taskArn, role: "execution" }, signal),
      log: (l) => log({ ...l, msg: String(l.msg).replace("task role", "execution role") }),
    }),
    endpoint: opts.endpoint,
    region,
  });
  const metadata =
    opts.metadataEndpoint === false
      ? undefined
      : await MetadataEndpoint.start({
          docker,
          dataDir: opts.dataDir,
          containerInstanceArn,
          context: { cluster: opts.cluster, availabilityZone: opts.availabilityZone, hostIp: opts.hostIp },
          task: (arn) => engine?.task(arn),
          credentials: taskCredentials,
          taskProtection: (taskArn, update) =>
            update
              ? api.call("UpdateTaskProtection", { cluster: opts.cluster, tasks: [taskArn], ...update })
              : api.call("GetTaskProtection", { cluster: opts.cluster, tasks: [taskArn] }),
          listTags: async (resourceArn) => {
            const out = await api.call<{ tags?: { key?: string; value?: string }[] }>("ListTagsForResource", { resourceArn });
            return Object.fromEntries((out.tags ?? []).map((t) => [t.key ?? "", t.value ?? ""]));
          },
          log,
        });
  if (metadata) log({ msg: "task metadata endpoint listening", port: metadata.port, bridgeGateway: metadata.bridgeGateway });
  // 169.254.170.2 for this agent's containers; rules a crashed run of this instance left go first.
  const redirect = metadata && opts.credentialsRedirect !== false ? new CredentialsRedirect(redirectTagFor(containerInstanceArn)) : undefined;
  await redirect?.clear().catch((err: Error) => log({ level: "warn", msg: "credentials redirect unavailable", error: err.message }));
  // 169.254.169.253:53 for this agent's bridge and awsvpc tasks (src/agent/dns).
  const agentKeys = resolveAgentCredentials(opts);
  const relay = metadata && opts.dnsRelay !== false ? await DnsRelay.start({ keys: agentKeys, log }) : undefined;
  const dnsRedirect = relay ? new DnsRedirect(redirectTagFor(containerInstanceArn)) : undefined;
  await dnsRedirect?.clear().catch((err: Error) => log({ level: "warn", msg: "DNS redirect unavailable", error: err.message }));
  if (relay) log({ msg: "DNS relay listening", port: relay.port });
  const endpointHost = new URL(opts.endpoint).hostname.replace(/^\[(.*)\]$/, "$1");
  const onDns = (server: { address: string; port: number } | undefined) =>
    relay?.setServer(server && { address: server.address === "0.0.0.0" || server.address === "::" ? endpointHost : server.address, port: server.port });
  const logs =
    opts.shipLogs === false
      ? undefined
      : new LogShipper({
          docker,
          call: logsCallOf(api),
          roleCalls: executionRole,
          dataDir: opts.dataDir,
          instanceLabels: { [WHARF_LABELS.instanceArn]: containerInstanceArn },
          log,
        });
  const firewall =
    opts.securityGroups === false
      ? undefined
      : new SecurityGroupFirewall({
          prefix: opts.firewallPrefix ?? firewallPrefixFor(containerInstanceArn),
          resyncMs: opts.firewallResyncMs,
          bridges: () => listVpcBridges(docker),
          log,
        });
  const channelPolicy = new PushedPolicySource();
  const stopWatching = firewall && (opts.networkPolicySource ?? channelPolicy).watch((p) => void firewall.update(p));
  engine = new TaskEngine({
    docker,
    reporter: api,
    containerInstanceArn,
    hostIp: opts.hostIp,
    log,
    efsRoot,
    pauseImage: opts.pauseImage,
    imagePullBehavior: pullBehavior(opts.imagePullBehavior ?? process.env.ECS_IMAGE_PULL_BEHAVIOR),
    metadata,
    logs: logs && { shipper: logs, defaultRegion: region },
    firewall,
    credentials: { store: taskCredentials, ...(redirect ? { redirect } : {}), log },
    ...(relay ? { dns: { relay, ...(dnsRedirect ? { redirect: dnsRedirect } : {}), log } } : {}),
    // Container secrets[] are fetched as the task's execution role (its policies and the secrets' resource policies decide); others as the agent.
    secrets: async (specs, taskRegion, as) => {
      let client: WharfClient = api;
      if (as) {
        const creds = await executionRole.credentialsOf(as.taskArn);
        if (!creds) throw new ResourceInitializationError(secretsFailure(`the execution role's credentials for ${as.taskArn} are not issued`));
        client = new WharfClient(opts.endpoint, creds, region);
      }
      return resolveSecrets(client, specs, taskRegion);
    },
    ecr: new EcrPulls(
      {
        token: async (r, taskArn) => {
          // A task with a usable execution role asks as that role (its policies decide the pull); others as the agent.
          let client: WharfClient = api;
          if (taskArn) {
            const creds = await executionRole.credentialsOf(taskArn);
            if (!creds) throw new Error(`the execution role's credentials for ${taskArn} are not issued`);
            client = new WharfClient(opts.endpoint, creds, region);
          }
          return (await client.callService<{ authorizationData: { authorizationToken: string; expiresAt: number; proxyEndpoint: string }[] }>(
            { prefix: ECR_TARGET, service: "ecr", region: r },
            "GetAuthorizationToken",
            {},
          )).authorizationData[0]!;
        },
      },
      containerInstanceArn.split(":")[4]!,
      region,
    ),
  });
  const prefetcher = opts.warmStarts === false ? undefined : new Prefetcher({ pull: (image) => engine.pull(image), log });
  const adopted = await engine.loadExisting();
  if (adopted) log({ msg: "found containers from an earlier run", count: adopted });
  await logs?.start();

  const req = { cluster: opts.cluster, containerInstanceArn, waitMs: opts.pollWaitMs ?? AGENT_POLL_WAIT_MS };
  let unpulled = "";
  const onPrefetch = (list: { image: string }[] | undefined) => {
    const images = (list ?? []).map((p) => p.image);
    if (prefetcher) return prefetcher.update(images);
    // Off: say once per new list what is not pulled ahead (the tasks pull their images themselves).
    const key = images.join("\n");
    if (images.length && key !== unpulled) log({ msg: "warm starts are off: the listed images are not pulled ahead", images });
    unpulled = key;
  };
  // ExecuteCommand's sessions: the agent dials the control plane for each (src/agent/exec/sessions.ts).
  const execSessions = new AgentExecSessions({
    endpoint: opts.endpoint,
    credentials: agentKeys,
    region,
    containerInstanceArn,
    docker: docker.endpoint,
    containerIdOf: (taskArn, name) => {
      const c = engine?.task(taskArn)?.snapshot().containers.find((x) => x.name === name);
      return c && c.status === "RUNNING" ? c.dockerId : undefined;
    },
    log,
  });
  // Usage for CloudWatch's AWS/ECS metrics: RUNNING tasks' RUNNING containers only.
  const usage =
    opts.usageSampleMs === false
      ? undefined
      : new UsageSampler({
          intervalMs: Math.max(1_000, opts.usageSampleMs ?? AGENT_USAGE_SAMPLE_MS),
          now: () => Date.now(),
          tasks: () =>
            engine.runningTaskArns.flatMap((taskArn) => {
              const snap = engine.task(taskArn)?.snapshot();
              if (!snap || snap.status !== "RUNNING" || snap.desired !== "RUNNING") return [];
              return [{ taskArn, dockerIds: snap.containers.filter((c) => c.status === "RUNNING" && c.dockerId).map((c) => c.dockerId!) }];
            }),
          stats: (id, signal) => docker.containerStats(id, signal),
          report: (r, signal) => api.internal(AGENT_USAGE_PATH, { cluster: opts.cluster, containerInstanceArn, ...r }, signal),
          log,
        });
  const channel = { onPolicy: (p: NetworkPolicy | undefined) => channelPolicy.push(p), onDns, onPrefetch, onExec: (l: ExecSessionAssignment[] | undefined) => execSessions.update(l) };
  const done = pollLoop(api, engine, req, channel, abort.signal, log).finally(async () => {
    await usage?.close();
    execSessions.close();
    prefetcher?.close();
    await metadata?.close();
    await relay?.close();
    await dnsRedirect?.clear().catch(() => undefined);
    taskCredentials.close();
    await redirect?.clear().catch(() => undefined);
    // The agent's rules go with it (a restarted agent puts them back at its first poll).
    stopWatching?.();
    await firewall?.close();
  });
  let closing: Promise<void> | undefined;
  return {
    containerInstanceArn,
    ec2InstanceId,
    engine,
    ...(prefetcher ? { prefetcher } : {}),
    logs,
    firewall,
    done,
    close() {
      closing ??= (async () => {
        abort.abort();
        await done;
        await engine.close();
        await logs?.close();
        executionRole.close();
      })();
      return closing;
    },
  };
}

/** Retries a call while the control plane is unreachable or failing (5xx); client errors are final. */
async function retryUntilAnswered<T>(fn: () => Promise<T>, signal: AbortSignal, log: (l: Record<string, unknown>) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (signal.aborted || (err instanceof EcsApiError && err.statusCode < 500 && err.code !== "ThrottlingException")) throw err;
      const delay = backoffDelay(attempt, { initialMs: 200, maxMs: 15_000 });
      log({ msg: "control plane not answering, retrying", error: (err as Error).message, retryInMs: delay });
      await sleep(delay, signal);
    }
  }
}

/**
 * The agent channel: long-polls, drops answers older than the last applied sequence, applies
 * each whole listing, and reconnects with exponential backoff and jitter when the server is away.
 */
async function pollLoop(
  api: EcsAgentApi,
  engine: TaskEngine,
  req: { cluster: string; containerInstanceArn: string; waitMs: number },
  channel: {
    onPolicy: (policy: NetworkPolicy | undefined) => void;
    onDns: (server: { address: string; port: number } | undefined) => void;
    onPrefetch: (list: { image: string }[] | undefined) => void;
    onExec: (sessions: ExecSessionAssignment[] | undefined) => void;
  },
  signal: AbortSignal,
  log: (l: Record<string, unknown>) => void,
): Promise<void> {
  let lastSeq = 0;
  let attempt = 0;
  while (!signal.aborted) {
    try {
      const res = await api.poll({ ...req, afterSeq: lastSeq }, signal);
      attempt = 0;
      if (!res.registered) {
        log({ msg: "instance deregistered; the agent stops", containerInstanceArn: req.containerInstanceArn });
        await engine.close();
        return;
      }
      if (res.seq < lastSeq) continue;
      lastSeq = res.seq;
      // The policy first: tasks it names wait for it before their containers start.
      channel.onPolicy(res.networkPolicy);
      channel.onDns(res.dnsServer);
      engine.apply(res.tasks, { complete: true });
      // After the tasks: their own pulls go first; pulls ahead share them (engine.pull).
      channel.onPrefetch(res.prefetch);
      channel.onExec(res.execSessions);
    } catch (err) {
      if (signal.aborted) return;
      // After an outage, take the server's next answer whatever its sequence (it may have restarted).
      lastSeq = 0;
      const delay = backoffDelay(attempt++, { initialMs: 200, maxMs: 15_000 });
      log({ msg: "poll failed, reconnecting", error: (err as Error).message, retryInMs: delay });
      await sleep(delay, signal);
    }
  }
}

/** An ECS_IMAGE_PULL_BEHAVIOR value, checked. */
export function pullBehavior(v: string | undefined): ImagePullBehavior {
  if (v === undefined || v === "") return "default";
  if (!(IMAGE_PULL_BEHAVIORS as readonly string[]).includes(v)) throw new Error(`the image pull behavior must be one of ${IMAGE_PULL_BEHAVIORS.join(", ")}, got '${v}'`);
  return v as ImagePullBehavior;
}
