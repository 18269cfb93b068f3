import type { TargetHealthReport } from "../../core/lb/data-plane-contract.js";

/**
 * The ELBv2 records Wharf stores (kinds `elbv2-*`, scope = Region, id = the resource's ARN).
 * Values are kept as ELB shows them (attribute values are strings, as ELB's are); output shapes
 * are built from them by each resource module.
 */
export interface Tag {
  Key: string;
  Value?: string;
}

interface Owned {
  region: string;
  arn: string;
  tags: Tag[];
}

export interface LoadBalancerDoc extends Owned {
  name: string;
  /** The id at the end of the ARN (16 hex characters). */
  id: string;
  type: "application" | "network";
  scheme: "internet-facing" | "internal";
  ipAddressType: string;
  vpcId: string;
  subnets: { subnetId: string; zoneName: string }[];
  securityGroups: string[];
  dnsName: string;
  /** The loopback address the data plane binds this load balancer's listeners to (unique per store). */
  bindAddress: string;
  createdTime: number;
  /** Epoch seconds after which the load balancer reads `active` (provisioning until then). */
  activeAt: number;
  attributes: Record<string, string>;
}

export interface TargetDoc {
  id: string;
  port: number;
  /** Where the data plane connects: the IP (`ip` targets) or the instance's address (`instance`). */
  address: string;
  availabilityZone?: string;
  /** Epoch ms (as the data plane's reports). */
  registeredAt: number;
  /** Epoch ms. Set by DeregisterTargets: the target drains until the data plane reports DrainComplete (or the deadline). */
  deregisteredAt?: number;
  drainDeadline?: number;
}

export interface TargetGroupDoc extends Owned {
  name: string;
  id: string;
  targetType: "instance" | "ip";
  protocol?: string;
  protocolVersion?: string;
  port?: number;
  vpcId?: string;
  ipAddressType: string;
  healthCheck: {
    enabled: boolean;
    protocol?: string;
    port?: string;
    path?: string;
    intervalSeconds: number;
    timeoutSeconds: number;
    healthyThresholdCount: number;
    unhealthyThresholdCount: number;
    matcher?: { HttpCode?: string; GrpcCode?: string };
  };
  attributes: Record<string, string>;
  targets: TargetDoc[];
}

/** An action as ELB stores and returns it (the SDK's `Action` shape, normalised). */
export type ActionDoc = Record<string, unknown> & { Type: string; Order?: number };
export type ConditionDoc = Record<string, unknown> & { Field: string };

export interface ListenerDoc extends Owned {
  id: string;
  /** The id of the listener's default rule (DescribeRules lists it with priority `default`). */
  defaultRuleId: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  defaultActions: ActionDoc[];
  /** ModifyListenerAttributes' changes over the defaults. */
  attributes?: Record<string, string>;
}

export interface RuleDoc extends Owned {
  listenerArn: string;
  loadBalancerArn: string;
  priority: number;
  conditions: ConditionDoc[];
  actions: ActionDoc[];
}

/** What the data plane last reported for one target (kind `elbv2-target-health`, scope = the group's ARN). */
export type TargetHealthDoc = TargetHealthReport;
