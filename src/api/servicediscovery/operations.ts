import type { GetOperationRequest, ListOperationsRequest, Operation } from "@aws-sdk/client-servicediscovery";
import type { Principal } from "../../core/arn.js";
import { operationNotFound } from "../../core/servicediscovery/errors.js";
import { operationId } from "../../core/servicediscovery/ids.js";
import { filterMatches, operationStatus } from "../../core/servicediscovery/rules.js";
import { epochSeconds } from "../../core/time.js";
import type { RequestContext } from "../../edge/service.js";
import { OPERATION_SETTLE_MS, rand, type SdDeps } from "./deps.js";
import type { OperationDoc, OperationType } from "./docs.js";
import { pageOf } from "./paging.js";

/** A new operation record (the caller writes it with the change it stands for). */
export function newOperation(deps: SdDeps, p: Principal, type: OperationType, targets: OperationDoc["targets"], extra: Partial<OperationDoc> = {}): OperationDoc {
  return { id: operationId(rand(deps)), region: p.region, accountId: p.accountId, type, createdMs: deps.clock.now(), targets, ...extra };
}

/** GetOperation's view: SUBMITTED, then SUCCESS once the settle time has passed on the injected clock. */
export function renderOperation(deps: SdDeps, op: OperationDoc): Operation {
  const { status, updatedMs } = operationStatus(op.createdMs, deps.clock.now(), deps.operationSettleMs ?? OPERATION_SETTLE_MS);
  return {
    Id: op.id,
    OwnerAccount: op.accountId,
    Type: op.type,
    Status: status,
    CreateDate: epochSeconds(op.createdMs) as unknown as Date,
    UpdateDate: epochSeconds(updatedMs) as unknown as Date,
    Targets: op.targets,
  };
}

export async function getOperation(deps: SdDeps, input: GetOperationRequest, ctx: RequestContext) {
  const op = (await deps.store.get<OperationDoc>("sd-operation", input.OperationId!))?.value;
  if (!op || op.region !== ctx.principal.region || op.accountId !== ctx.principal.accountId) throw operationNotFound(input.OperationId!);
  return { Operation: renderOperation(deps, op) };
}

export async function listOperations(deps: SdDeps, input: ListOperationsRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const all = (await deps.store.list<OperationDoc>("sd-operation", { scope: p.region })).map((r) => r.value).filter((o) => o.accountId === p.accountId);
  const rendered = all.map((o) => ({ doc: o, view: renderOperation(deps, o) }));
  const kept = rendered.filter(({ doc, view }) =>
    (input.Filters ?? []).every((f) => {
      const filter = { Name: f.Name!, Values: f.Values ?? [], ...(f.Condition ? { Condition: f.Condition } : {}) };
      switch (f.Name) {
        case "NAMESPACE_ID":
          return filterMatches(filter, doc.targets.NAMESPACE, ["EQ"]);
        case "SERVICE_ID":
          return filterMatches(filter, doc.targets.SERVICE, ["EQ"]);
        case "STATUS":
          return filterMatches(filter, view.Status, ["EQ", "IN"]);
        case "TYPE":
          return filterMatches(filter, doc.type, ["EQ", "IN"]);
        default: {
          // UPDATE_DATE: BETWEEN two epoch-second bounds.
          const at = Number(view.UpdateDate);
          if ((f.Condition ?? "EQ") !== "BETWEEN" || (f.Values ?? []).length !== 2) return filterMatches(filter, undefined, ["BETWEEN"]);
          const [from, to] = (f.Values ?? []).map(Number);
          return at >= from! && at <= to!;
        }
      }
    }),
  );
  const { items, nextToken } = pageOf(kept, input.MaxResults, input.NextToken, ({ doc }) => `${String(doc.createdMs).padStart(15, "0")}|${doc.id}`);
  return { Operations: items.map(({ view }) => ({ Id: view.Id, Status: view.Status })), ...(nextToken ? { NextToken: nextToken } : {}) };
}
