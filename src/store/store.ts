/**
 * The Store: every acknowledged write goes through it. One interface, backends behind it
 * (SQLite embedded, the default; PostgreSQL for several replicas). It is a small document store: each record is a
 * JSON document of one `kind`, addressed by `id`, grouped by `scope` (e.g. a cluster or a
 * family) and ordered within its kind by `sort`. Every record carries a `version` for
 * compare-and-swap, so several writers can detect each other.
 *
 * The interface is asynchronous so that a networked backend fits behind it unchanged.
 */
export type Kind =
  | "cluster"
  | "taskdef"
  | "tags"
  | "account-setting"
  | "container-instance"
  | "task"
  | "client-token"
  | "service"
  | "attribute"
  | "capacity-provider"
  | "subnet"
  | "meta"
  // EC2 (src/api/ec2/): scope = the Region, id = the resource id.
  | "ec2-vpc"
  | "ec2-subnet"
  | "ec2-security-group"
  | "ec2-internet-gateway"
  | "ec2-route-table"
  | "ec2-network-acl"
  | "ec2-network-interface"
  // ELBv2 (src/api/elbv2/): scope = the Region (target health: the target group's ARN), id = the ARN.
  | "elbv2-load-balancer"
  | "elbv2-target-group"
  | "elbv2-listener"
  | "elbv2-rule"
  | "elbv2-target-health"
  // IAM and STS (src/api/iam/, src/api/sts/): global (no scope); id = lower-cased name, policy ARN or key id.
  | "iam-user"
  | "iam-role"
  | "iam-group"
  | "iam-policy"
  | "iam-access-key"
  | "iam-instance-profile"
  | "sts-session"
  // Cloud Map (src/api/servicediscovery/): scope = the Region (instances: the service id), id = the resource id.
  | "sd-namespace"
  | "sd-service"
  | "sd-instance"
  | "sd-operation"
  // ECR (src/api/ecr/): repositories (id `<account>:<region>:<name>`, scope `<account>:<region>`), images (id `<repo id>@<digest>`, scope the repo id).
  | "ecr-repository"
  | "ecr-image"
  // SSM Parameter Store and Secrets Manager (src/api/ssm/, src/api/secretsmanager/): id `<account>:<region>:<name>`, scope `<account>:<region>`.
  | "ssm-parameter"
  | "sm-secret"
  // The secret versions an opted-in service's deployment started with (src/controllers/secret-rotation.ts): id the service ARN.
  | "secret-watch"
  // Application Auto Scaling (src/api/applicationautoscaling/): scope `<account>:<region>`.
  | "aas-target"
  | "aas-policy"
  | "aas-scheduled-action"
  | "aas-activity"
  // CloudWatch (src/api/cloudwatch/): metric alarms (id `<account>:<region>:<name>`, scope `<account>:<region>`).
  | "cw-alarm";

export interface Versioned<T> {
  id: string;
  version: number;
  value: T;
}

export interface ListQuery {
  /** Only records in this scope. */
  scope?: string;
  /** Only records whose sort key starts with this. */
  sortPrefix?: string;
  /** Resume after this sort key (exclusive). */
  after?: string;
  /** Newest/largest sort key first. */
  desc?: boolean;
  limit?: number;
}

export type WriteOp =
  | { op: "put"; kind: Kind; id: string; scope?: string; sort?: string; value: unknown; expectVersion?: number }
  | { op: "delete"; kind: Kind; id: string; expectVersion?: number };

/**
 * A leader's fencing token (src/store/leader-election.ts): a write that carries one commits only
 * while that lease still has that token, so a deposed leader's late writes are refused.
 */
export interface Fence {
  lease: string;
  token: number;
}

export interface WriteOptions {
  fence?: Fence;
}

/** Raised when a fenced write's token is no longer the lease's (another replica leads now). */
export class FencedOut extends Error {
  constructor(readonly lease: string, readonly token: number | undefined) {
    super(token === undefined ? `not the leader of ${lease}: write refused` : `fencing token ${token} of ${lease} is stale: write refused`);
  }
}

/** Raised when a compare-and-swap finds another version than expected. */
export class VersionConflict extends Error {
  constructor(readonly kind: Kind, readonly id: string) {
    super(`version conflict on ${kind}/${id}`);
  }
}

export interface Store {
  get<T>(kind: Kind, id: string): Promise<Versioned<T> | undefined>;
  list<T>(kind: Kind, query?: ListQuery): Promise<Versioned<T>[]>;
  /**
   * Applies every op atomically and durably, or none (throws VersionConflict; FencedOut when
   * `opts.fence` is stale — backends with one writer process, SQLite, have no other leader).
   */
  write(ops: WriteOp[], opts?: WriteOptions): Promise<void>;
  /** Returns the next value of a named counter (1, 2, …); values are never handed out twice. */
  nextSequence(name: string): Promise<number>;
  close(): Promise<void>;
}
