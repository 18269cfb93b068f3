/**
 * The web console's words for the resources around ECS (load balancer rules, scaling policies,
 * image sizes, IAM policy documents). Pure and structural (no SDK types), shared by console/
 * and its unit tests (test/console-resource-text.test.ts).
 */

export interface ElbAction {
  Type?: string;
  TargetGroupArn?: string;
  ForwardConfig?: { TargetGroups?: { TargetGroupArn?: string; Weight?: number }[] };
  FixedResponseConfig?: { StatusCode?: string; MessageBody?: string };
  RedirectConfig?: { Protocol?: string; Host?: string; Port?: string; Path?: string; Query?: string; StatusCode?: string };
}

export interface ElbCondition {
  Field?: string;
  Values?: string[];
  PathPatternConfig?: { Values?: string[] };
  HostHeaderConfig?: { Values?: string[] };
  HttpRequestMethodConfig?: { Values?: string[] };
  SourceIpConfig?: { Values?: string[] };
  HttpHeaderConfig?: { HttpHeaderName?: string; Values?: string[] };
  QueryStringConfig?: { Values?: { Key?: string; Value?: string }[] };
}

/** `arn:…:targetgroup/NAME/ID` → NAME; `arn:…:loadbalancer/app/NAME/ID` → NAME. */
export function elbNameOf(arn: string | undefined): string {
  if (!arn) return "-";
  const parts = arn.split(":").slice(5).join(":").split("/");
  return (parts[0] === "loadbalancer" ? parts[2] : parts[1]) ?? arn;
}

/** What a listener action does: "forward to a (weight 80), b (weight 20)", "fixed-response 404 "gone"", "redirect HTTP_301 to https://#{host}:443/#{path}". */
export function elbActionText(a: ElbAction): string {
  switch (a.Type) {
    case "forward": {
      const groups = a.ForwardConfig?.TargetGroups?.length ? a.ForwardConfig.TargetGroups : a.TargetGroupArn ? [{ TargetGroupArn: a.TargetGroupArn }] : [];
      const weighted = groups.length > 1;
      return `forward to ${groups.map((g) => `${elbNameOf(g.TargetGroupArn)}${weighted && "Weight" in g && g.Weight !== undefined ? ` (weight ${g.Weight})` : ""}`).join(", ")}`;
    }
    case "fixed-response": {
      const f = a.FixedResponseConfig;
      return `fixed-response ${f?.StatusCode ?? ""}${f?.MessageBody ? ` "${f.MessageBody}"` : ""}`;
    }
    case "redirect": {
      const r = a.RedirectConfig;
      const query = r?.Query ?? "#{query}";
      return `redirect ${r?.StatusCode ?? ""} to ${(r?.Protocol ?? "#{protocol}").toLowerCase()}://${r?.Host ?? "#{host}"}:${r?.Port ?? "#{port}"}${r?.Path ?? "/#{path}"}${query ? `?${query}` : ""}`;
    }
    default:
      return a.Type ?? "-";
  }
}

/** A rule condition: "path-pattern: /a/* | /b", "http-header: X-Env: blue", "query-string: v=1". */
export function elbConditionText(c: ElbCondition): string {
  const values =
    c.PathPatternConfig?.Values ??
    c.HostHeaderConfig?.Values ??
    c.HttpRequestMethodConfig?.Values ??
    c.SourceIpConfig?.Values ??
    (c.HttpHeaderConfig ? [`${c.HttpHeaderConfig.HttpHeaderName ?? ""}: ${(c.HttpHeaderConfig.Values ?? []).join(" | ")}`] : undefined) ??
    (c.QueryStringConfig ? (c.QueryStringConfig.Values ?? []).map((q) => (q.Key ? `${q.Key}=${q.Value ?? ""}` : (q.Value ?? ""))) : undefined) ??
    c.Values ??
    [];
  return `${c.Field ?? "-"}: ${values.join(" | ")}`;
}

export interface ScalingPolicyShape {
  PolicyType?: string;
  TargetTrackingScalingPolicyConfiguration?: {
    TargetValue?: number;
    DisableScaleIn?: boolean;
    PredefinedMetricSpecification?: { PredefinedMetricType?: string };
    CustomizedMetricSpecification?: { MetricName?: string };
  };
  StepScalingPolicyConfiguration?: {
    AdjustmentType?: string;
    Cooldown?: number;
    StepAdjustments?: { MetricIntervalLowerBound?: number; MetricIntervalUpperBound?: number; ScalingAdjustment?: number }[];
  };
}

/** A scaling policy: "keep ECSServiceAverageCPUUtilization at 50", "ChangeInCapacity [0, 10) +1, [10, +∞) +2, cooldown 60 s". */
export function scalingPolicyText(p: ScalingPolicyShape): string {
  const t = p.TargetTrackingScalingPolicyConfiguration;
  if (t) {
    const metric = t.PredefinedMetricSpecification?.PredefinedMetricType ?? t.CustomizedMetricSpecification?.MetricName ?? "a custom metric";
    return `keep ${metric} at ${t.TargetValue ?? "-"}${t.DisableScaleIn ? " (no scale-in)" : ""}`;
  }
  const s = p.StepScalingPolicyConfiguration;
  if (s) {
    const steps = (s.StepAdjustments ?? []).map((a) => {
      const n = a.ScalingAdjustment ?? 0;
      return `[${a.MetricIntervalLowerBound ?? "-∞"}, ${a.MetricIntervalUpperBound ?? "+∞"}) ${n >= 0 ? "+" : ""}${n}`;
    });
    return `${s.AdjustmentType ?? "-"} ${steps.join(", ")}${s.Cooldown !== undefined ? `, cooldown ${s.Cooldown} s` : ""}`;
  }
  return p.PolicyType ?? "-";
}

/** Bytes as the ECR console shows image sizes: KB under a MiB, else MB, two decimals. */
export function imageSizeText(bytes: number | undefined): string {
  if (bytes === undefined) return "-";
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(2)} KB` : `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/** A policy document as IAM answers it (URL-encoded JSON), pretty-printed; text that is not JSON as it is. */
export function policyDocumentText(doc: string | undefined): string {
  if (!doc) return "-";
  let text = doc;
  try {
    text = decodeURIComponent(doc);
  } catch {
    // not URL-encoded
  }
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
