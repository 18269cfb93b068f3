import type { Principal } from "../../core/arn.js";
import type { CallContext, OperationAuthz } from "../../edge/service.js";
import { sdArn } from "./deps.js";

/*
 * How each Cloud Map operation is authorized (Service Authorization Reference, prefix
 * `servicediscovery`): namespace operations against `…:namespace/ns-…`, service and instance
 * operations against `…:service/srv-…`, creations of namespaces, the List operations,
 * GetOperation and the DiscoverInstances pair against `*` (DiscoverInstances sets the
 * `servicediscovery:NamespaceName` / `ServiceName` keys). The input is the parsed request
 * before validation.
 */

type In = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

const arnOr = (type: "namespace" | "service", ref: string | undefined, p: Principal): string[] =>
  ref === undefined ? ["*"] : [ref.startsWith("arn:") ? ref : sdArn(p, type, ref)];
const namespace = (key: string) => (i: In, p: Principal) => arnOr("namespace", str(i[key]), p);
const service = (key: string) => (i: In, p: Principal) => arnOr("service", str(i[key]), p);
const any = () => ["*"];
const given = (i: In) => [str(i.ResourceARN) ?? "*"];

const tagList = (i: In): CallContext => {
  const t = i.Tags;
  if (!Array.isArray(t)) return {};
  const pairs = t.filter((x): x is { Key: string; Value?: string } => !!x && typeof (x as In).Key === "string");
  return { requestTags: Object.fromEntries(pairs.map((x) => [x.Key, String(x.Value ?? "")])) };
};
const tagKeys = (i: In): CallContext => ({
  keys: { "aws:TagKeys": Array.isArray(i.TagKeys) ? (i.TagKeys as unknown[]).filter((x): x is string => typeof x === "string") : [] },
});
const names = (i: In): CallContext => ({
  keys: {
    "servicediscovery:NamespaceName": str(i.NamespaceName),
    "servicediscovery:ServiceName": str(i.ServiceName),
  },
});

const a = (name: string, resources: OperationAuthz["resources"], context?: OperationAuthz["context"]): [string, OperationAuthz] => [
  name,
  { action: `servicediscovery:${name}`, resources, ...(context ? { context } : {}) },
];

/** The Cloud Map `Service.authorization` map. */
export const servicediscoveryAuthorization: Record<string, OperationAuthz> = Object.fromEntries([
  a("CreateHttpNamespace", any, tagList),
  a("CreatePrivateDnsNamespace", any, tagList),
  a("CreatePublicDnsNamespace", any, tagList),
  a("GetNamespace", namespace("Id")),
  a("ListNamespaces", any),
  a("UpdateHttpNamespace", namespace("Id")),
  a("UpdatePrivateDnsNamespace", namespace("Id")),
  a("UpdatePublicDnsNamespace", namespace("Id")),
  a("DeleteNamespace", namespace("Id")),
  a("GetOperation", any),
  a("ListOperations", any),
  a("CreateService", (i: In, p: Principal) => arnOr("namespace", str(i.NamespaceId) ?? str((i.DnsConfig as In | undefined)?.NamespaceId), p), tagList),
  a("GetService", service("Id")),
  a("ListServices", any),
  a("UpdateService", service("Id")),
  a("DeleteService", service("Id")),
  a("GetServiceAttributes", service("ServiceId")),
  a("UpdateServiceAttributes", service("ServiceId")),
  a("DeleteServiceAttributes", service("ServiceId")),
  a("RegisterInstance", service("ServiceId")),
  a("DeregisterInstance", service("ServiceId")),
  a("GetInstance", service("ServiceId")),
  a("ListInstances", service("ServiceId")),
  a("GetInstancesHealthStatus", service("ServiceId")),
  a("UpdateInstanceCustomHealthStatus", service("ServiceId")),
  a("DiscoverInstances", any, names),
  a("DiscoverInstancesRevision", any, names),
  a("TagResource", given, tagList),
  a("UntagResource", given, tagKeys),
  a("ListTagsForResource", given),
]);
