import { ecrHostParts, parseImageRef } from "../core/ecr/names.js";

/**
 * Pulls of images in Wharf's ECR. An image named `<account>.dkr.ecr.<region>.amazonaws.com/<repo>`
 * of the control plane's own account, or `<registry host>/<repo>` (the repositoryUri Wharf
 * hands out), is pulled from Wharf's registry with a token from ECR's GetAuthorizationToken for
 * that Region (asked with the task's execution role when it has a usable one, as ECS pulls
 * private images with it — the role's policies then decide the pull at the registry too; else
 * with the agent's own credentials, as an EC2 instance's role would), sent as
 * X-Registry-Auth. An ECR-host image is then tagged under its own name, so containers are
 * created from the name the task definition gives.
 */

export interface EcrPullPlan {
  /** What to pull: `<registry host>/<repo>:<tag>` or `@<digest>`. */
  pullRef: string;
  /** X-Registry-Auth (base64url, padded, of the JSON username, password, serveraddress). */
  auth: string;
  /** Tag the pulled image as this `repo` + `tag` (the task definition's name), when it differs. */
  tagAs?: { repo: string; tag: string };
}

interface AuthData {
  authorizationToken: string;
  expiresAt: number;
  proxyEndpoint: string;
}

export interface EcrTokenSource {
  /** GetAuthorizationToken in a Region, as the task's execution role when `taskArn` is given, else as the agent. */
  token(region: string, taskArn?: string): Promise<AuthData>;
}

const REFRESH_BEFORE_MS = 60 * 60 * 1000;

/** ECR's JSON target and signing name, as the agent's signed client needs them. */
export const ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921";

export class EcrPulls {
  private readonly cache = new Map<string, { data: AuthData; host: string }>();

  constructor(
    private readonly source: EcrTokenSource,
    private readonly accountId: string,
    private readonly region: string,
    private readonly now: () => number = Date.now,
  ) {}

  private async auth(region: string, taskArn?: string): Promise<{ data: AuthData; host: string }> {
    // A task's own token is asked once per pull (its role's session is its own); the agent's is kept.
    if (taskArn) {
      const data = await this.source.token(region, taskArn);
      return { data, host: new URL(data.proxyEndpoint).host };
    }
    const hit = this.cache.get(region);
    if (hit && hit.data.expiresAt * 1000 - REFRESH_BEFORE_MS > this.now()) return hit;
    const data = await this.source.token(region);
    const entry = { data, host: new URL(data.proxyEndpoint).host };
    this.cache.set(region, entry);
    return entry;
  }

  /** How to pull `image` (for the task `taskArn`'s execution role, when given), or undefined when it is not an image of Wharf's registry. */
  async plan(image: string, taskArn?: string): Promise<EcrPullPlan | undefined> {
    const ref = parseImageRef(image);
    if (!ref.host) return undefined;
    const ecr = ecrHostParts(ref.host);
    const loopback = /^127\.\d+\.\d+\.\d+:\d+$/.test(ref.host) || /^localhost:\d+$/.test(ref.host);
    if (ecr ? ecr.accountId !== this.accountId : !loopback) return undefined;
    const region = ecr?.region ?? this.region;
    const { data, host } = await this.auth(region, taskArn);
    if (!ecr && ref.host !== host) return undefined;
    const decoded = Buffer.from(data.authorizationToken, "base64").toString("utf8");
    const password = decoded.slice(decoded.indexOf(":") + 1);
    // base64url WITH padding: Docker 20.10 decodes X-Registry-Auth with Go's padded URL encoding.
    const auth = Buffer.from(JSON.stringify({ username: "AWS", password, serveraddress: host })).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
    const suffix = ref.digest ? `@${ref.digest}` : `:${ref.tag ?? "latest"}`;
    return {
      pullRef: `${host}/${ref.repository}${suffix}`,
      auth,
      ...(ecr && !ref.digest ? { tagAs: { repo: `${ref.host}/${ref.repository}`, tag: ref.tag ?? "latest" } } : {}),
    };
  }
}
