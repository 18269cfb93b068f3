import type { Clock } from "../../core/time.js";
import type { DockerClient } from "../docker/client.js";
import type { HealthMonitor } from "../health/monitor.js";
import type { NeighborFlush } from "../network/neighbors.js";
import type { TaskSetupFactory } from "../network/task-setup.js";
import type { Reporter } from "./reporter.js";

/** What every task shares: the Engine, the reporter, the instance, the engine's lifetime. */
export interface TaskContext {
  docker: DockerClient;
  reporter: Reporter;
  containerInstanceArn: string;
  hostIp?: string;
  /** Aborted when the agent goes away: loops end, containers are left as they are. */
  signal: AbortSignal;
  /** Pulls with ECS's default behaviour (cached image on failure); throws CannotPullContainerError. */
  /** Pulls (or finds cached) an image: its registry digest, and the local name to create containers from when it is not `image`. */
  pull(image: string, as?: PullAs): Promise<PulledImage>;
  log(line: Record<string, unknown>): void;
  /** The agent's Docker health watcher (health checks, HEALTHY dependencies). */
  health?: HealthMonitor;
  /** Root of the EFS stand-in directories (src/agent/volumes/plan.ts). */
  efsRoot?: string;
  /** awsvpc network + metadata endpoint variables around each task (src/agent/network/task-setup.ts). */
  setup?: TaskSetupFactory;
  /** Time for pull/stop stamps, dependsOn startTimeout deadlines and container start times (default: the system clock). */
  clock?: Clock;
  /**
   * Fetches a container's `secrets[]` as `NAME=value` lines (src/agent/secrets.ts), as the task's
   * execution role when `as` is given; throws ResourceInitializationError. Absent: secrets are refused.
   */
  secrets?(specs: { name: string; valueFrom: string }[], region: string, as?: PullAs): Promise<string[]>;
  /** Forgets the host's neighbor entries of addresses new containers with Wharf-set MACs hold (network/neighbors.ts). */
  flushNeighbors?: NeighborFlush;
}

export const ESSENTIAL_EXITED = "Essential container in task exited";
export const AWSVPC_UNSUPPORTED = "awsvpc network mode is not supported by this agent yet";

/** Thrown inside a task's loop once the agent goes away: everything stops where it is. */
export class Closed extends Error {}

/** What a pull found out: the registry digest (`imageDigest`), and a local name other than the task definition's, if any. */
/** Whose credentials pull: the task whose (usable, own-account) execution role asks for registry tokens. */
export interface PullAs {
  taskArn: string;
}

export interface PulledImage {
  digest?: string;
  localRef?: string;
}
