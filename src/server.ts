import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { agentChannelRoute } from "./api/agent-channel.js";
import { PrefetchFeed } from "./api/prefetch-feed.js";
import { ec2PolicyProvider, NetworkPolicyFeed, type NetworkPolicyProvider } from "./api/network-policy.js";
import { explainRoute } from "./api/explain-route.js";
import { deploymentTimelineRoute } from "./api/deployment-timeline-route.js";
import { AgentHub } from "./api/agent-hub.js";
import { capacityRoute } from "./api/capacity-route.js";
import { spotRoute } from "./api/spot-route.js";
import { startSpotChaos } from "./api/ecs/spot-interruptions.js";
import { PlacementIndexes } from "./api/ecs/placement-indexes.js";
import { ec2Service } from "./api/ec2/index.js";
import { elbv2Service } from "./api/elbv2/index.js";
import { LbDataPlaneFeed } from "./api/elbv2/data-plane-feed.js";
import { HaproxyDataPlane } from "./lb/haproxy-data-plane.js";
import type { LbDataPlane } from "./core/lb/data-plane-contract.js";
import { ecsService } from "./api/ecs/index.js";
import { type LogsDeps, logsService } from "./api/logs/index.js";
import { cloudMapDnsSource, servicediscoveryService } from "./api/servicediscovery/index.js";
import { type AasDeps, applicationautoscalingService, type PolicyRun, scalingPolicyInvoker, startScheduleRunner } from "./api/applicationautoscaling/index.js";
import type { AlarmActionInvoker, AlarmRegistry, AlarmStateReader } from "./contracts/metric-alarms.js";
import type { DnsRecordSource } from "./contracts/dns-records.js";
import { type EcrDeps, ecrCatalog, ecrService, startLifecycleSweeper } from "./api/ecr/index.js";
import { loadTokenKey } from "./api/ecr/token-key.js";
import { loadSecretBox } from "./api/iam/secret-box.js";
import { ssmService } from "./api/ssm/index.js";
import { secretsManagerService } from "./api/secretsmanager/index.js";
import { RegistryFront } from "./registry/front.js";
import { LogStore } from "./api/logs/log-store.js";
import { DEFAULT_SWEEP_INTERVAL_MS, startRetentionSweeper } from "./api/logs/retention-sweeper.js";
import type { EcsDeps } from "./api/ecs/deps.js";
import { keyedLock } from "./store/keyed-lock.js";
import { accountIdFromEnv, DEFAULT_DNS_PORT, DEFAULT_HOST, DEFAULT_PORT, loadRootCredentials, type RootCredentials } from "./config.js";
import { type Clock, systemClock } from "./core/time.js";
import { DEFAULT_STOPPED_TASK_RETENTION_MS, startTaskReaper } from "./controllers/task-reaper.js";
import type { AccessLogEntry } from "./edge/access-log.js";
import { createEdge } from "./edge/server.js";
import { chainResolvers, type IdentityResolver, type RoleDirectory, rootCaller } from "./edge/identity.js";
import { type IamRuntime, startIam } from "./api/iam/startup.js";
import { agentCredentialsRoute } from "./api/agent-credentials.js";
import { agentUsageRoute } from "./api/agent-usage.js";
import { startEcsMetricsPublisher, UsageBook } from "./api/ecs-metrics.js";
import { ExecSessions } from "./api/exec-sessions.js";
import { openStore, parseStoreSpec } from "./store/open.js";
import { electLeader, fencedStore, type Leadership, soleLeader } from "./store/leader-election.js";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { parseCidr, VPC_PREFIX } from "./core/ec2/cidr.js";
import type { WriteOp } from "./store/store.js";
import { instancesToWake } from "./api/agent-wake.js";
import { withWriteListener, type WriteListener } from "./store/observed-store.js";
import { ServiceController } from "./controllers/service-controller.js";
import { serviceTriggers } from "./controllers/service-triggers.js";
import { SecretRotationController } from "./controllers/secret-rotation.js";
import { secretVersionPort } from "./api/secret-versions.js";
import { serviceTaskPort } from "./api/ecs/service-task-port.js";
import { serviceLbPort } from "./api/ecs/service-lb-port.js";
import { serviceRegistryPort } from "./api/ecs/service-registry-port.js";
import type { ReconcileParams } from "./core/service/types.js";
import { VERSION } from "./version.js";
import { fileURLToPath } from "node:url";
import { consoleSite } from "./edge/console-site.js";
import { elbDnsRecords } from "./api/elbv2/dns-records.js";
import { type DnsServer, startDnsServer } from "./dns/server.js";
import {
  AlarmBook,
  cloudwatchAlarmRegistry,
  cloudwatchAlarmStates,
  cloudwatchServices,
  type CloudWatchDeps,
  DEFAULT_ALARM_INTERVAL_MS,
  DEFAULT_METRIC_BOUNDS,
  MetricStore,
  type MetricStoreBounds,
  startAlarmEvaluator,
} from "./api/cloudwatch/index.js";
import { wharfMetrics } from "./edge/prometheus.js";
import type { Service } from "./edge/service.js";

