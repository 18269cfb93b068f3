import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient } from "@aws-sdk/client-iam";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { ECSClient } from "@aws-sdk/client-ecs";
import { STSClient } from "@aws-sdk/client-sts";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Session } from "./session";

/**
 * The console's API clients: the real AWS SDK for JavaScript, in the browser, signing every call
 * with the signed-in key against this Wharf (the page's own origin). Wharf's own routes
 * (`/_wharf/explain`, the deployment timeline) are signed with the SDK's SigV4 signer, service
 * `ecs`, as the `wharf` CLI signs them. Nothing is fetched unsigned.
 */
export interface Api {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  sts: STSClient;
  elbv2: ElasticLoadBalancingV2Client;
  cloudMap: ServiceDiscoveryClient;
  ecr: ECRClient;
  iam: IAMClient;
  scaling: ApplicationAutoScalingClient;
  /** POST a signed JSON body to one of Wharf's `/_wharf/` routes; rejects with the API's error. */
  internal<T>(path: string, body: unknown): Promise<T>;
  session: Session;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function makeApi(session: Session): Api {
  const endpoint = window.location.origin;
  const credentials = {
    accessKeyId: session.accessKeyId,
    secretAccessKey: session.secretAccessKey,
    ...(session.sessionToken ? { sessionToken: session.sessionToken } : {}),
  };
  const common = { endpoint, region: session.region, credentials, maxAttempts: 2 };
  const signer = new SignatureV4({ service: "ecs", region: session.region, credentials, sha256: Sha256 });
  return {
    ecs: new ECSClient(common),
    logs: new CloudWatchLogsClient(common),
    sts: new STSClient(common),
    elbv2: new ElasticLoadBalancingV2Client(common),
    // Host prefixes off: DiscoverInstances would otherwise go to data-<host>.
    cloudMap: new ServiceDiscoveryClient({ ...common, disableHostPrefix: true }),
    ecr: new ECRClient(common),
    iam: new IAMClient(common),
    scaling: new ApplicationAutoScalingClient(common),
    session,
    async internal<T>(path: string, body: unknown): Promise<T> {
      const url = new URL(path, endpoint);
      const text = JSON.stringify(body);
      const signed = await signer.sign({
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        headers: { host: url.host, "content-type": "application/json" },
        body: text,
      });
      const headers = { ...signed.headers } as Record<string, string>;
      delete headers.host;
      const res = await fetch(url, { method: "POST", headers, body: text });
      const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (!res.ok) throw new ApiError(String(answer.__type ?? res.status), String(answer.message ?? res.statusText));
      return answer as T;
    },
  };
}

/** An SDK or route error in words: "Code: message". */
export function errorText(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string };
  const code = e.code ?? e.name;
  const msg = e.message ?? String(err);
  return code && code !== "Error" && !msg.startsWith(code) ? `${code}: ${msg}` : msg;
}
