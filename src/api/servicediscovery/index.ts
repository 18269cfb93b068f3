import { AwsError } from "../../core/errors.js";
import type { JsonService, Operation, RequestContext } from "../../edge/service.js";
import { notImplemented, validateInput } from "../../edge/shape-model.js";
import { servicediscoveryAuthorization } from "./authorization.js";
import type { SdDeps } from "./deps.js";
import * as instances from "./instances.js";
import { servicediscoveryModel } from "./model.generated.js";
import * as namespaces from "./namespaces.js";
import * as operations from "./operations.js";
import * as services from "./services.js";
import * as tags from "./tags.js";

export type { SdDeps } from "./deps.js";
export { cloudMapDnsSource } from "./dns-records.js";

export const SERVICEDISCOVERY_TARGET_PREFIX = "Route53AutoNaming_v20170314";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SdOperation = (deps: SdDeps, input: any, ctx: RequestContext) => Promise<unknown> | unknown;

/** Operation modules register here: one function per operation. */
export const servicediscoveryOperations: Record<string, SdOperation> = {
  CreatePrivateDnsNamespace: namespaces.createPrivateDnsNamespace,
  CreateHttpNamespace: namespaces.createHttpNamespace,
  GetNamespace: namespaces.getNamespaceOp,
  ListNamespaces: namespaces.listNamespacesOp,
  UpdatePrivateDnsNamespace: namespaces.updatePrivateDnsNamespace,
  UpdateHttpNamespace: namespaces.updateHttpNamespace,
  DeleteNamespace: namespaces.deleteNamespace,
  GetOperation: operations.getOperation,
  ListOperations: operations.listOperations,
  CreateService: services.createService,
  GetService: services.getServiceOp,
  ListServices: services.listServicesOp,
  UpdateService: services.updateService,
  DeleteService: services.deleteService,
  GetServiceAttributes: services.getServiceAttributes,
  UpdateServiceAttributes: services.updateServiceAttributes,
  DeleteServiceAttributes: services.deleteServiceAttributes,
  RegisterInstance: instances.registerInstance,
  DeregisterInstance: instances.deregisterInstance,
  GetInstance: instances.getInstance,
  ListInstances: instances.listInstancesOp,
  GetInstancesHealthStatus: instances.getInstancesHealthStatus,
  UpdateInstanceCustomHealthStatus: instances.updateInstanceCustomHealthStatus,
  DiscoverInstances: instances.discoverInstances,
  DiscoverInstancesRevision: instances.discoverInstancesRevision,
  TagResource: tags.tagResource,
  UntagResource: tags.untagResource,
  ListTagsForResource: tags.listTagsForResource,
};

/** Operations of the model Wharf refuses with a reason of their own (public DNS: no zones on the internet). */
const REFUSED: Partial<Record<string, () => never>> = {
  CreatePublicDnsNamespace: namespaces.createPublicDnsNamespace,
  UpdatePublicDnsNamespace: namespaces.updatePublicDnsNamespace,
};

/** Cloud Map answers model violations as InvalidInput, in the same words ("1 validation error detected: …"). */
function validate(name: string, input: Record<string, unknown>): Record<string, unknown> {
  try {
    return validateInput(servicediscoveryModel, name, input, { required: "not-null" });
  } catch (e) {
    if (e instanceof AwsError && e.code === "InvalidParameterException") throw new AwsError("InvalidInput", e.message);
    throw e;
  }
}

/** The Cloud Map JSON 1.1 service: every operation of the model, the unbuilt ones answering so. */
export function servicediscoveryService(deps: SdDeps): JsonService {
  const ops: Record<string, Operation> = {};
  for (const name of Object.keys(servicediscoveryModel.operations)) {
    const impl = servicediscoveryOperations[name];
    const refused = REFUSED[name];
    ops[name] = refused
      ? refused
      : impl
      ? (input, ctx) => impl(deps, validate(name, input), ctx)
      : () => {
          throw notImplemented("Cloud Map", name);
        };
  }
  return {
    targetPrefix: SERVICEDISCOVERY_TARGET_PREFIX,
    signingName: "servicediscovery",
    operations: ops,
    authorization: servicediscoveryAuthorization,
    resourceTags: (arn, p) => tags.tagsOf(deps, { principal: p }, arn),
  };
}