export interface ServerOptions {
  dataDir: string;
  /**
   * The store: `sqlite` (default: `<dataDir>/wharf.db`) or a PostgreSQL URL (`postgres://…`,
   * src/store/postgres.ts, docs/postgres.md). Default: env WHARF_STORE, else sqlite.
   */
  store?: string;
  /**
   * On PostgreSQL, replicas elect the one that runs the controllers through a lease in the
   * database (src/store/leader-election.ts): its duration (default env WHARF_LEADER_LEASE_MS, else
   * 3000 ms). A dead leader's successor takes over within about this long.
   */
  leaderLeaseMs?: number;
  /**
   * Warm starts (docs/services.md): poll answers list the images of the services that could run
   * on each instance, so agents pull them ahead of the tasks. Default true (env WHARF_WARM_STARTS=false turns it off).
   */
  warmStarts?: boolean;
  host?: string;
  port?: number;
  clock?: Clock;
  /** Log lines of every part, each tagged with its `component` (edge, controller, store, ecs). */
  log?: (line: Record<string, unknown>) => void;
  /** One entry per answered request (the access log). */
  accessLog?: (entry: AccessLogEntry) => void;
  /** How long STOPPED tasks stay describable (default 1 hour, as ECS). */
  stoppedTaskRetentionMs?: number;
  /** How long after its last poll an agent still counts as connected (default AGENT_GRACE_MS). */
  agentGraceMs?: number;
  /**
   * Run the service controller (default true). API-level tests that assert the immediate
   * result of an UpdateService turn it off, so the scheduler does not move the state under them.
   */
  serviceController?: boolean;
  /** Service scheduler tuning (e.g. how long a task without health checks must run to count as healthy). */
  serviceParams?: Partial<ReconcileParams>;
  /**
   * Keep each cluster's placement index in memory, current from committed writes (default true).
   * false reads the cluster afresh for every placement (benchmarks compare the two).
   */
  placementIndex?: boolean;
  /** How often the CloudWatch Logs retention sweeper runs (default 60 s). */
  logsSweepIntervalMs?: number;
  /** Chance, injected (placement ties, Spot interruptions); default Math.random. */
  random?: () => number;
  /** Chaos: interrupt each FARGATE_SPOT task at this rate per task-hour (default 0: only on demand). */
  spotInterruptionsPerHour?: number;
  /**
   * The security groups agents enforce on task ENIs (src/api/network-policy.ts). Default: the
   * EC2 API's groups (`ec2PolicyProvider`), every change to a group sent to the agents at once.
   */
  networkPolicy?: NetworkPolicyProvider;
  /**
   * The load balancer data plane the ELBv2 API drives. Default: HAProxy run by this server
   * (src/lb/haproxy-data-plane.ts; started with the first HTTP/TCP listener, files under
   * `<dataDir>/haproxy`), closed with the server. `false`: none — the API still works and
   * DescribeTargetHealth answers `unavailable` (nothing checks targets). A plane passed in is
   * the caller's to close.
   */
  lbDataPlane?: LbDataPlane | false;
  /**
   * The first two octets of the loopback addresses load balancers listen on ("127.N", default
   * WHARF_LB_ADDRESS_PREFIX, else "127.77"): Wharfs sharing a machine each take their own.
   */
  lbAddressPrefix?: string;
  /**
   * The default VPC's block in every Region (default: env WHARF_DEFAULT_VPC_CIDR, else
   * 172.31.0.0/16 as in AWS). Wharfs sharing one Docker Engine need different blocks: each
   * subnet a task uses becomes a Docker network, and Docker refuses overlapping ones.
   */
  defaultVpcCidr?: string;
  /**
   * Access keys beyond the root's, tried after it: IAM users' and role sessions' (the IAM
   * module's resolver), or a test's hand-built callers. Every call they sign is authorized.
   */
  extraIdentities?: IdentityResolver;
  /** IAM's roles: RunTask/StartTask refuse task and execution roles that do not exist or do not trust ecs-tasks. */
  roles?: RoleDirectory;
  /**
   * Wharf's DNS server (UDP and TCP, src/dns/, docs/dns.md) on `host`: this port; default
   * DEFAULT_DNS_PORT (4753) when the API is on DEFAULT_PORT (4700), else an ephemeral one
   * (tests, a second Wharf); `false`: none.
   */
  dnsPort?: number | false;
  /** Record sources asked before the built-in ones (tests inject in-memory zones). */
  extraDnsSources?: DnsRecordSource[];
  /** Where names not Wharf's are forwarded (default: the nameservers of /etc/resolv.conf). */
  dnsUpstream?: { nameservers?: { address: string; port: number }[]; resolvConf?: string; timeoutMs?: number };
  /**
   * The ECR registry (src/registry/): Wharf's front on this host and port (default 127.0.0.1 and a
   * port the OS picks; `wharf up` passes a fixed one) with the distribution registry behind it,
   * started on first use, files under `<dataDir>/ecr/registry`. `false`: none — the ECR API keeps
   * repositories but refuses to store images.
   */
  registry?: { host?: string; port?: number; binary?: string } | false;
  /**
   * Application Auto Scaling (src/api/applicationautoscaling/, docs/autoscaling.md): where
   * target-tracking policies create their alarms (CloudWatch's AlarmRegistry; without one, target
   * tracking is refused; default: Wharf's CloudWatch), the alarms' Period (default 60 s, at least 10 s) and how often scheduled
   * actions are checked (default 60 s, at least 10 s).
   */
  autoscaling?: { alarms?: AlarmRegistry; alarmPeriodS?: number; scheduleIntervalMs?: number };
  /** How often CloudWatch evaluates alarms (default 60 s; down to 10 s). */
  alarmIntervalMs?: number;
  /**
   * AWS/ECS CPUUtilization / MemoryUtilization from the agents' usage reports
   * (docs/cloudwatch.md#awsecs-metrics): how often a datapoint is written (default 60 s, at
   * least 1 s) and how old a task's latest report may be to count (default max(30 s, 2 × interval)).
   */
  ecsMetrics?: { intervalMs?: number; staleMs?: number };
  /** CloudWatch's metric-data bounds (docs/cloudwatch.md#bounds). */
  metricBounds?: Partial<MetricStoreBounds>;
  /** Alarm action invokers (Application Auto Scaling's policies), besides any added later to `cloudwatch.invokers`. */
  alarmActionInvokers?: AlarmActionInvoker[];
  /**
   * The web console's built files, served at `/` (default: dist/console beside this build, made
   * by `npm run build` from console/; docs/console.md); `false`: no console.
   */
  consoleDir?: string | false;
}

