import type {
  DeregisterTargetsInput,
  DescribeTargetHealthInput,
  DescribeTargetHealthOutput,
  RegisterTargetsInput,
  TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { AwsError } from "../../core/errors.js";
import type { TargetHealthReason, TargetHealthState } from "../../core/lb/data-plane-contract.js";
import type { RequestContext } from "../../edge/service.js";
import type { InstanceDoc } from "../../records/instance-doc.js";
import { elbLock, type Elbv2Deps, putOp } from "./deps.js";
import type { TargetDoc, TargetGroupDoc, TargetHealthDoc } from "./docs.js";
import { invalidTarget, validationError } from "./errors.js";
import { targetGroupOf } from "./target-groups.js";
import { groupUsage } from "./usage.js";

/** ELB's limit on targets per target group. */
export const MAX_TARGETS = 1000;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The store id of a target's last health report. */
export const healthId = (tgArn: string, id: string, port: number): string => `${tgArn}|${id}|${port}`;

/** Targets still registered or draining (a drain past its deadline is over). */
export const liveTargets = (tg: TargetGroupDoc, nowMs: number): TargetDoc[] =>
  tg.targets.filter((t) => t.drainDeadline === undefined || t.drainDeadline > nowMs);

/** Instance id → the address of the container instance that has it (Wharf's EC2 instances are its agents' hosts). */
async function instanceAddresses(deps: Elbv2Deps): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const { value: i } of await deps.store.list<InstanceDoc>("container-instance")) {
    if (i.status === "ACTIVE" || i.status === "DRAINING") out.set(i.ec2InstanceId, i.wharf?.privateIp ?? "127.0.0.1");
  }
  return out;
}

export async function registerTargets(deps: Elbv2Deps, input: RegisterTargetsInput, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  return deps.lock(elbLock(region), async () => {
    const tg = await targetGroupOf(deps, region, input.TargetGroupArn!);
    const now = deps.clock.now();
    const instances = tg.targetType === "instance" ? await instanceAddresses(deps) : undefined;
    const targets = liveTargets(tg, now).map((t) => ({ ...t }));
    const notRunning: string[] = [];
    for (const t of input.Targets ?? []) {
      const id = t.Id!;
      const port = t.Port ?? tg.port;
      if (port === undefined) throw validationError("A port must be specified");
      let address: string;
      if (tg.targetType === "ip") {
        if (!IPV4.test(id)) throw validationError(`The IP address '${id}' is not a valid IPv4 address`);
        address = id;
      } else {
        if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw validationError(`The instance ID '${id}' is not valid`);
        const a = instances!.get(id);
        if (a === undefined) {
          notRunning.push(id);
          continue;
        }
        address = a;
      }
      const existing = targets.find((x) => x.id === id && x.port === port);
      if (existing) {
        if (existing.deregisteredAt !== undefined) {
          delete existing.deregisteredAt;
          delete existing.drainDeadline;
          existing.registeredAt = now;
        }
        continue;
      }
      targets.push({ id, port, address, registeredAt: now, ...(t.AvailabilityZone ? { availabilityZone: t.AvailabilityZone } : {}) });
    }
    if (notRunning.length) throw invalidTarget(`The following targets are not in a running state and cannot be registered: '${notRunning.join(", ")}'`);
    if (targets.length > MAX_TARGETS) throw new AwsError("TooManyTargets", "You've reached the limit on the number of targets per target group");
    await deps.store.write([putOp("elbv2-target-group", region, tg.arn, { ...tg, targets }, tg.name)]);
    return {};
  });
}

export async function deregisterTargets(deps: Elbv2Deps, input: DeregisterTargetsInput, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  return deps.lock(elbLock(region), async () => {
    const tg = await targetGroupOf(deps, region, input.TargetGroupArn!);
    const now = deps.clock.now();
    const inUse = !!(await groupUsage(deps, region)).get(tg.arn)?.size;
    const delayMs = Number(tg.attributes["deregistration_delay.timeout_seconds"] ?? "300") * 1000;
    let targets = liveTargets(tg, now).map((t) => ({ ...t }));
    const missing: string[] = [];
    for (const d of input.Targets ?? []) {
      const port = d.Port ?? tg.port;
      const matches = targets.filter((t) => t.id === d.Id && (d.Port === undefined || t.port === port));
      if (matches.length === 0) missing.push(d.Id!);
      for (const t of matches) {
        if (t.deregisteredAt !== undefined) continue;
        t.deregisteredAt = now;
        t.drainDeadline = now + delayMs;
      }
    }
    if (missing.length) throw invalidTarget(`The following targets are not registered in target group '${tg.arn}': '${missing.join(", ")}'`);
    // Nothing sends traffic to an unused group, and a zero delay drains at once: such targets go now.
    if (!inUse || delayMs === 0) targets = targets.filter((t) => t.deregisteredAt === undefined);
    await deps.store.write([putOp("elbv2-target-group", region, tg.arn, { ...tg, targets }, tg.name)]);
    return {};
  });
}

