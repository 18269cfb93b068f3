import type { StoreDeps } from "../../records/store-deps.js";
import type { TaskDoc } from "../../records/task-doc.js";
import type { AgentHub } from "../agent-hub.js";
import type { ExecSessions } from "../exec-sessions.js";
import type { PlacementIndexes } from "./placement-indexes.js";

/** What ECS operations are given besides their input: the store, the clock, the lock (StoreDeps), and hooks. */
export interface EcsDeps extends StoreDeps {
  /** The agent channel's in-memory side (sequence numbers, presence); absent in pure API tests. */
  agents?: AgentHub;
  /**
   * Each cluster's placement state kept in memory and current from committed writes (src/server.ts
   * wires it); absent, placement reads the cluster afresh on every call.
   */
  placement?: PlacementIndexes;
  /** Chance, injected (placement ties, Spot interruptions); Math.random when absent. */
  random?: () => number;
  /** The default VPC's block (src/api/ec2/deps.ts); 172.31.0.0/16 when absent. */
  defaultVpcCidr?: string;
  /** Exec sessions (ExecuteCommand, src/api/exec-sessions.ts); absent, ExecuteCommand answers TargetNotConnectedException. */
  exec?: Pick<ExecSessions, "create" | "pendingFor">;
  /** The URL this control plane serves on (what DiscoverPollEndpoint hands agents); set once listening. */
  endpoint?: string;
  /** Called after CreateService/UpdateService/DeleteService commit (the service controller enqueues it). */
  onServiceChanged?: (serviceArn: string, clusterArn: string) => void;
  /**
   * Called before a live task is told to stop (StopTask, the scheduler, forced deregistration),
   * and again once it is: its service's Cloud Map instances leave first (src/server.ts wires
   * src/api/ecs/service-registry-port.ts). A failure is the controller's to retry, never the stop's.
   */
  beforeTaskStop?: (task: TaskDoc) => Promise<void>;
}