export interface RunningServer {
  url: string;
  port: number;
  credentials: RootCredentials;
  accountId: string;
  deps: EcsDeps;
  /** IAM and STS: the directory, the resolver, and `assumeRoleForService` for task-role credentials. */
  iam: IamRuntime;
  /** CloudWatch Logs: `appendLogEvents(logs, …)` ships lines in-process; `sweepNow` enforces retention now. */
  logs: LogsDeps & { sweepNow(): Promise<number> };
  /** Store write listeners that threw since start (each was logged; the writes stood). */
  listenerFailures(): number;
  /** The ELBv2 → data plane feed: `idle()` resolves once the data plane has the latest state (at once without one). */
  lb: { idle(): Promise<void> };
  /** The DNS server's address and port (UDP and TCP), when it runs. */
  dns?: { address: string; port: number };
  /** Cloud Map: the records of its private DNS namespaces, for a DNS server (src/contracts/dns-records.ts). */
  cloudMap: { dns: DnsRecordSource };
  /** The ECR registry's `host:port` (what `docker login` and repositoryUri name); undefined without one. */
  registryHost?: string;
  /**
   * Application Auto Scaling: the AlarmActionInvoker CloudWatch's evaluator calls for
   * `arn:aws:autoscaling:` actions (`run` answers what it did), and a scheduled-actions pass now.
   */
  autoscaling: { invoker: AlarmActionInvoker & { run: (e: Parameters<AlarmActionInvoker["invoke"]>[0]) => Promise<PolicyRun> }; tick(): Promise<number> };
  /**
   * CloudWatch: the metric store, alarms, `evaluateNow()` (one alarm pass now), the `AlarmRegistry`
   * Application Auto Scaling creates its alarms through, and `invokers` (push one to answer an ARN prefix).
   */
  cloudwatch: CloudWatchDeps & { evaluateNow(): Promise<void>; registry: AlarmRegistry };
  /** AWS/ECS metrics: the agents' latest usage per task, and one publishing round now (answers the datapoints written). */
  ecsMetrics: { book: UsageBook; publishNow(): number };
  close(): Promise<void>;
}