type Health = { State: TargetHealthState; Reason?: TargetHealthReason; Description?: string };

const DESCRIPTIONS: Partial<Record<TargetHealthReason, string>> = {
  "Elb.RegistrationInProgress": "Target registration is in progress",
  "Elb.InitialHealthChecking": "Initial health checks in progress",
  "Target.NotRegistered": "Target is not registered to the target group",
  "Target.NotInUse": "Target group is not configured to receive traffic from the load balancer",
  "Target.DeregistrationInProgress": "Target deregistration is in progress",
  "Target.HealthCheckDisabled": "Health checks are disabled",
};

const health = (State: TargetHealthState, Reason?: TargetHealthReason, Description?: string): Health => ({
  State,
  ...(Reason ? { Reason } : {}),
  ...((Description ?? (Reason && DESCRIPTIONS[Reason])) ? { Description: Description ?? DESCRIPTIONS[Reason!] } : {}),
});

/**
 * A registered target's health as ELB describes it: `unused` while no listener uses the group,
 * `draining` until its drain completes, `unavailable` when no data plane checks it (Wharf does not
 * fake health), `initial` until the data plane's first report since registration, then the report.
 */
export function targetHealthOf(t: TargetDoc, o: { inUse: boolean; dataPlane: boolean; checksEnabled: boolean; report?: TargetHealthDoc }): Health {
  if (t.deregisteredAt !== undefined) return health("draining", "Target.DeregistrationInProgress");
  if (!o.inUse) return health("unused", "Target.NotInUse");
  if (!o.dataPlane) return health("unavailable", undefined, "No load balancer data plane runs in this Wharf: targets are not health checked and receive no traffic");
  if (!o.checksEnabled) return health("unavailable", "Target.HealthCheckDisabled");
  const r = o.report;
  if (!r || r.at < t.registeredAt) return health("initial", "Elb.RegistrationInProgress");
  return health(r.state, r.reason, r.description);
}

export async function describeTargetHealth(deps: Elbv2Deps, input: DescribeTargetHealthInput, ctx: RequestContext): Promise<DescribeTargetHealthOutput> {
  const region = ctx.principal.region;
  const tg = await targetGroupOf(deps, region, input.TargetGroupArn!);
  const now = deps.clock.now();
  const inUse = !!(await groupUsage(deps, region)).get(tg.arn)?.size;
  const reports = new Map((await deps.store.list<TargetHealthDoc>("elbv2-target-health", { scope: tg.arn })).map((r) => [r.id, r.value]));
  const live = liveTargets(tg, now);
  const hcPort = (port: number) => (tg.healthCheck.port === "traffic-port" || tg.healthCheck.port === undefined ? String(port) : tg.healthCheck.port);
  const describe = (t: TargetDoc): TargetHealthDescription => ({
    Target: { Id: t.id, Port: t.port, ...(t.availabilityZone ? { AvailabilityZone: t.availabilityZone } : {}) },
    HealthCheckPort: hcPort(t.port),
    TargetHealth: targetHealthOf(t, {
      inUse,
      dataPlane: !!deps.hasLbDataPlane,
      checksEnabled: tg.healthCheck.enabled,
      report: reports.get(healthId(tg.arn, t.id, t.port)),
    }) as TargetHealthDescription["TargetHealth"],
  });
  if (!input.Targets?.length) return { TargetHealthDescriptions: live.map(describe) };
  const out: TargetHealthDescription[] = [];
  for (const q of input.Targets) {
    const matches = live.filter((t) => t.id === q.Id && (q.Port === undefined || t.port === q.Port));
    if (matches.length) out.push(...matches.map(describe));
    else {
      const port = q.Port ?? tg.port!;
      out.push({ Target: { Id: q.Id!, Port: port }, HealthCheckPort: hcPort(port), TargetHealth: health("unused", "Target.NotRegistered") as TargetHealthDescription["TargetHealth"] });
    }
  }
  return { TargetHealthDescriptions: out };
}
