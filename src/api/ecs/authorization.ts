import { arnBase, capacityProviderArn, clusterArn, type Principal, taskDefinitionArn } from "../../core/arn.js";
import { AwsError } from "../../core/errors.js";
import type { CallContext, ExtraCheck, OperationAuthz, RequestContext } from "../../edge/service.js";
import { tagListToMap } from "../operation-spec.js";
import type { EcsDeps } from "./deps.js";
import { findTaskDefinition } from "./task-definitions.js";

/*
 * How each ECS operation is authorized, from the Service Authorization Reference for Amazon ECS
 * (prefix `ecs`): the resource each action authorizes against and its condition keys. Actions
 * without resource-level permissions (List*, Describe/RegisterTaskDefinition, account settings,
 * DiscoverPollEndpoint) authorize against `*`. The input is the parsed request before model
 * validation: every member may be missing or of the wrong type, and nothing here throws.
 */

type In = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

const isArn = (ref: string) => ref.startsWith("arn:");
/** `cluster` of the input (name or ARN; absent = `default`) → its ARN. */
const clusterOf = (i: In, p: Principal, key = "cluster"): string => {
  const ref = str(i[key]) ?? "default";
  return isArn(ref) ? ref : clusterArn(p, ref);
};
const clusterNameOf = (arn: string) => arn.slice(arn.indexOf(":cluster/") + 9);
/** A service / task / container instance by id-or-ARN → its ARN in the input's cluster. */
const inCluster = (type: string, i: In, p: Principal, ref: string): string =>
  isArn(ref) ? ref : `${arnBase(p)}:${type}/${clusterNameOf(clusterOf(i, p))}/${ref}`;
/** A task set by id (`ecs-svc/…`) or ARN → `…:task-set/CLUSTER/SERVICE/ID`. */
const taskSetOf = (i: In, p: Principal, ref: string): string => {
  if (isArn(ref)) return ref;
  const svc = str(i.service) ?? "";
  return `${arnBase(p)}:task-set/${clusterNameOf(clusterOf(i, p))}/${isArn(svc) ? svc.slice(svc.lastIndexOf("/") + 1) : svc}/${ref}`;
};
const tasksOrCluster = (i: In, p: Principal): string[] => {
  const tasks = strs(i.tasks).map((t) => inCluster("task", i, p, t));
  return tasks.length ? tasks : [clusterOf(i, p)];
};
const capacityProviderOf = (p: Principal, ref: string) => (isArn(ref) ? ref : capacityProviderArn(p, ref));
/** `family`, `family:revision` or an ARN → the task-definition ARN (`family:*` when no revision is named). */
const taskDefArnOf = (p: Principal, ref: string): string => {
  if (isArn(ref)) return ref;
  const colon = ref.lastIndexOf(":");
  return colon < 0 ? `${arnBase(p)}:task-definition/${ref}:*` : `${arnBase(p)}:task-definition/${ref}`;
};

const star = (): string[] => ["*"];
const cluster = (i: In, p: Principal) => [clusterOf(i, p)];
const withCluster = (i: In, p: Principal): CallContext => ({ keys: { "ecs:cluster": clusterOf(i, p) } });

/** Tags of the request (`tags: [{key, value}]`) plus the keys given. */
const tagged =
  (more?: (i: In, p: Principal) => CallContext["keys"]) =>
  (i: In, p: Principal): CallContext => {
    const requestTags = tagListToMap(i.tags);
    const keys = more?.(i, p);
    return { ...(requestTags ? { requestTags } : {}), ...(keys ? { keys } : {}) };
  };
const capacityProviderKeys = (i: In, p: Principal): string[] =>
  (Array.isArray(i.capacityProviderStrategy) ? (i.capacityProviderStrategy as In[]) : [])
    .map((s) => str(s?.capacityProvider))
    .filter((x): x is string => !!x)
    .map((n) => capacityProviderOf(p, n));

export const TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com";