/** Uniform in [0, 1) from the OS's cryptographic source: secret ARN suffixes, version ids and GetRandomPassword draw from it. */
const cryptoRandom = (): number => randomBytes(6).readUIntBE(0, 6) / 2 ** 48;

/** Starts the control plane: store, API edge, controllers. Resolves once it serves requests. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const clock = opts.clock ?? systemClock;
  const defaultVpcCidr = opts.defaultVpcCidr ?? (process.env.WHARF_DEFAULT_VPC_CIDR || undefined);
  const parsedVpc = defaultVpcCidr ? parseCidr(defaultVpcCidr) : undefined;
  if (defaultVpcCidr && (!parsedVpc || parsedVpc.prefix < VPC_PREFIX.min || parsedVpc.prefix > VPC_PREFIX.max)) {
    throw new Error(`the default VPC CIDR ${defaultVpcCidr} is not an IPv4 block from /16 to /28`);
  }
  const accountId = accountIdFromEnv();
  const log = opts.log;
  const logAs = (component: string) => log && ((line: Record<string, unknown>) => log({ component, ...line }));
  const credentials = loadRootCredentials(opts.dataDir)!;
  const opened = await openStore(parseStoreSpec(opts.store ?? process.env.WHARF_STORE), opts.dataDir, (err) =>
    opts.log?.({ component: "store", level: "warn", msg: "an idle PostgreSQL connection failed (the pool replaces it)", err: String(err) }),
  );
  // Committed writes wake the controllers that care (see src/controllers/service-triggers.ts).
  let onWrite: WriteListener = () => undefined;
  // Placement keeps each cluster's index current from the same notifications (src/api/ecs/placement-indexes.ts).
  let placement: PlacementIndexes | undefined;
  let policyFeed: NetworkPolicyFeed | undefined;
  let lbFeed: LbDataPlaneFeed | undefined;
  let prefetchFeed: PrefetchFeed | undefined;
  let groupWrites: ((ops: readonly WriteOp[]) => void) | undefined;
  let rotation: SecretRotationController | undefined;
  // Agents are woken by the same notifications (src/api/agent-wake.ts): no operation bumps them by hand.
  let hub: AgentHub | undefined;
  const store = withWriteListener(
    opened.store,
    (ops) => {
      placement?.observe(ops);
      policyFeed?.observe(ops);
      lbFeed?.observe(ops);
      prefetchFeed?.observe(ops);
      groupWrites?.(ops);
      rotation?.observe(ops);
      if (hub) for (const arn of instancesToWake(ops)) hub.bump(arn);
      onWrite(ops);
    },
    (err, ops) =>
      opts.log?.({
        component: "store",
        level: "error",
        msg: "a store write listener threw (the write itself is durable)",
        kinds: [...new Set(ops.map((o) => o.kind))],
        err: String((err as Error)?.stack ?? err),
      }),
  );
  // Controllers run on one replica: the leader of lease "controllers", whose writes carry its
  // fencing token (PostgreSQL refuses a deposed leader's). SQLite has one process: it leads.
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = opts.leaderLeaseMs ?? (Number(process.env.WHARF_LEADER_LEASE_MS) || 3_000);
  const leadership: Leadership = opened.leases
    ? electLeader(opened.leases, { lease: "controllers", holder, ttlMs: leaseMs, onError: (err) => log?.({ component: "leader", level: "warn", msg: "the lease could not be claimed or renewed", err: String(err) }) })
    : soleLeader("controllers", holder);
  leadership.onChange((leader, token) =>
    log?.(
      leader
        ? { component: "leader", level: "info", msg: "this replica leads the controllers", holder, token }
        : { component: "leader", level: "warn", msg: "this replica no longer leads the controllers", holder },
    ),
  );
  const controllerStore = fencedStore(store, leadership, !!opened.leases);
  const agents = new AgentHub(clock, opts.agentGraceMs);
  hub = agents;
  let networkPolicy = opts.networkPolicy;
  if (!networkPolicy) {
    const ec2 = ec2PolicyProvider(store);
    networkPolicy = ec2.provider;
    groupWrites = (ops) => ec2.observe(ops);
  }
  policyFeed = new NetworkPolicyFeed(networkPolicy, agents);
  if (opts.placementIndex !== false) placement = new PlacementIndexes(store, (arn) => agents.connected(arn));
  agents.onPresenceChange((arn, connected) => placement?.presenceChanged(arn, connected));
  // Agents registered before a restart keep placing tasks while they reconnect (agent-hub.ts).
  const known = await store.list<{ status: string }>("container-instance");
  agents.resumeAfterRestart(known.filter((r) => r.value.status !== "INACTIVE").map((r) => r.id));
  const deps: EcsDeps = {
    store,
    clock,
    lock: keyedLock(),
    agents,
    random: opts.random ?? Math.random,
    ...(placement ? { placement } : {}),
    ...(defaultVpcCidr ? { defaultVpcCidr } : {}),
  };
  const warmStarts = opts.warmStarts ?? process.env.WHARF_WARM_STARTS !== "false";
  if (warmStarts) prefetchFeed = new PrefetchFeed(deps, agents);

  const ownPlane = opts.lbDataPlane === undefined ? new HaproxyDataPlane({ dataDir: opts.dataDir, log: (l) => log?.({ component: "lb", ...l }) }) : undefined;
  const lbPlane = opts.lbDataPlane || ownPlane;
  const lbAddressPrefix = opts.lbAddressPrefix ?? process.env.WHARF_LB_ADDRESS_PREFIX ?? "127.77";
  if (!/^127\.(25[0-5]|2[0-4]\d|1?\d?\d)$/.test(lbAddressPrefix)) {
    throw new Error(`the load balancer address prefix must be 127.N (N 0-255), got '${lbAddressPrefix}'`);
  }
  const elbDeps = { ...deps, hasLbDataPlane: !!lbPlane, lbAddressPrefix };
  if (lbPlane) lbFeed = new LbDataPlaneFeed(elbDeps, lbPlane, log);
  const registries = serviceRegistryPort(deps);
  deps.beforeTaskStop = (task) => registries.beforeStop(task);
  // The service controller's writes (and the task launches and stops it makes) carry the fence.
  const fenced = <D extends { store: unknown }>(d: D): D => new Proxy(d, { get: (t, p, r) => (p === "store" ? controllerStore : Reflect.get(t, p, r)) });
  const ctlDeps = fenced(deps);
  // Deployment alarms read CloudWatch's alarm book, made further down.
  let alarmStates: AlarmStateReader | undefined;
  const services = new ServiceController(ctlDeps, serviceTaskPort(ctlDeps), {
    alarms: { alarmStates: (account, region, names) => alarmStates?.alarmStates(account, region, names) ?? [] },
    active: () => leadership.isLeader(),
    lb: serviceLbPort(fenced(elbDeps)),
    registry: registries,
    ...(opts.serviceParams ? { params: opts.serviceParams } : {}),
    log: (line) => opts.log?.({ component: "controller", level: "warn", msg: line }),
  });
  if (opts.serviceController !== false) {
    // A new leader looks at every service at once instead of at the next resync.
    leadership.onChange((leader) => leader && void services.resync().catch(() => undefined));
    deps.onServiceChanged = (arn) => services.enqueue(arn);
    onWrite = serviceTriggers(store, (arn) => services.enqueue(arn));
  }
  const logStore = new LogStore(opened.logsDatabase);
  const logsDeps: LogsDeps = { logs: logStore, clock };
  const ecrDeps: EcrDeps = { store, clock, lock: keyedLock(), tokenKey: loadTokenKey(opts.dataDir) };
  const registry =
    opts.registry === false
      ? undefined
      : new RegistryFront({
          catalog: ecrCatalog(ecrDeps),
          dir: join(opts.dataDir, "ecr", "registry"),
          ...(opts.registry?.host ? { host: opts.registry.host } : {}),
          ...(opts.registry?.port !== undefined ? { port: opts.registry.port } : {}),
          ...(opts.registry?.binary ? { binary: opts.registry.binary } : {}),
          log: (l) => log?.({ component: "registry", ...l }),
        });
  if (registry) {
    await registry.listen().catch(async (err) => {
      await store.close();
      throw err;
    });
    ecrDeps.registry = registry;
  }
  // Parameter Store's SecureStrings and Secrets Manager's values are sealed like IAM's secrets (same key, <dataDir>/iam.key).
  const secretsDeps = { store, clock, lock: keyedLock(), box: loadSecretBox(opts.dataDir), random: cryptoRandom };
  // Opted-in services redeploy when a secret they reference gets a new version (docs/secrets.md).
  const rotationCtl =
    opts.serviceController === false
      ? undefined
      : new SecretRotationController(fenced(deps), secretVersionPort(secretsDeps), {
          active: () => leadership.isLeader(),
          onRedeploy: (arn) => services.enqueue(arn),
          log: (line) => opts.log?.({ component: "controller", level: "warn", msg: line }),
        });
  const lifecycleSweeper = startLifecycleSweeper(ecrDeps, 10 * 60_000, logAs("ecr"));
  const sweeper = startRetentionSweeper(logStore, clock, opts.logsSweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  const alarmBook = new AlarmBook(store);
  await alarmBook.load();
  const cwDeps: CloudWatchDeps = {
    metrics: new MetricStore({ ...DEFAULT_METRIC_BOUNDS, ...opts.metricBounds }),
    alarms: alarmBook,
    clock,
    invokers: [...(opts.alarmActionInvokers ?? [])],
  };
  const alarmEvaluator = startAlarmEvaluator(cwDeps, opts.alarmIntervalMs ?? DEFAULT_ALARM_INTERVAL_MS, logAs("cloudwatch"));
  const alarmRegistry = cloudwatchAlarmRegistry(cwDeps);
  const usageBook = new UsageBook();
  const ecsMetrics = startEcsMetricsPublisher({
    book: usageBook,
    metrics: cwDeps.metrics,
    clock,
    ...(opts.ecsMetrics?.intervalMs ? { intervalMs: Math.max(1_000, opts.ecsMetrics.intervalMs) } : {}),
    ...(opts.ecsMetrics?.staleMs ? { staleMs: opts.ecsMetrics.staleMs } : {}),
  });
  alarmStates = cloudwatchAlarmStates(cwDeps);
  // Wharf's own routes (agents, explain, …) answer the root keys only.
  const secrets = (id: string) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined);
  // ExecuteCommand's sessions: the CLI's and the agent's upgraded connections, spliced (src/contracts/exec-stream.ts).
  const execSessions = new ExecSessions({ clock, random: deps.random!, secrets, wake: (arn) => agents.bump(arn), ...(log ? { log: logAs("ecs")! } : {}) });
  deps.exec = execSessions;
  const root = rootCaller(credentials.accessKeyId, credentials.secretAccessKey, `arn:aws:iam::${accountId}:root`, accountId);
  const rootIdentity: IdentityResolver = { resolve: (id) => (id === root.accessKeyId ? root : undefined) };
  // IAM users' keys and STS sessions (src/api/iam/, src/api/sts/), after the root keys.
  const iam = await startIam({ store, dataDir: opts.dataDir, accountId, clock, expiredSessions: "answer", ...(log ? { log: logAs("iam")! } : {}) });
  const reaper = startTaskReaper({
    store: controllerStore,
    active: () => leadership.isLeader(),
    clock,
    retentionMs: opts.stoppedTaskRetentionMs ?? DEFAULT_STOPPED_TASK_RETENTION_MS,
    log: logAs("controller"),
  });
  // The names Wharf's DNS server answers, first match wins (src/contracts/dns-records.ts):
  // Cloud Map's namespaces, then load balancers' DNSNames.
  const cloudMapDns = cloudMapDnsSource(deps);
  const dnsSources: DnsRecordSource[] = [...(opts.extraDnsSources ?? []), cloudMapDns, elbDnsRecords(deps)];
  let dns: DnsServer | undefined;
  if (opts.dnsPort !== false) {
    dns = await startDnsServer({
      host: opts.host ?? DEFAULT_HOST,
      // The fixed port goes with the fixed API port: Wharfs on other ports (tests, a second Wharf) take any free one.
      port: opts.dnsPort ?? ((opts.port ?? DEFAULT_PORT) === DEFAULT_PORT ? DEFAULT_DNS_PORT : 0),
      sources: dnsSources,
      ...(opts.dnsUpstream ? { upstream: opts.dnsUpstream } : {}),
      relaySecrets: secrets,
      random: deps.random,
      ...(log ? { log: logAs("dns")! } : {}),
    });
  }
  const aasDeps: AasDeps = {
    ecs: deps,
    // Target-tracking policies create their alarms in Wharf's CloudWatch unless a test gives another registry.
    alarms: opts.autoscaling?.alarms ?? alarmRegistry,
    ...(opts.autoscaling?.alarmPeriodS ? { alarmPeriodS: opts.autoscaling.alarmPeriodS } : {}),
  };
  const scalingInvoker = scalingPolicyInvoker(aasDeps, logAs("autoscaling"));
  // CloudWatch's evaluator runs `arn:aws:autoscaling:` alarm actions through the scaling policies.
  cwDeps.invokers.push(scalingInvoker);
  const schedules = startScheduleRunner(aasDeps, { ...(opts.autoscaling?.scheduleIntervalMs ? { intervalMs: opts.autoscaling.scheduleIntervalMs } : {}), ...(log ? { log: logAs("autoscaling")! } : {}) });
  const identities = opts.extraIdentities ? chainResolvers(rootIdentity, iam.identities, opts.extraIdentities) : chainResolvers(rootIdentity, iam.identities);
  // The registry authorizes each request as the principal whose keys asked for its token.
  ecrDeps.identities = identities;
  const metrics = wharfMetrics({ connectedAgents: () => agents.connectedCount(), workQueueDepth: () => services.queue.size });
  const edge = createEdge({
    services: [withPlacementMetrics(ecsService(deps), metrics.placements), logsService(logsDeps), ecrService(ecrDeps), ec2Service(deps), elbv2Service(elbDeps), servicediscoveryService(deps), ssmService(secretsDeps), secretsManagerService(secretsDeps), applicationautoscalingService(aasDeps), ...cloudwatchServices(cwDeps), ...iam.services],
    identities,
    roles: opts.roles ?? ownAccountRoles(iam.roles, accountId),
    accountId,
    clock,
    version: VERSION,
    log: logAs("edge"),
    onResponse: (entry) => {
      metrics.observe(entry);
      opts.accessLog?.(entry);
    },
    metrics: metrics.render,
    ...(opts.consoleDir !== false ? { consoleSite: consoleSite(opts.consoleDir ?? fileURLToPath(new URL("../console/", import.meta.url))) } : {}),
    internal: [
      agentChannelRoute({ deps, hub: agents, secrets, accountId, clock, networkPolicy: policyFeed, ...(prefetchFeed ? { prefetch: prefetchFeed } : {}), ...(dns ? { dnsServer: { address: dns.address, port: dns.port } } : {}) }),
      agentCredentialsRoute({ deps, secrets, accountId, clock, iam }),
      agentUsageRoute({ deps, book: usageBook, secrets, accountId, clock }),
      explainRoute({ deps, secrets, accountId, clock }),
      capacityRoute({ deps, secrets, accountId, clock }),
      spotRoute({ deps, secrets, accountId, clock }),
      deploymentTimelineRoute({ deps, secrets, accountId, clock, healthyAfterMs: opts.serviceParams?.healthyAfterMs ?? 40_000 }),
    ],
    upgrades: [execSessions.route()],
  });
  const host = opts.host ?? DEFAULT_HOST;
  await new Promise<void>((resolve, reject) => {
    edge.server.once("error", reject);
    edge.server.listen(opts.port ?? DEFAULT_PORT, host, () => resolve());
  }).catch(async (err: unknown) => {
    await dns?.close();
    throw err;
  });
  const port = (edge.server.address() as AddressInfo).port;
  if (opts.serviceController !== false) services.start();
  rotation = rotationCtl;
  rotation?.start();
  lbFeed?.start();
  const chaos = opts.spotInterruptionsPerHour ? startSpotChaos(deps, { perHour: opts.spotInterruptionsPerHour, log: logAs("ecs") }) : undefined;
  edge.setReady(true);
  const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  deps.endpoint = `http://${urlHost}:${port}`;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    credentials,
    accountId,
    deps,
    iam,
    logs: { ...logsDeps, sweepNow: sweeper.sweepNow },
    listenerFailures: () => store.listenerFailures,
    lb: { idle: () => lbFeed?.idle() ?? Promise.resolve() },
    ...(dns ? { dns: { address: dns.address, port: dns.port } } : {}),
    cloudMap: { dns: cloudMapDns },
    cloudwatch: Object.assign(cwDeps, { evaluateNow: alarmEvaluator.evaluateNow, registry: alarmRegistry }),
    ecsMetrics: { book: usageBook, publishNow: ecsMetrics.publishNow },
    ...(registry ? { registryHost: registry.host } : {}),
    autoscaling: { invoker: scalingInvoker, tick: () => schedules.tick() },
    async close() {
      await dns?.close();
      await schedules.stop();
      edge.setReady(false);
      chaos?.stop();
      reaper.stop();
      await leadership.stop();
      await iam.stop();
      lbFeed?.close();
      await lbFeed?.idle();
      await ownPlane?.close();
      await services.stop();
      await rotation?.stop();
      agents.close();
      execSessions.close();
      await new Promise<void>((resolve) => {
        edge.server.close(() => resolve());
        edge.server.closeAllConnections();
      });
      await lifecycleSweeper.stop();
      await registry?.close();
      await sweeper.stop();
      ecsMetrics.stop();
      await alarmEvaluator.stop();
      await store.close();
    },
  };
}

/** RunTask and StartTask answers counted for /metrics: tasks placed, failures by reason. */
function withPlacementMetrics<S extends Service>(service: S, count: (placed: number, reasons: string[]) => void): S {
  const operations = { ...service.operations };
  for (const name of ["RunTask", "StartTask"]) {
    const op = operations[name];
    if (!op) continue;
    operations[name] = async (input, ctx) => {
      const out = (await op(input, ctx)) as { tasks?: unknown[]; failures?: { reason?: string }[] };
      count(out?.tasks?.length ?? 0, (out?.failures ?? []).map((f) => f.reason ?? "UNKNOWN"));
      return out;
    };
  }
  return { ...service, operations };
}

/**
 * ECS's trust check (the role exists and trusts ecs-tasks) for roles of Wharf's own account,
 * the only ones its IAM can know. A role of another account (the seed's examples name
 * 123456789012's) is passed over unchecked: Wharf never assumes it, so it reaches nothing local.
 */
function ownAccountRoles(roles: RoleDirectory, accountId: string): RoleDirectory {
  return { trusts: (arn, service) => (arn.split(":")[4] === accountId ? roles.trusts(arn, service) : true) };
}
