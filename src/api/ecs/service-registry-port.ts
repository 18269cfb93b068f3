import type { ServiceRegistry } from "@aws-sdk/client-ecs";
import { clusterOfArn, lastSegment, parseArn } from "../../core/arn.js";
import { AwsError } from "../../core/errors.js";
import type { InstanceDoc } from "../../records/instance-doc.js";
import type { ServiceDoc } from "../../records/service-doc.js";
import type { ServiceRegistryPort } from "../../records/service-registry.js";
import type { TaskDoc } from "../../records/task-doc.js";
import { listInstances, listServices } from "../servicediscovery/deps.js";
import { instanceKey, type SdInstanceDoc, type SdServiceDoc } from "../servicediscovery/docs.js";
import { deregisterInstance, registerInstance, serviceForRegistry } from "../servicediscovery/instances.js";
import type { EcsDeps } from "./deps.js";
import { schedulerContext } from "./service-task-port.js";

/**
 * The service controller's hands on its Cloud Map registry: a task's instance (id = the task
 * id) carries the attributes ECS sets — AWS_INSTANCE_IPV4 (the ENI address for awsvpc, the
 * container instance's address for bridge and host), AWS_INSTANCE_PORT for SRV (`port`, or the
 * host port Docker bound to `containerName`:`containerPort`), AVAILABILITY_ZONE, REGION,
 * ECS_CLUSTER_NAME, ECS_SERVICE_NAME, ECS_TASK_DEFINITION_FAMILY, EC2_INSTANCE_ID (not on
 * Fargate) and AWS_INIT_HEALTH_STATUS HEALTHY for custom health — registered and deregistered
 * through the very RegisterInstance / DeregisterInstance users call.
 */
export function serviceRegistryPort(deps: EcsDeps): ServiceRegistryPort {
  const registryOf = async (service: ServiceDoc, reg: ServiceRegistry): Promise<SdServiceDoc | undefined> => {
    const m = /^arn:[^:]+:servicediscovery:([^:]*):(\d{12}):service\/(.+)$/.exec(reg.registryArn ?? "");
    return m ? serviceForRegistry(deps, { region: m[1]!, accountId: m[2]! }, m[3]!) : undefined;
  };
  const taskArnOf = (service: ServiceDoc, id: string) => `${service.clusterArn.replace(":cluster/", ":task/")}/${id}`;
  const ours = (service: ServiceDoc, attrs: Readonly<Record<string, string>>) =>
    attrs.ECS_CLUSTER_NAME === clusterOfArn(service.clusterArn) && attrs.ECS_SERVICE_NAME === service.serviceName;

  const port: ServiceRegistryPort = {
    async registeredTasks(service) {
      const out = new Set<string>();
      for (const reg of service.serviceRegistries ?? []) {
        const sd = await registryOf(service, reg);
        if (!sd) continue;
        for (const i of await listInstances(deps, sd.id)) if (ours(service, i.attributes)) out.add(taskArnOf(service, i.id));
      }
      return out;
    },

    async register(service, taskArns) {
      const failures: { taskArn: string; reason: string }[] = [];
      const ctx = schedulerContext(service);
      const instances = new Map<string, InstanceDoc>();
      for (const { value } of await deps.store.list<InstanceDoc>("container-instance", { scope: service.clusterArn })) instances.set(value.containerInstanceArn, value);
      for (const reg of service.serviceRegistries ?? []) {
        const sd = await registryOf(service, reg);
        if (!sd) {
          for (const taskArn of taskArns) failures.push({ taskArn, reason: `the registry ${reg.registryArn} does not exist` });
          continue;
        }
        for (const taskArn of taskArns) {
          const task = (await deps.store.get<TaskDoc>("task", taskArn))?.value;
          if (!task) continue;
          const attrs = instanceAttributes(service, reg, sd, task, task.containerInstanceArn ? instances.get(task.containerInstanceArn) : undefined);
          if (typeof attrs === "string") {
            failures.push({ taskArn, reason: attrs });
            continue;
          }
          try {
            await registerInstance(deps, { ServiceId: sd.id, InstanceId: lastSegment(taskArn), Attributes: attrs }, { ...ctx, principal: { region: sd.region, accountId: sd.accountId } });
          } catch (e) {
            if (!(e instanceof AwsError)) throw e;
            failures.push({ taskArn, reason: e.message });
          }
        }
      }
      return failures;
    },

    async deregister(service, taskArns) {
      const ctx = schedulerContext(service);
      for (const reg of service.serviceRegistries ?? []) {
        const sd = await registryOf(service, reg);
        if (!sd) continue;
        for (const taskArn of taskArns) {
          try {
            await deregisterInstance(deps, { ServiceId: sd.id, InstanceId: lastSegment(taskArn) }, { ...ctx, principal: { region: sd.region, accountId: sd.accountId } });
          } catch (e) {
            if (!(e instanceof AwsError && e.code === "InstanceNotFound")) throw e;
          }
        }
      }
    },

    /**
     * Every registry holding the task leaves it — the service's current ones and any it named
     * before an UpdateService changed them (found by the instance id and ECS's attributes).
     */
    async beforeStop(task) {
      if (!task.group?.startsWith("service:")) return;
      const serviceArn = `${task.clusterArn.replace(":cluster/", ":service/")}/${task.group.slice("service:".length)}`;
      const service = (await deps.store.get<ServiceDoc>("service", serviceArn))?.value;
      if (!service) return;
      const ctx = schedulerContext(service);
      const id = lastSegment(task.taskArn);
      for (const sd of await listServices(deps, ctx.principal)) {
        const inst = (await deps.store.get<SdInstanceDoc>("sd-instance", instanceKey(sd.id, id)))?.value;
        if (!inst || !ours(service, inst.attributes)) continue;
        try {
          await deregisterInstance(deps, { ServiceId: sd.id, InstanceId: id }, ctx);
        } catch (e) {
          if (!(e instanceof AwsError && e.code === "InstanceNotFound")) throw e;
        }
      }
    },
  };
  return port;
}