/** What ECS answers when it cannot assume a role given for a task (missing, or not trusting ecs-tasks). */
export const unableToAssumeRole = (roleArn: string): AwsError =>
  new AwsError(
    "ClientException",
    `ECS was unable to assume the role '${roleArn}' that was provided for this task. Please verify that the role being ` +
      "passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.",
  );

/** iam:PassRole on each role handed to ECS for tasks; `trust` also asks the role to exist and trust ecs-tasks. */
const passRoles = (roles: (string | undefined)[], trust: boolean, passedTo = TASKS_PRINCIPAL): ExtraCheck[] =>
  [...new Set(roles.filter((r): r is string => !!r))].map((role) => ({
    action: "iam:PassRole",
    resource: role,
    keys: { "iam:PassedToService": passedTo },
    ...(trust ? { requireTrust: { service: TASKS_PRINCIPAL, refusal: unableToAssumeRole(role) } } : {}),
  }));

const lookupCtx = (p: Principal): RequestContext => ({ principal: p, requestId: "authz", accessKeyId: "", callerArn: "" });

/** The ECS `Service.authorization` map; RunTask/StartTask read the task definition (its ARN and roles). */
export function ecsAuthorization(deps: EcsDeps): Record<string, OperationAuthz> {
  /** RunTask/StartTask: the definition's ARN (resolved when it exists) and the roles the task will get. */
  const seen = new WeakMap<In, Promise<{ arn: string; roles: (string | undefined)[] }>>();
  const launch = (i: In, p: Principal) => {
    let r = seen.get(i);
    if (!r) seen.set(i, (r = readLaunch(i, p)));
    return r;
  };
  const readLaunch = async (i: In, p: Principal) => {
    const ref = str(i.taskDefinition) ?? "";
    const td = ref ? await findTaskDefinition(deps, ref, lookupCtx(p)).catch(() => undefined) : undefined;
    const overrides = (i.overrides ?? {}) as In;
    return {
      arn: td ? taskDefinitionArn(p, td.family, td.revision) : taskDefArnOf(p, ref),
      roles: [str(overrides.taskRoleArn) ?? td?.taskRoleArn, str(overrides.executionRoleArn) ?? td?.executionRoleArn],
    };
  };
  const launchKeys = (i: In, p: Principal) => {
    const cps = capacityProviderKeys(i, p);
    return { "ecs:cluster": clusterOf(i, p), ...(cps.length ? { "ecs:capacity-provider": cps } : {}) };
  };
  const a = (action: string, resources: OperationAuthz["resources"], context?: OperationAuthz["context"], also?: OperationAuthz["also"]): OperationAuthz => ({
    action: `ecs:${action}`,
    resources,
    ...(context ? { context } : {}),
    ...(also ? { also } : {}),
  });
  const serviceArnOf = (i: In, p: Principal) => [inCluster("service", i, p, str(i.service) ?? str(i.serviceName) ?? "")];
  const serviceKeys = (i: In, p: Principal) => ({
    "ecs:cluster": clusterOf(i, p),
    ...(str(i.taskDefinition) ? { "ecs:task-definition": taskDefArnOf(p, str(i.taskDefinition)!) } : {}),
    ...(capacityProviderKeys(i, p).length ? { "ecs:capacity-provider": capacityProviderKeys(i, p) } : {}),
  });
  const ci = (key: string) => (i: In, p: Principal) => strs(i[key]).map((r) => inCluster("container-instance", i, p, r));
  const table: Record<string, OperationAuthz> = {
    CreateCluster: a("CreateCluster", (i: In, p) => [clusterArn(p, str(i.clusterName) ?? "default")], tagged((i: In, p) => {
      const cps = strs(i.capacityProviders).map((n) => capacityProviderOf(p, n));
      return cps.length ? { "ecs:capacity-provider": cps } : undefined;
    })),
    DescribeClusters: a("DescribeClusters", (i: In, p) => (strs(i.clusters).length ? strs(i.clusters) : ["default"]).map((c) => (isArn(c) ? c : clusterArn(p, c)))),
    ListClusters: a("ListClusters", star),
    UpdateCluster: a("UpdateCluster", cluster),
    UpdateClusterSettings: a("UpdateClusterSettings", cluster),
    PutClusterCapacityProviders: a("PutClusterCapacityProviders", cluster, (i: In, p) => {
      const cps = strs(i.capacityProviders).map((n) => capacityProviderOf(p, n));
      return cps.length ? { keys: { "ecs:capacity-provider": cps } } : {};
    }),
    DeleteCluster: a("DeleteCluster", cluster),
    CreateCapacityProvider: a("CreateCapacityProvider", (i: In, p) => [capacityProviderArn(p, str(i.name) ?? "")], tagged()),
    DescribeCapacityProviders: a("DescribeCapacityProviders", (i: In, p) => {
      const named = strs(i.capacityProviders);
      return named.length ? named.map((n) => capacityProviderOf(p, n)) : ["*"];
    }),
    UpdateCapacityProvider: a("UpdateCapacityProvider", (i: In, p) => [capacityProviderOf(p, str(i.name) ?? "")]),
    DeleteCapacityProvider: a("DeleteCapacityProvider", (i: In, p) => [capacityProviderOf(p, str(i.capacityProvider) ?? "")]),
    TagResource: a("TagResource", (i: In) => [str(i.resourceArn) ?? "*"], tagged()),
    UntagResource: a("UntagResource", (i: In) => [str(i.resourceArn) ?? "*"], (i: In) => ({ keys: { "aws:TagKeys": strs(i.tagKeys) } })),
    ListTagsForResource: a("ListTagsForResource", (i: In) => [str(i.resourceArn) ?? "*"]),
    PutAccountSetting: a("PutAccountSetting", star, (i: In) => ({ keys: { "ecs:account-setting": str(i.name) } })),
    PutAccountSettingDefault: a("PutAccountSettingDefault", star, (i: In) => ({ keys: { "ecs:account-setting": str(i.name) } })),
    ListAccountSettings: a("ListAccountSettings", star),
    DeleteAccountSetting: a("DeleteAccountSetting", star, (i: In) => ({ keys: { "ecs:account-setting": str(i.name) } })),
    RegisterTaskDefinition: a("RegisterTaskDefinition", star, tagged(), (i: In) => passRoles([str(i.taskRoleArn), str(i.executionRoleArn)], false)),
    DescribeTaskDefinition: a("DescribeTaskDefinition", star),
    ListTaskDefinitions: a("ListTaskDefinitions", star),
    ListTaskDefinitionFamilies: a("ListTaskDefinitionFamilies", star),
    DeregisterTaskDefinition: a("DeregisterTaskDefinition", star),
    DeleteTaskDefinitions: a("DeleteTaskDefinitions", (i: In, p) => strs(i.taskDefinitions).map((r) => taskDefArnOf(p, r))),
    RegisterContainerInstance: a("RegisterContainerInstance", cluster, tagged()),
    DeregisterContainerInstance: a("DeregisterContainerInstance", cluster),
    DescribeContainerInstances: a("DescribeContainerInstances", ci("containerInstances"), withCluster),
    ListContainerInstances: a("ListContainerInstances", cluster),
    UpdateContainerInstancesState: a("UpdateContainerInstancesState", ci("containerInstances"), withCluster),
    PutAttributes: a("PutAttributes", (i: In, p) => {
      const ids = (Array.isArray(i.attributes) ? (i.attributes as In[]) : []).map((x) => str(x?.targetId)).filter((x): x is string => !!x);
      return ids.length ? [...new Set(ids.map((r) => inCluster("container-instance", i, p, r)))] : cluster(i, p);
    }, withCluster),
    DeleteAttributes: a("DeleteAttributes", (i: In, p) => {
      const ids = (Array.isArray(i.attributes) ? (i.attributes as In[]) : []).map((x) => str(x?.targetId)).filter((x): x is string => !!x);
      return ids.length ? [...new Set(ids.map((r) => inCluster("container-instance", i, p, r)))] : cluster(i, p);
    }, withCluster),
    ListAttributes: a("ListAttributes", cluster),
    RunTask: a("RunTask", async (i: In, p) => [(await launch(i, p)).arn], tagged(launchKeys), async (i: In, p) => passRoles((await launch(i, p)).roles, true)),
    StartTask: a(
      "StartTask",
      async (i: In, p) => [(await launch(i, p)).arn],
      tagged((i: In, p) => ({ "ecs:cluster": clusterOf(i, p), "ecs:container-instances": strs(i.containerInstances).map((r) => inCluster("container-instance", i, p, r)) })),
      async (i: In, p) => passRoles((await launch(i, p)).roles, true),
    ),
    StopTask: a("StopTask", (i: In, p) => [inCluster("task", i, p, str(i.task) ?? "")], withCluster),
    DescribeTasks: a("DescribeTasks", (i: In, p) => strs(i.tasks).map((t) => inCluster("task", i, p, t)), withCluster),
    // Decided on the tasks named; with none named, on the cluster (never on nothing).
    UpdateTaskProtection: a("UpdateTaskProtection", (i: In, p) => tasksOrCluster(i, p), withCluster),
    GetTaskProtection: a("GetTaskProtection", (i: In, p) => tasksOrCluster(i, p), withCluster),
    ListTasks: a("ListTasks", (i: In, p) => (str(i.containerInstance) ? [inCluster("container-instance", i, p, str(i.containerInstance)!)] : ["*"]), withCluster),
    SubmitTaskStateChange: a("SubmitTaskStateChange", cluster),
    SubmitContainerStateChange: a("SubmitContainerStateChange", cluster),
    DiscoverPollEndpoint: a("DiscoverPollEndpoint", star),
    CreateService: a("CreateService", serviceArnOf, tagged(serviceKeys), (i: In) => passRoles([str(i.role)], false, "ecs.amazonaws.com")),
    UpdateService: a("UpdateService", serviceArnOf, (i: In, p) => ({ keys: serviceKeys(i, p) })),
    DeleteService: a("DeleteService", serviceArnOf, withCluster),
    DescribeServices: a("DescribeServices", (i: In, p) => strs(i.services).map((s) => inCluster("service", i, p, s)), withCluster),
    ListServices: a("ListServices", star, withCluster),
    ListServicesByNamespace: a("ListServicesByNamespace", star, (i: In) => ({ keys: { "ecs:namespace": str(i.namespace) } })),
    ListServiceDeployments: a("ListServiceDeployments", serviceArnOf, withCluster),
    DescribeServiceDeployments: a("DescribeServiceDeployments", (i: In) => strs(i.serviceDeploymentArns)),
    StopServiceDeployment: a("StopServiceDeployment", (i: In) => [str(i.serviceDeploymentArn) ?? "*"]),
    // The Service Authorization Reference lists cluster and task for ecs:ExecuteCommand: both must be allowed.
    ExecuteCommand: a("ExecuteCommand", (i: In, p) => [inCluster("task", i, p, str(i.task) ?? ""), clusterOf(i, p)], (i: In, p) => ({
      keys: {
        "ecs:cluster": clusterOf(i, p),
        "ecs:task": inCluster("task", i, p, str(i.task) ?? ""),
        ...(str(i.container) ? { "ecs:container-name": str(i.container) } : {}),
      },
    })),
    // Task sets: created and listed on their service; updated, promoted and deleted as themselves.
    CreateTaskSet: a("CreateTaskSet", serviceArnOf, tagged((i: In, p) => ({ ...serviceKeys(i, p), "ecs:service": serviceArnOf(i, p)[0] }))),
    DescribeTaskSets: a("DescribeTaskSets", serviceArnOf, withCluster),
    UpdateTaskSet: a("UpdateTaskSet", (i: In, p) => [taskSetOf(i, p, str(i.taskSet) ?? "")], withCluster),
    DeleteTaskSet: a("DeleteTaskSet", (i: In, p) => [taskSetOf(i, p, str(i.taskSet) ?? "")], withCluster),
    UpdateServicePrimaryTaskSet: a("UpdateServicePrimaryTaskSet", (i: In, p) => [taskSetOf(i, p, str(i.primaryTaskSet) ?? "")], withCluster),
  };
  return table;
}
