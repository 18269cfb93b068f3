import { createHash } from "node:crypto";
import { eniRegistrationAttributes } from "../../core/eni.js";
import { VERSION } from "../../version.js";
import { type HostFacts, registrationRequest } from "../registration.js";

/**
 * What each simulated container instance is: its EC2 identity, Availability Zone, instance
 * type, resources and GPUs, and the RegisterContainerInstance body a real agent on such a host
 * would send (the same capability attributes, so task definitions' requiresAttributes match as
 * they would on real hosts). Pure and deterministic for a given fleet name.
 */
export interface FleetShape {
  /** Distinguishes fleets (ids are derived from it): usually the cluster name plus a random tag. */
  name: string;
  count: number;
  cluster: string;
  region: string;
  /** CPU units per instance (default 4096). */
  cpu?: number;
  /** MiB per instance (default 16384). */
  memory?: number;
  /** Availability Zones `<region>a`, `<region>b`, … (default 3). Instance i is in zone i mod azCount. */
  azCount?: number;
  /** Instance types, cycled so every zone gets every type (default ["m5.xlarge"]). */
  instanceTypes?: string[];
  /** GPUs per instance; default by type (GPU_COUNTS, else 1 for g- and p-family types, else 0). */
  gpus?: number;
  /** Extra attributes for every instance ("name" → value; undefined = no value). */
  attributes?: Record<string, string | undefined>;
}

export interface InstanceSpec {
  index: number;
  ec2InstanceId: string;
  availabilityZone: string;
  instanceType: string;
  gpuIds: string[];
  /** The RegisterContainerInstance request body. */
  registration: Record<string, unknown>;
}

/** GPUs of the GPU instance types tests and benches use; other g- and p-family types get one. */
export const GPU_COUNTS: Record<string, number> = {
  "g4dn.xlarge": 1,
  "g4dn.2xlarge": 1,
  "g4dn.12xlarge": 4,
  "g4dn.metal": 8,
  "g5.xlarge": 1,
  "g5.12xlarge": 4,
  "p3.2xlarge": 1,
  "p3.8xlarge": 4,
  "p3.16xlarge": 8,
};

export const gpusOfType = (type: string): number => GPU_COUNTS[type] ?? (/^[gp]\d/.test(type) ? 1 : 0);

const ZONES = "abcdefghijklmnopqrstuvwxyz";

/** The facts a real agent reads from Docker, made up from the fleet's shape. */
function hostFacts(cpu: number, memory: number): HostFacts {
  return {
    cpus: cpu / 1024,
    memTotalBytes: memory * 1024 * 1024,
    architecture: "x86_64",
    dockerVersion: "20.10.24-simulated",
    minApiVersion: "1.12",
    maxApiVersion: "1.41",
    taskCgroups: true,
  };
}

export function instanceSpecs(shape: FleetShape): InstanceSpec[] {
  const azCount = Math.max(1, Math.min(ZONES.length, shape.azCount ?? 3));
  const types = shape.instanceTypes?.length ? shape.instanceTypes : ["m5.xlarge"];
  const facts = hostFacts(shape.cpu ?? 4096, shape.memory ?? 16384);
  const out: InstanceSpec[] = [];
  for (let i = 0; i < shape.count; i++) {
    const hash = createHash("sha256").update(`${shape.name}/${i}`).digest("hex");
    const ec2InstanceId = `i-${hash.slice(0, 17)}`;
    // An --attribute naming the zone or type wins over the computed one, in the identity document too.
    const availabilityZone = shape.attributes?.["ecs.availability-zone"] ?? `${shape.region}${ZONES[i % azCount]}`;
    const instanceType = shape.attributes?.["ecs.instance-type"] ?? types[Math.floor(i / azCount) % types.length]!;
    const gpuIds = Array.from({ length: shape.gpus ?? gpusOfType(instanceType) }, (_, g) => `GPU-${hash.slice(17, 25)}-${hash.slice(25, 29)}-${g}`);
    const registration = registrationRequest(facts, {
      cluster: shape.cluster,
      ec2InstanceId,
      region: shape.region,
      instanceType,
      availabilityZone,
      gpus: gpuIds,
      attributes: { ...eniRegistrationAttributes({}), ...shape.attributes },
      agentVersion: VERSION,
    });
    out.push({ index: i, ec2InstanceId, availabilityZone, instanceType, gpuIds, registration });
  }
  return out;
}
