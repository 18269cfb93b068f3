import type { JsonService, Operation, RequestContext } from "../../edge/service.js";
import { notImplemented, validateInput } from "../../edge/shape-model.js";
import * as clusters from "./clusters.js";
import type { EcsDeps } from "./deps.js";
import { ecsModel } from "./model.generated.js";

export const ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113";

// Each operation is `(deps, input, ctx) => output`; input arrives validated against the model.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EcsOperation = (deps: EcsDeps, input: any, ctx: RequestContext) => Promise<unknown>;

/** Operation modules register here: one module per resource, one function per operation. */
export const ecsOperations: Record<string, EcsOperation> = {
  CreateCluster: clusters.createCluster,
  DescribeClusters: clusters.describeClusters,
  ListClusters: clusters.listClusters,
  UpdateCluster: clusters.updateCluster,
  UpdateClusterSettings: clusters.updateClusterSettings,
  PutClusterCapacityProviders: clusters.putClusterCapacityProviders,
  DeleteCluster: clusters.deleteCluster,
};

/** The ECS JSON 1.1 service: every operation of the model, the unbuilt ones answering so. */
export function ecsService(deps: EcsDeps, extra: Record<string, EcsOperation> = {}): JsonService {
  const table = { ...ecsOperations, ...extra };
  const operations: Record<string, Operation> = {};
  for (const name of Object.keys(ecsModel.operations)) {
    const impl = table[name];
    operations[name] = impl
      ? (input, ctx) => impl(deps, validateInput(ecsModel, name, input), ctx)
      : () => {
          throw notImplemented("ECS", name);
        };
  }
  return { targetPrefix: ECS_TARGET_PREFIX, signingName: "ecs", operations };
}
