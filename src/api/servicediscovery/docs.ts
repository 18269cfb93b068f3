import type { DnsConfigSpec } from "../../core/servicediscovery/rules.js";

/**
 * Cloud Map's stored records. Namespaces, services and operations are scoped by Region (id =
 * the `ns-`/`srv-`/operation id); instances by their service's id (id = `srv-…|instance-id`).
 * Times are epoch milliseconds (rendered as epoch seconds). Tags live in the document.
 */
export interface SdTag {
  Key: string;
  Value: string;
}

export interface NamespaceDoc {
  id: string;
  arn: string;
  region: string;
  accountId: string;
  name: string;
  type: "DNS_PRIVATE" | "HTTP";
  description?: string;
  /** DNS_PRIVATE: the VPC it answers, its hosted zone and the SOA record's TTL. */
  vpc?: string;
  hostedZoneId?: string;
  soaTtl?: number;
  createdMs: number;
  creatorRequestId?: string;
  /** Fingerprint of the creating request (CreatorRequestId idempotency). */
  requestHash: string;
  /** The operation that created it (a repeated request answers the same one). */
  operationId: string;
  tags: SdTag[];
}

export interface SdServiceDoc {
  id: string;
  arn: string;
  region: string;
  accountId: string;
  name: string;
  namespaceId: string;
  description?: string;
  type: "HTTP" | "DNS_HTTP";
  dnsConfig?: DnsConfigSpec;
  healthCheckCustomConfig?: { FailureThreshold?: number };
  createdMs: number;
  creatorRequestId?: string;
  requestHash: string;
  tags: SdTag[];
  /** Service attributes (Get/Update/DeleteServiceAttributes). */
  attributes: Record<string, string>;
  /** DiscoverInstancesRevision: bumped on every change of the service's instances. */
  revision: number;
}

export interface SdInstanceDoc {
  serviceId: string;
  id: string;
  creatorRequestId?: string;
  attributes: Record<string, string>;
  /** The custom health status (services with HealthCheckCustomConfig). */
  customHealth?: "HEALTHY" | "UNHEALTHY";
  createdMs: number;
  updatedMs: number;
}

export type OperationType = "CREATE_NAMESPACE" | "DELETE_NAMESPACE" | "UPDATE_NAMESPACE" | "UPDATE_SERVICE" | "REGISTER_INSTANCE" | "DEREGISTER_INSTANCE";

export interface OperationDoc {
  id: string;
  region: string;
  accountId: string;
  type: OperationType;
  createdMs: number;
  targets: Partial<Record<"NAMESPACE" | "SERVICE" | "INSTANCE", string>>;
  /** RegisterInstance's CreatorRequestId and the request's fingerprint. */
  creatorRequestId?: string;
  requestHash?: string;
}

export const instanceKey = (serviceId: string, instanceId: string): string => `${serviceId}|${instanceId}`;
