import type {
  AccountAttribute,
  AvailabilityZone,
  DescribeAccountAttributesRequest,
  DescribeAccountAttributesResult,
  DescribeAvailabilityZonesRequest,
  DescribeAvailabilityZonesResult,
  DescribeRegionsRequest,
  DescribeRegionsResult,
  Region,
} from "@aws-sdk/client-ec2";
import { applyFilters, type FilterTable } from "../../core/ec2/filters.js";
import { regionNames, type Zone, zonesOf } from "../../core/ec2/zones.js";
import type { RequestContext } from "../../edge/service.js";
import type { Ec2Deps } from "./deps.js";
import { invalidValue } from "./errors.js";
import { regionDefaults } from "./network-defaults.js";

const endpoint = (region: string) => `ec2.${region}.amazonaws.com`;

const REGION_FILTERS: FilterTable<string> = {
  endpoint: (r) => endpoint(r),
  "opt-in-status": () => "opt-in-not-required",
  "region-name": (r) => r,
};

export async function describeRegions(_deps: Ec2Deps, input: DescribeRegionsRequest, ctx: RequestContext): Promise<DescribeRegionsResult> {
  let names = regionNames();
  if (!names.includes(ctx.principal.region)) names = [...names, ctx.principal.region].sort();
  if (input.RegionNames?.length) {
    const unknown = input.RegionNames.find((n) => !names.includes(n));
    if (unknown !== undefined) throw invalidValue(`Invalid region: ${unknown}`);
    names = names.filter((n) => input.RegionNames!.includes(n));
  }
  const regions: Region[] = applyFilters(names, input.Filters, REGION_FILTERS).map((r) => ({
    Endpoint: endpoint(r),
    RegionName: r,
    OptInStatus: "opt-in-not-required",
  }));
  return { Regions: regions };
}

const zoneOut = (z: Zone): AvailabilityZone => ({
  OptInStatus: "opt-in-not-required",
  Messages: [],
  RegionName: z.regionName,
  ZoneName: z.zoneName,
  ZoneId: z.zoneId,
  GroupName: z.regionName,
  NetworkBorderGroup: z.regionName,
  ZoneType: "availability-zone",
  GroupLongName: z.regionName,
  State: "available",
});

const ZONE_FILTERS: FilterTable<Zone> = {
  "group-name": (z) => z.regionName,
  "group-long-name": (z) => z.regionName,
  "message": () => [],
  "network-border-group": (z) => z.regionName,
  "opt-in-status": () => "opt-in-not-required",
  "region-name": (z) => z.regionName,
  state: () => "available",
  "zone-id": (z) => z.zoneId,
  "zone-name": (z) => z.zoneName,
  "zone-type": () => "availability-zone",
};

export async function describeAvailabilityZones(
  _deps: Ec2Deps,
  input: DescribeAvailabilityZonesRequest,
  ctx: RequestContext,
): Promise<DescribeAvailabilityZonesResult> {
  let zones = zonesOf(ctx.principal.region);
  const byName = input.ZoneNames ?? [];
  const byId = input.ZoneIds ?? [];
  for (const n of byName) if (!zones.some((z) => z.zoneName === n)) throw invalidValue(`The zone '${n}' does not exist.`);
  for (const n of byId) if (!zones.some((z) => z.zoneId === n)) throw invalidValue(`The zone ID '${n}' does not exist.`);
  if (byName.length || byId.length) zones = zones.filter((z) => byName.includes(z.zoneName) || byId.includes(z.zoneId));
  return { AvailabilityZones: applyFilters(zones, input.Filters, ZONE_FILTERS).map(zoneOut) };
}

export async function describeAccountAttributes(
  deps: Ec2Deps,
  input: DescribeAccountAttributesRequest,
  ctx: RequestContext,
): Promise<DescribeAccountAttributesResult> {
  const { defaultVpcId } = await regionDefaults(deps, ctx.principal);
  const vpc = await deps.store.get("ec2-vpc", defaultVpcId);
  const all: Record<string, string[]> = {
    "supported-platforms": ["VPC"],
    "default-vpc": [vpc ? defaultVpcId : "none"],
    "max-instances": ["20"],
    "vpc-max-security-groups-per-interface": ["5"],
    "max-elastic-ips": ["5"],
    "vpc-max-elastic-ips": ["5"],
  };
  const wanted = input.AttributeNames?.length ? input.AttributeNames : Object.keys(all);
  const out: AccountAttribute[] = wanted
    .filter((n) => Object.hasOwn(all, n))
    .map((n) => ({ AttributeName: n, AttributeValues: all[n]!.map((v) => ({ AttributeValue: v })) }));
  return { AccountAttributes: out };
}
