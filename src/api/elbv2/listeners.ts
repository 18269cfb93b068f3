import type {
  CreateListenerInput,
  CreateListenerOutput,
  DeleteListenerInput,
  DescribeListenersInput,
  DescribeListenersOutput,
  Listener,
  ModifyListenerInput,
  ModifyListenerOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { AwsError } from "../../core/errors.js";
import type { RequestContext } from "../../edge/service.js";
import type { WriteOp } from "../../store/store.js";
import { normalizeActions } from "./actions.js";
import { deleteOp, elbArn, elbLock, type Elbv2Deps, getIn, listIn, newElbId, putOp, typeSegment } from "./deps.js";
import type { ListenerDoc, LoadBalancerDoc, RuleDoc } from "./docs.js";
import { duplicateListener, listenerNotFound, noTls, notAnArn, unsupportedProtocol, validationError } from "./errors.js";
import { loadBalancerOf } from "./load-balancers.js";
import { elbPage } from "./paging.js";
import { checkTagsIn } from "./tags.js";

const LISTENER_ARN = /^arn:[\w-]+:elasticloadbalancing:[\w-]+:\d{12}:listener\/(app|net)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}$/;

export function checkListenerArn(arn: string): void {
  if (!LISTENER_ARN.test(arn)) throw notAnArn(arn, "listener");
}

export async function listenerOf(deps: Elbv2Deps, region: string, arn: string): Promise<ListenerDoc> {
  checkListenerArn(arn);
  const l = await getIn<ListenerDoc>(deps, "elbv2-listener", region, arn);
  if (!l) throw listenerNotFound();
  return l;
}

/** The default rule's ARN: the listener's, as `listener-rule/…/LISTENERID/DEFAULTID` (stable for the listener's life). */
export const defaultRuleArn = (l: ListenerDoc): string => `${l.arn.replace(":listener/", ":listener-rule/")}/${l.defaultRuleId}`;

export const listenerOut = (l: ListenerDoc): Listener => ({
  ListenerArn: l.arn,
  LoadBalancerArn: l.loadBalancerArn,
  Port: l.port,
  Protocol: l.protocol as Listener["Protocol"],
  DefaultActions: l.defaultActions as Listener["DefaultActions"],
});

/** HTTP for application load balancers, TCP for network ones; TLS protocols are refused with the reason. */
function checkListenerProtocol(protocol: string, lb: LoadBalancerDoc): void {
  if (protocol === "HTTPS" || protocol === "TLS") throw noTls(protocol);
  const want = lb.type === "application" ? "HTTP" : "TCP";
  if (protocol !== want) {
    throw unsupportedProtocol(
      protocol === "HTTP" || protocol === "TCP"
        ? `Listener protocol '${protocol}' is not supported with a load balancer of type '${lb.type}'`
        : `Wharf's load balancers listen with HTTP and TCP only, not '${protocol}'`,
    );
  }
}

export async function createListener(deps: Elbv2Deps, input: CreateListenerInput, ctx: RequestContext): Promise<CreateListenerOutput> {
  const p = ctx.principal;
  return deps.lock(elbLock(p.region), async () => {
    const lb = await loadBalancerOf(deps, p.region, input.LoadBalancerArn!);
    const protocol = input.Protocol ?? (lb.type === "application" ? "HTTP" : "TCP");
    checkListenerProtocol(protocol, lb);
    if (input.Port === undefined) throw validationError("A listener port must be specified");
    if (input.Certificates?.length || input.SslPolicy) throw validationError(`Certificates and SSL policies are supported only with HTTPS and TLS listeners, not '${protocol}'`);
    const tags = checkTagsIn(input.Tags ?? []);
    const siblings = (await listIn<ListenerDoc>(deps, "elbv2-listener", p.region)).filter((l) => l.loadBalancerArn === lb.arn);
    const defaultActions = await normalizeActions(deps, input.DefaultActions ?? [], {
      region: p.region,
      loadBalancerArn: lb.arn,
      loadBalancerType: lb.type,
      listenerProtocol: protocol,
    });
    const same = siblings.find((l) => l.port === input.Port);
    if (same) {
      // ELB: creating the same listener again answers it; a different one on the port is refused.
      if (same.protocol === protocol && JSON.stringify(same.defaultActions) === JSON.stringify(defaultActions)) return { Listeners: [listenerOut(same)] };
      throw duplicateListener();
    }
    if (siblings.length >= 50) throw new AwsError("TooManyListeners", "You've reached the limit on the number of listeners per load balancer");
    const id = newElbId();
    const l: ListenerDoc = {
      region: p.region,
      arn: elbArn(p, `listener/${typeSegment(lb.type)}/${lb.name}/${lb.id}/${id}`),
      id,
      defaultRuleId: newElbId(),
      loadBalancerArn: lb.arn,
      port: input.Port,
      protocol,
      defaultActions,
      tags,
    };
    await deps.store.write([putOp("elbv2-listener", p.region, l.arn, l, `${lb.arn}/${String(l.port).padStart(5, "0")}`)]);
    return { Listeners: [listenerOut(l)] };
  });
}

