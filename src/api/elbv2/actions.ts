import type { Action } from "@aws-sdk/client-elastic-load-balancing-v2";
import { AwsError } from "../../core/errors.js";
import type { LbAction } from "../../core/lb/data-plane-contract.js";
import type { Elbv2Deps } from "./deps.js";
import type { ActionDoc, TargetGroupDoc } from "./docs.js";
import { incompatibleProtocols, validationError } from "./errors.js";
import { targetGroupOf } from "./target-groups.js";
import { groupUsage } from "./usage.js";

const CONTENT_TYPES = ["text/plain", "text/css", "text/html", "application/javascript", "application/json"];

const invalidAction = (m: string) => new AwsError("InvalidLoadBalancerAction", m);

export interface ActionContext {
  region: string;
  loadBalancerArn: string;
  loadBalancerType: "application" | "network";
  listenerProtocol: string;
}

/**
 * Checks the actions of a listener or rule and returns them as ELB stores and describes them:
 * a forward names its groups in `ForwardConfig` (and in `TargetGroupArn` when there is one), a
 * redirect has every component (`#{host}` and friends for those not given), each has its `Order`.
 * Wharf serves one terminal action (forward, fixed-response, redirect); authentication actions
 * need HTTPS listeners, which Wharf does not serve.
 */
export async function normalizeActions(deps: Elbv2Deps, actions: Action[], c: ActionContext): Promise<ActionDoc[]> {
  if (actions.length === 0) throw validationError("At least one action must be specified");
  if (actions.length > 1) {
    if (actions.some((a) => a.Type?.startsWith("authenticate") || a.Type === "jwt-validation")) throw invalidAction("Authenticate and JWT validation actions are supported only on HTTPS listeners, which Wharf does not serve yet");
    throw new AwsError("TooManyActions", "You've reached the limit on the number of actions per rule");
  }
  const a = actions[0]!;
  const order = a.Order ?? 1;
  const usage = await groupUsage(deps, c.region);
  const groupOk = async (arn: string): Promise<TargetGroupDoc> => {
    const tg = await targetGroupOf(deps, c.region, arn);
    const want = c.loadBalancerType === "application" ? "HTTP" : "TCP";
    if (tg.protocol !== want) throw incompatibleProtocols(`The listener protocol '${c.listenerProtocol}' is not compatible with target group protocol '${tg.protocol}'`);
    const others = [...(usage.get(arn) ?? [])].filter((lb) => lb !== c.loadBalancerArn);
    if (others.length) throw new AwsError("TargetGroupAssociationLimit", `The following target groups cannot be associated with more than one load balancer: ${arn}`);
    return tg;
  };
  switch (a.Type) {
    case "forward": {
      const tuples = a.ForwardConfig?.TargetGroups ?? [];
      if (a.TargetGroupArn && tuples.length && !(tuples.length === 1 && tuples[0]!.TargetGroupArn === a.TargetGroupArn)) {
        throw validationError("You cannot specify both a target group ARN and a forward config with different target groups");
      }
      const groups = tuples.length ? tuples.map((t) => ({ TargetGroupArn: t.TargetGroupArn ?? "", Weight: t.Weight ?? 1 })) : a.TargetGroupArn ? [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }] : [];
      if (groups.length === 0) throw validationError("A target group ARN must be specified");
      if (groups.length > 5) throw validationError("A forward action can have at most '5' target groups");
      if (new Set(groups.map((g) => g.TargetGroupArn)).size !== groups.length) throw validationError("A target group can be specified only once in a forward action");
      if (c.loadBalancerType === "network" && groups.length > 1) throw invalidAction("Network load balancers forward to one target group only");
      for (const g of groups) {
        if (!Number.isInteger(g.Weight) || g.Weight < 0 || g.Weight > 999) throw validationError(`Target group weight '${g.Weight}' must be between 0 and 999`);
        await groupOk(g.TargetGroupArn);
      }
      const sticky = a.ForwardConfig?.TargetGroupStickinessConfig;
      if (sticky?.Enabled && (sticky.DurationSeconds === undefined || sticky.DurationSeconds < 1 || sticky.DurationSeconds > 604800)) {
        throw validationError("Target group stickiness duration must be between 1 and 604800 seconds");
      }
      const stickiness = sticky?.Enabled ? { Enabled: true, DurationSeconds: sticky.DurationSeconds } : { Enabled: false };
      return [
        {
          Type: "forward",
          ...(groups.length === 1 ? { TargetGroupArn: groups[0]!.TargetGroupArn } : {}),
          Order: order,
          ForwardConfig: { TargetGroups: groups, TargetGroupStickinessConfig: stickiness },
        },
      ];
    }
    case "fixed-response": {
      if (c.loadBalancerType !== "application") throw invalidAction("Fixed-response actions are supported only by application load balancers");
      const f = a.FixedResponseConfig;
      if (!f) throw validationError("A fixed-response configuration must be specified");
      if (f.ContentType !== undefined && !CONTENT_TYPES.includes(f.ContentType)) throw validationError(`Content type '${f.ContentType}' is not valid; valid values: ${CONTENT_TYPES.join(", ")}`);
      return [{ Type: "fixed-response", Order: order, FixedResponseConfig: { ...f } }];
    }
    case "redirect": {
      if (c.loadBalancerType !== "application") throw invalidAction("Redirect actions are supported only by application load balancers");
      const r = a.RedirectConfig;
      if (!r) throw validationError("A redirect configuration must be specified");
      const cfg = {
        Protocol: r.Protocol ?? "#{protocol}",
        Port: r.Port ?? "#{port}",
        Host: r.Host ?? "#{host}",
        Path: r.Path ?? "/#{path}",
        Query: r.Query ?? "#{query}",
        StatusCode: r.StatusCode!,
      };
      if (!["HTTP", "HTTPS", "#{protocol}"].includes(cfg.Protocol)) throw validationError(`Redirect protocol '${cfg.Protocol}' must be 'HTTP', 'HTTPS' or '#{protocol}'`);
      if (!cfg.Path.startsWith("/")) throw validationError("A redirect path must begin with a '/' character");
      if (cfg.Protocol === "#{protocol}" && cfg.Port === "#{port}" && cfg.Host === "#{host}" && cfg.Path === "/#{path}" && cfg.Query === "#{query}") {
        throw validationError("A redirect must change at least one of protocol, port, host, path or query, or it loops");
      }
      return [{ Type: "redirect", Order: order, RedirectConfig: cfg }];
    }
    default:
      if (a.Type?.startsWith("authenticate") || a.Type === "jwt-validation") {
        throw invalidAction("Authenticate and JWT validation actions are supported only on HTTPS listeners, which Wharf does not serve yet");
      }
      throw validationError(`Action type '${a.Type}' is not supported`);
  }
}

