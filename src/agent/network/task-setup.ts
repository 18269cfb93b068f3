import type { TaskPlan } from "../container-config.js";
import type { MetadataEndpoint } from "../metadata/server.js";
import { METADATA_ENV } from "../metadata/server.js";
import type { TaskAssignment } from "../../contracts/agent-protocol.js";
import { type CredentialsContext, credentialsHook } from "../credentials/task-hook.js";
import { type DnsContext, dnsHook } from "../dns/task-hook.js";
import { type AwsvpcContext, AwsvpcTaskNetwork, PAUSE_CONTAINER_NAME } from "./awsvpc.js";

/**
 * What a task needs around its containers, as one hook for the task loop (managed-task.ts):
 * the metadata endpoint's variables in every container's environment (at planning), the awsvpc
 * network and pause container (before containers are created), and their removal (after the
 * containers are removed).
 */
export interface TaskSetup {
  /** Before the first container is created (or adopted ones are used): network, pause container. */
  beforeCreate(): Promise<void>;
  /** After the task's containers are removed. */
  afterRemove(): Promise<void>;
  /** After every container stopped, before the task reports STOPPED (log shipping drains here). */
  beforeStopped?(): Promise<void>;
  /** Before the task's containers are removed. */
  beforeRemove?(): Promise<void>;
}

export interface TaskSetupInput {
  assignment: TaskAssignment;
  /** The planned containers; their create bodies may be edited until they are created. */
  plan: TaskPlan;
  /** Containers found from an earlier agent run, by container name (the pause one included). */
  adopted: ReadonlyMap<string, string>;
}

export type TaskSetupFactory = (task: TaskSetupInput) => TaskSetup;

export interface TaskSetupOptions extends AwsvpcContext {
  metadata?: MetadataEndpoint;
  /** The security group firewall: an awsvpc task's containers start once the latest policy is in force. */
  firewall?: { settled(): Promise<void>; networksChanged?(): Promise<void> };
  /** Task role credentials (src/agent/credentials). */
  credentials?: CredentialsContext;
  /** Tasks' resolver, 169.254.169.253 (src/agent/dns). */
  dns?: DnsContext;
}

/** Longest a task waits for the firewall (a hung iptables must not hold tasks forever). */
const FIREWALL_WAIT_MS = 5_000;

/** The agent's TaskSetupFactory: metadata variables for every mode, awsvpc networking where asked. */
export function taskSetupFactory(o: TaskSetupOptions): TaskSetupFactory {
  return ({ assignment, plan, adopted }) => {
    if (o.metadata) {
      for (const c of plan.containers) {
        const env = o.metadata.envFor(assignment.taskArn, c.name, plan.networkMode, assignment.eni);
        if (!env.length) continue;
        const own = (c.body.Env ?? []).filter((kv) => !kv.startsWith(`${METADATA_ENV.v4}=`) && !kv.startsWith(`${METADATA_ENV.v3}=`));
        c.body.Env = [...own, ...env];
      }
    }
    const creds = credentialsHook(o.credentials, o.metadata, assignment, plan);
    const dns = dnsHook(o.dns, o.metadata, assignment, plan);
    const network = plan.networkMode === "awsvpc" ? new AwsvpcTaskNetwork(o, assignment, plan, adopted.get(PAUSE_CONTAINER_NAME)) : undefined;
    return {
      async beforeCreate() {
        await network?.setUp();
        // The policy naming this task's ENI came with (or before) the task, and its subnet's
        // network may be new (routes to the VPC's other subnets): have both in force first.
        if (network && o.firewall) {
          let timer: NodeJS.Timeout | undefined;
          const ready = o.firewall.networksChanged ? o.firewall.networksChanged() : o.firewall.settled();
          await Promise.race([ready, new Promise<void>((r) => (timer = setTimeout(r, FIREWALL_WAIT_MS)))]);
          clearTimeout(timer);
        }
        await Promise.all([creds?.beforeCreate(), dns?.beforeCreate()]);
      },
      async afterRemove() {
        // A subnet network gone takes its routes with it (not waited for).
        if ((await network?.tearDown()) && o.firewall?.networksChanged) void o.firewall.networksChanged();
        await creds?.afterRemove();
        await dns?.afterRemove();
        o.metadata?.forget(assignment.taskArn);
      },
    };
  };
}
