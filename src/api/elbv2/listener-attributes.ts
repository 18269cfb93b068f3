import type {
  DescribeCapacityReservationInput,
  DescribeCapacityReservationOutput,
  DescribeListenerAttributesInput,
  DescribeListenerAttributesOutput,
  ModifyListenerAttributesInput,
  ModifyListenerAttributesOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { attributeList } from "../../core/lb/attributes.js";
import type { RequestContext } from "../../edge/service.js";
import { elbLock, type Elbv2Deps, putOp } from "./deps.js";
import type { ListenerDoc } from "./docs.js";
import { validationError } from "./errors.js";
import { listenerOf } from "./listeners.js";
import { loadBalancerOf } from "./load-balancers.js";

/** A listener's attributes as ELB describes them before any change (stored and described; Wharf's data plane does not act on them). */
export function defaultListenerAttributes(protocol: string): Record<string, string> {
  return protocol === "TCP" ? { "tcp.idle_timeout.seconds": "350" } : { "routing.http.response.server.enabled": "true" };
}

const attributesOf = (l: ListenerDoc) => ({ ...defaultListenerAttributes(l.protocol), ...(l.attributes ?? {}) });

/** HTTP listeners take the `routing.http.request.*` / `routing.http.response.*` header settings; TCP ones their idle timeout. */
function checkKey(l: ListenerDoc, key: string, value: string): void {
  if (l.protocol === "TCP") {
    if (key !== "tcp.idle_timeout.seconds") throw validationError(`Listener attribute key '${key}' is not recognized`);
    if (!/^\d+$/.test(value) || Number(value) < 60 || Number(value) > 6000) throw validationError(`Value '${value}' for attribute '${key}' must be an integer between 60 and 6000`);
    return;
  }
  if (!/^routing\.http\.(request|response)\.[a-z0-9_.]+$/.test(key)) throw validationError(`Listener attribute key '${key}' is not recognized`);
}

export async function describeListenerAttributes(deps: Elbv2Deps, input: DescribeListenerAttributesInput, ctx: RequestContext): Promise<DescribeListenerAttributesOutput> {
  const l = await listenerOf(deps, ctx.principal.region, input.ListenerArn!);
  return { Attributes: attributeList(attributesOf(l)) };
}

export async function modifyListenerAttributes(deps: Elbv2Deps, input: ModifyListenerAttributesInput, ctx: RequestContext): Promise<ModifyListenerAttributesOutput> {
  const region = ctx.principal.region;
  return deps.lock(elbLock(region), async () => {
    const l = await listenerOf(deps, region, input.ListenerArn!);
    const attributes = { ...(l.attributes ?? {}) };
    for (const a of input.Attributes ?? []) {
      checkKey(l, a.Key ?? "", a.Value ?? "");
      attributes[a.Key!] = a.Value ?? "";
    }
    const next = { ...l, attributes };
    await deps.store.write([putOp("elbv2-listener", region, l.arn, next, `${l.loadBalancerArn}/${String(l.port).padStart(5, "0")}`)]);
    return { Attributes: attributeList(attributesOf(next)) };
  });
}

/** No capacity is reserved on Wharf: the load balancer's capacity is the machine's. */
export async function describeCapacityReservation(deps: Elbv2Deps, input: DescribeCapacityReservationInput, ctx: RequestContext): Promise<DescribeCapacityReservationOutput> {
  await loadBalancerOf(deps, ctx.principal.region, input.LoadBalancerArn!);
  return { CapacityReservationState: [] };
}
