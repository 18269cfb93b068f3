import { AwsError } from "../errors.js";

/** A target group's health check settings as CreateTargetGroup / ModifyTargetGroup carry them. */
export interface HealthCheckIn {
  HealthCheckProtocol?: string;
  HealthCheckPort?: string;
  HealthCheckEnabled?: boolean;
  HealthCheckPath?: string;
  HealthCheckIntervalSeconds?: number;
  HealthCheckTimeoutSeconds?: number;
  HealthyThresholdCount?: number;
  UnhealthyThresholdCount?: number;
  Matcher?: { HttpCode?: string; GrpcCode?: string };
}

export interface HealthCheckSettings {
  enabled: boolean;
  protocol: string;
  port: string;
  path?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  matcher?: { HttpCode: string };
}

const bad = (m: string) => new AwsError("ValidationError", m);
const isHttp = (p: string) => p === "HTTP" || p === "HTTPS";

/**
 * ELB's health check defaults per protocol: HTTP(S) groups check `/` every 30 s with a 5 s
 * timeout, 5 healthy / 2 unhealthy, matcher 200; TCP groups check TCP every 30 s with a 10 s
 * timeout, 5 / 2 (an HTTP check of a TCP group: `/`, 6 s, matcher 200-399). `base` is the group's
 * current settings on ModifyTargetGroup, whose protocol-dependent defaults then stay.
 */
export function healthCheckSettings(groupProtocol: string, input: HealthCheckIn, base?: HealthCheckSettings): HealthCheckSettings {
  const protocol = input.HealthCheckProtocol ?? base?.protocol ?? (groupProtocol === "HTTPS" ? "HTTPS" : isHttp(groupProtocol) ? "HTTP" : "TCP");
  if (!["HTTP", "HTTPS", "TCP"].includes(protocol)) throw bad(`Health check protocol '${protocol}' is not supported`);
  if (isHttp(groupProtocol) && protocol === "TCP") throw bad(`Health check protocol '${protocol}' is not supported for target group protocol '${groupProtocol}'`);
  const http = isHttp(protocol);
  const wasHttp = base ? isHttp(base.protocol) : http;
  const tcpGroup = !isHttp(groupProtocol);
  if (!http && input.HealthCheckPath !== undefined) throw bad("Health check path is only supported with HTTP and HTTPS health checks");
  if (!http && input.Matcher !== undefined) throw bad("Health check matcher HTTP code is only supported with HTTP and HTTPS health checks");
  const port = input.HealthCheckPort ?? base?.port ?? "traffic-port";
  if (port !== "traffic-port" && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw bad(`Health check port '${port}' must be 'traffic-port' or an integer between 1 and 65535`);
  }
  const path = http ? (input.HealthCheckPath ?? (wasHttp ? base?.path : undefined) ?? "/") : undefined;
  if (path !== undefined && !path.startsWith("/")) throw bad("Health check path must begin with a '/' character");
  const httpCode = http ? (input.Matcher?.HttpCode ?? (wasHttp ? base?.matcher?.HttpCode : undefined) ?? (tcpGroup ? "200-399" : "200")) : undefined;
  if (httpCode !== undefined && !/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(httpCode)) throw bad(`Health check matcher HTTP code '${httpCode}' is not valid`);
  const out: HealthCheckSettings = {
    enabled: input.HealthCheckEnabled ?? base?.enabled ?? true,
    protocol,
    port,
    intervalSeconds: input.HealthCheckIntervalSeconds ?? base?.intervalSeconds ?? 30,
    timeoutSeconds: input.HealthCheckTimeoutSeconds ?? (base && wasHttp === http ? base.timeoutSeconds : undefined) ?? (http ? (tcpGroup ? 6 : 5) : 10),
    healthyThresholdCount: input.HealthyThresholdCount ?? base?.healthyThresholdCount ?? 5,
    unhealthyThresholdCount: input.UnhealthyThresholdCount ?? base?.unhealthyThresholdCount ?? 2,
    ...(path !== undefined ? { path } : {}),
    ...(httpCode !== undefined ? { matcher: { HttpCode: httpCode } } : {}),
  };
  if (out.timeoutSeconds >= out.intervalSeconds) {
    throw bad("Health check interval must be greater than the timeout.");
  }
  return out;
}
