/** IAM's stored documents (one record each; times in epoch seconds). */

export interface IamTag {
  Key: string;
  Value: string;
}

export interface InlinePolicies {
  /** policy name → document text as given (IAM returns it URL-encoded). */
  [name: string]: string;
}

export interface UserDoc {
  name: string;
  path: string;
  id: string;
  arn: string;
  createDate: number;
  tags: IamTag[];
  inline: InlinePolicies;
  attached: string[];
  permissionsBoundary?: string;
}

export interface RoleDoc {
  name: string;
  path: string;
  id: string;
  arn: string;
  createDate: number;
  trust: string;
  description?: string;
  maxSessionDuration: number;
  tags: IamTag[];
  inline: InlinePolicies;
  attached: string[];
  permissionsBoundary?: string;
  lastUsed?: { date: number; region: string };
}

export interface GroupDoc {
  name: string;
  path: string;
  id: string;
  arn: string;
  createDate: number;
  inline: InlinePolicies;
  attached: string[];
  /** Its users' names, in the order they were added. */
  members: string[];
}

export interface PolicyVersionDoc {
  id: string;
  document: string;
  createDate: number;
}

export interface ManagedPolicyDoc {
  name: string;
  path: string;
  id: string;
  arn: string;
  createDate: number;
  updateDate: number;
  description?: string;
  defaultVersion: string;
  versions: PolicyVersionDoc[];
  /** The number the next version takes (v1, v2, …; never reused). */
  nextVersion: number;
  tags: IamTag[];
}

export interface AccessKeyDoc {
  id: string;
  userName: string;
  status: "Active" | "Inactive";
  createDate: number;
  /** The secret, sealed (secret-box.ts); never stored or logged in plaintext. */
  sealedSecret: string;
  lastUsed?: { date: number; service: string; region: string };
}

export interface InstanceProfileDoc {
  name: string;
  path: string;
  id: string;
  arn: string;
  createDate: number;
  roles: string[];
  tags: IamTag[];
}

/** STS temporary credentials: an assumed-role session or a GetSessionToken session. */
export interface SessionDoc {
  accessKeyId: string;
  sealedSecret: string;
  sealedToken: string;
  /** ms since the epoch. */
  expiresAt: number;
  createdAt: number;
  kind: "AssumedRole" | "User" | "Account";
  /** AssumedRole: the role; User: the user's name. */
  roleName?: string;
  roleArn?: string;
  roleId?: string;
  sessionName?: string;
  userName?: string;
  /** Session policies: inline Policy text, and PolicyArns. */
  policy?: string;
  policyArns?: string[];
  /** Session tags (with the transitive ones passed on by role chaining). */
  tags?: IamTag[];
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
  /** Set when the session was made from another role session (role chaining). */
  chained?: boolean;
}