/** The attributes ECS registers a task with, or why it cannot (no address yet, no port). */
export function instanceAttributes(
  service: ServiceDoc,
  reg: ServiceRegistry,
  sd: SdServiceDoc,
  task: TaskDoc,
  instance: InstanceDoc | undefined,
): Record<string, string> | string {
  const mode = (task.wharf.taskDefinition as { networkMode?: string }).networkMode ?? "bridge";
  const srv = (sd.dnsConfig?.DnsRecords ?? []).some((r) => r.Type === "SRV");
  const ip = mode === "awsvpc" ? task.wharf.eni?.privateIpv4Address : instance?.wharf.privateIp;
  if (!ip) return mode === "awsvpc" ? "the task has no ENI address yet" : "the container instance has no private address";
  let portNumber: number | undefined = reg.port;
  if (reg.containerName && reg.containerPort !== undefined) {
    if (mode === "awsvpc") portNumber = reg.containerPort;
    else {
      const container = task.containers.find((c) => c.name === reg.containerName);
      const binding = (container?.networkBindings ?? []).find((b) => Number(b.containerPort) === reg.containerPort && !String(b.bindIP ?? "").includes(":"));
      portNumber = binding ? Number(binding.hostPort) : mode === "host" ? reg.containerPort : undefined;
    }
  }
  if (srv && portNumber === undefined) return `no port for the SRV record of ${sd.id}`;
  const region = parseArn(service.serviceArn)?.region ?? "";
  const zone = task.availabilityZone ?? instance?.wharf.availabilityZone;
  return {
    AWS_INSTANCE_IPV4: ip,
    ...(portNumber !== undefined ? { AWS_INSTANCE_PORT: String(portNumber) } : {}),
    ...(zone ? { AVAILABILITY_ZONE: zone } : {}),
    REGION: region,
    ECS_CLUSTER_NAME: clusterOfArn(service.clusterArn),
    ECS_SERVICE_NAME: service.serviceName,
    ECS_TASK_DEFINITION_FAMILY: task.wharf.family,
    ...(instance && task.launchType !== "FARGATE" ? { EC2_INSTANCE_ID: instance.ec2InstanceId } : {}),
    ...(sd.healthCheckCustomConfig ? { AWS_INIT_HEALTH_STATUS: "HEALTHY" } : {}),
  };
}