/** A stored action as the data plane's contract carries it. */
export function planeAction(a: ActionDoc): LbAction {
  switch (a.Type) {
    case "forward": {
      const fc = a.ForwardConfig as { TargetGroups: { TargetGroupArn: string; Weight: number }[]; TargetGroupStickinessConfig?: { Enabled?: boolean; DurationSeconds?: number } };
      const s = fc.TargetGroupStickinessConfig;
      return {
        type: "forward",
        targetGroups: fc.TargetGroups.map((t) => ({ arn: t.TargetGroupArn, weight: t.Weight })),
        ...(s?.Enabled && s.DurationSeconds ? { stickinessSeconds: s.DurationSeconds } : {}),
      };
    }
    case "fixed-response": {
      const f = a.FixedResponseConfig as { StatusCode: string; ContentType?: string; MessageBody?: string };
      return { type: "fixed-response", statusCode: f.StatusCode, ...(f.ContentType ? { contentType: f.ContentType } : {}), ...(f.MessageBody !== undefined ? { messageBody: f.MessageBody } : {}) };
    }
    default: {
      const r = a.RedirectConfig as { Protocol: string; Port: string; Host: string; Path: string; Query: string; StatusCode: "HTTP_301" | "HTTP_302" };
      return { type: "redirect", statusCode: r.StatusCode, protocol: r.Protocol, port: r.Port, host: r.Host, path: r.Path, query: r.Query };
    }
  }
}
