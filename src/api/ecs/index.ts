import type { JsonService, Operation, RequestContext } from "../../edge/service.js";
import { notImplemented, validateInput } from "../../edge/shape-model.js";
import * as accountSettings from "./account-settings.js";
import * as attributes from "./attributes.js";
import { ecsAuthorization } from "./authorization.js";
import * as capacityProviders from "./capacity-providers.js";
import * as clusters from "./clusters.js";
import * as containerInstances from "./container-instances.js";
import { executeCommand } from "./execute-command.js";
import type { EcsDeps } from "./deps.js";
import { readTags } from "../../records/tag-store.js";
import { ecsModel } from "./model.generated.js";
import * as pollEndpoint from "./poll-endpoint.js";
import * as serviceDeployments from "./service-deployments.js";
import * as services from "./services.js";
import * as tags from "./tags.js";
import * as taskDefinitions from "./task-definitions.js";
import * as taskSets from "./task-sets.js";
import * as taskState from "./task-state.js";
import * as tasks from "./tasks.js";
import * as taskProtection from "./task-protection.js";

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
  CreateCapacityProvider: capacityProviders.createCapacityProvider,
  DescribeCapacityProviders: capacityProviders.describeCapacityProviders,
  UpdateCapacityProvider: capacityProviders.updateCapacityProvider,
  DeleteCapacityProvider: capacityProviders.deleteCapacityProvider,
  TagResource: tags.tagResource,
  UntagResource: tags.untagResource,
  ListTagsForResource: tags.listTagsForResource,
  PutAccountSetting: accountSettings.putAccountSetting,
  PutAccountSettingDefault: accountSettings.putAccountSettingDefault,
  ListAccountSettings: accountSettings.listAccountSettings,
  DeleteAccountSetting: accountSettings.deleteAccountSetting,
  RegisterTaskDefinition: taskDefinitions.registerTaskDefinition,
  DescribeTaskDefinition: taskDefinitions.describeTaskDefinition,
  ListTaskDefinitions: taskDefinitions.listTaskDefinitions,
  ListTaskDefinitionFamilies: taskDefinitions.listTaskDefinitionFamilies,
  DeregisterTaskDefinition: taskDefinitions.deregisterTaskDefinition,
  DeleteTaskDefinitions: taskDefinitions.deleteTaskDefinitions,
  RegisterContainerInstance: containerInstances.registerContainerInstance,
  DeregisterContainerInstance: containerInstances.deregisterContainerInstance,
  DescribeContainerInstances: containerInstances.describeContainerInstances,
  ListContainerInstances: containerInstances.listContainerInstances,
  UpdateContainerInstancesState: containerInstances.updateContainerInstancesState,
  PutAttributes: attributes.putAttributes,
  DeleteAttributes: attributes.deleteAttributes,
  ListAttributes: attributes.listAttributes,
  RunTask: tasks.runTask,
  StartTask: tasks.startTask,
  StopTask: tasks.stopTask,
  DescribeTasks: tasks.describeTasks,
  UpdateTaskProtection: taskProtection.updateTaskProtection,
  GetTaskProtection: taskProtection.getTaskProtection,
  ListTasks: tasks.listTasks,
  SubmitTaskStateChange: taskState.submitTaskStateChange,
  DiscoverPollEndpoint: pollEndpoint.discoverPollEndpoint,
  SubmitContainerStateChange: taskState.submitContainerStateChange,
  CreateService: services.createService,
  UpdateService: services.updateService,
  DeleteService: services.deleteService,
  DescribeServices: services.describeServices,
  ListServices: services.listServices,
  ListServicesByNamespace: services.listServicesByNamespace,
  ListServiceDeployments: serviceDeployments.listServiceDeployments,
  DescribeServiceDeployments: serviceDeployments.describeServiceDeployments,
  StopServiceDeployment: serviceDeployments.stopServiceDeployment,
  ExecuteCommand: executeCommand,
  CreateTaskSet: taskSets.createTaskSet,
  DescribeTaskSets: taskSets.describeTaskSets,
  UpdateTaskSet: taskSets.updateTaskSet,
  DeleteTaskSet: taskSets.deleteTaskSet,
  UpdateServicePrimaryTaskSet: taskSets.updateServicePrimaryTaskSet,
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
  return {
    targetPrefix: ECS_TARGET_PREFIX,
    signingName: "ecs",
    operations,
    authorization: ecsAuthorization(deps),
    resourceTags: async (arn) => {
      const tags = await readTags(deps.store, arn);
      return tags.length ? Object.fromEntries(tags.map((t) => [t.key ?? "", t.value ?? ""])) : undefined;
    },
  };
}