export async function describeListeners(deps: Elbv2Deps, input: DescribeListenersInput, ctx: RequestContext): Promise<DescribeListenersOutput> {
  const region = ctx.principal.region;
  if (!input.LoadBalancerArn && !input.ListenerArns?.length) throw validationError("You must specify either listener ARNs or a load balancer ARN");
  if (input.LoadBalancerArn && input.ListenerArns?.length) throw validationError("Listener ARNs and a load balancer ARN cannot be specified at the same time");
  let listeners = await listIn<ListenerDoc>(deps, "elbv2-listener", region);
  if (input.LoadBalancerArn) {
    await loadBalancerOf(deps, region, input.LoadBalancerArn);
    listeners = listeners.filter((l) => l.loadBalancerArn === input.LoadBalancerArn);
  } else {
    input.ListenerArns!.forEach(checkListenerArn);
    listeners = listeners.filter((l) => input.ListenerArns!.includes(l.arn));
    if (listeners.length !== new Set(input.ListenerArns).size) throw listenerNotFound();
  }
  listeners.sort((a, b) => a.port - b.port || (a.arn < b.arn ? -1 : 1));
  const page = elbPage(listeners, (l) => `${l.loadBalancerArn}/${String(l.port).padStart(5, "0")}`, input);
  return { Listeners: page.items.map(listenerOut), ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}) };
}

export async function modifyListener(deps: Elbv2Deps, input: ModifyListenerInput, ctx: RequestContext): Promise<ModifyListenerOutput> {
  const region = ctx.principal.region;
  return deps.lock(elbLock(region), async () => {
    const l = await listenerOf(deps, region, input.ListenerArn!);
    const lb = await loadBalancerOf(deps, region, l.loadBalancerArn);
    const protocol = input.Protocol ?? l.protocol;
    checkListenerProtocol(protocol, lb);
    if (input.Certificates?.length || input.SslPolicy) throw validationError(`Certificates and SSL policies are supported only with HTTPS and TLS listeners, not '${protocol}'`);
    const port = input.Port ?? l.port;
    if (port !== l.port) {
      const taken = (await listIn<ListenerDoc>(deps, "elbv2-listener", region)).some((o) => o.loadBalancerArn === lb.arn && o.port === port && o.arn !== l.arn);
      if (taken) throw duplicateListener();
    }
    const defaultActions = input.DefaultActions?.length
      ? await normalizeActions(deps, input.DefaultActions, { region, loadBalancerArn: lb.arn, loadBalancerType: lb.type, listenerProtocol: protocol })
      : l.defaultActions;
    const next: ListenerDoc = { ...l, port, protocol, defaultActions };
    await deps.store.write([putOp("elbv2-listener", region, l.arn, next, `${lb.arn}/${String(port).padStart(5, "0")}`)]);
    return { Listeners: [listenerOut(next)] };
  });
}

export async function deleteListener(deps: Elbv2Deps, input: DeleteListenerInput, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  return deps.lock(elbLock(region), async () => {
    const l = await listenerOf(deps, region, input.ListenerArn!);
    const ops: WriteOp[] = [deleteOp("elbv2-listener", l.arn)];
    for (const r of await listIn<RuleDoc>(deps, "elbv2-rule", region)) if (r.listenerArn === l.arn) ops.push(deleteOp("elbv2-rule", r.arn));
    await deps.store.write(ops);
    return {};
  });
}
