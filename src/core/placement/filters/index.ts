import type { PlacementRequest } from "../types.js";
import { attributesFilter } from "./attributes.js";
import { distinctInstanceFilter } from "./distinct-instance.js";
import type { Filter } from "./filter.js";
import { memberOfFilter } from "./member-of.js";
import { portsFilter } from "./ports.js";
import { cpuFilter, eniFilter, gpuFilter, memoryFilter } from "./resources.js";
import { agentFilter, statusFilter } from "./status.js";

export type { Filter } from "./filter.js";
export { STATUS_REASON } from "./status.js";

/**
 * The request's filters in the order reasons are reported: status, agent, attributes, then
 * resources (CPU, memory, ports, GPU, ENI), then placement constraints. Filters that cannot
 * reject anything (no ports asked, no GPU asked) are left out.
 */
export function buildFilters(req: PlacementRequest): Filter[] {
  const t = req.task;
  const filters: Filter[] = [statusFilter, agentFilter];
  if (req.requiresAttributes?.length) filters.push(attributesFilter(req.requiresAttributes));
  filters.push(cpuFilter(t), memoryFilter(t));
  if (t.ports?.length || t.portsUdp?.length) filters.push(portsFilter(t));
  if ((t.gpus ?? 0) > 0) filters.push(gpuFilter(t));
  if (t.eni) filters.push(eniFilter);
  for (const c of req.constraints ?? []) {
    if (c.type === "distinctInstance") filters.push(distinctInstanceFilter(req.group));
    else if (c.type === "memberOf") filters.push(memberOfFilter(c.expression ?? ""));
  }
  return filters;
}
