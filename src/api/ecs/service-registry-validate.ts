import type { ServiceRegistry } from "@aws-sdk/client-ecs";
import type { Principal } from "../../core/arn.js";
import { invalidParameter } from "../../core/errors.js";
import type { TaskDefinitionDoc } from "../../core/task-definition/index.js";
import { serviceForRegistry } from "../servicediscovery/instances.js";
import type { EcsDeps } from "./deps.js";

/**
 * CreateService/UpdateService checks of `serviceRegistries` against Cloud Map, as ECS makes
 * them (InvalidParameterException): the registry (a Cloud Map service) exists; a registry with
 * an SRV record needs `port` (awsvpc) or `containerName` + `containerPort` — the latter always
 * with the bridge and host network modes, where SRV is the only record type ECS supports; a
 * registry without SRV takes neither; `port` and the container pair are never both given. The
 * shape checks (one registry, the container and its port in the task definition) are
 * service-validate.ts's `validateServiceRegistries`.
 */
export async function checkServiceRegistries(deps: EcsDeps, p: Principal, regs: readonly ServiceRegistry[], td: TaskDefinitionDoc | undefined): Promise<void> {
  for (const r of regs) {
    const m = /:service\/(srv-[a-z0-9]+)$/.exec(r.registryArn ?? "");
    const regionOf = (r.registryArn ?? "").split(":")[3] ?? p.region;
    const accountOf = (r.registryArn ?? "").split(":")[4] ?? p.accountId;
    const service = m ? await serviceForRegistry(deps, { region: regionOf, accountId: accountOf }, m[1]!) : undefined;
    if (!service || regionOf !== p.region || accountOf !== p.accountId) {
      throw invalidParameter(`The service discovery registry ${r.registryArn} does not exist.`);
    }
    const types = new Set((service.dnsConfig?.DnsRecords ?? []).map((x) => x.Type));
    const container = r.containerName !== undefined || r.containerPort !== undefined;
    if (r.port !== undefined && container) {
      throw invalidParameter("Specify a value for either 'port' or the 'containerName' and 'containerPort' combination, but not both.");
    }
    if ((r.containerName === undefined) !== (r.containerPort === undefined)) {
      throw invalidParameter("The values specified for serviceRegistries must include both 'containerName' and 'containerPort', or neither.");
    }
    const mode = td?.networkMode ?? "bridge";
    if (!types.has("SRV")) {
      if (r.port !== undefined) throw invalidParameter("The values specified for serviceRegistries do not require a value for 'port'. Remove the value and retry.");
      if (r.containerPort !== undefined) throw invalidParameter("The values specified for serviceRegistries do not require a value for 'containerPort'. Remove the value and retry.");
      if (td && mode !== "awsvpc" && types.size > 0) {
        throw invalidParameter(`The service discovery registry ${r.registryArn} has no SRV record: tasks using the '${mode}' network mode can register only with SRV records.`);
      }
      continue;
    }
    if (mode !== "awsvpc" && !container) {
      throw invalidParameter("When specifying 'host' or 'bridge' for networkMode, values for 'containerName' and 'containerPort' must be specified from the task definition.");
    }
    if (mode === "awsvpc" && r.port === undefined && !container) {
      throw invalidParameter(`The service discovery registry ${r.registryArn} has an SRV record: specify 'port', or 'containerName' and 'containerPort'.`);
    }
  }
}
