/**
 * Regions and availability zones as a new AWS account sees them: the commercial Regions, each
 * with its zones (`us-east-1a` … with zone ids `use1-az1` …). Wharf runs every zone on the same
 * machines; the names exist so that subnets, the default VPC and Terraform's
 * `data.aws_availability_zones` look as they do in AWS.
 */
export const REGION_ZONES: Readonly<Record<string, number>> = {
  "us-east-1": 6,
  "us-east-2": 3,
  "us-west-1": 2,
  "us-west-2": 4,
  "ca-central-1": 3,
  "eu-west-1": 3,
  "eu-west-2": 3,
  "eu-west-3": 3,
  "eu-central-1": 3,
  "eu-north-1": 3,
  "ap-northeast-1": 3,
  "ap-northeast-2": 4,
  "ap-northeast-3": 3,
  "ap-southeast-1": 3,
  "ap-southeast-2": 3,
  "ap-south-1": 3,
  "sa-east-1": 3,
};

/** Zones of a Region Wharf has no table for. */
export const DEFAULT_ZONE_COUNT = 3;

const DIRECTIONS: Readonly<Record<string, string>> = {
  north: "n",
  south: "s",
  east: "e",
  west: "w",
  central: "c",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
};

/** `us-east-1` → `use1`, `ap-southeast-2` → `apse2` (the prefix of AWS's zone ids). */
export function regionShortName(region: string): string {
  const [area = "", dir = "", num = ""] = region.split("-");
  return `${area}${DIRECTIONS[dir] ?? dir.slice(0, 1)}${num}`;
}

export interface Zone {
  zoneName: string;
  zoneId: string;
  regionName: string;
}

export function zonesOf(region: string): Zone[] {
  const n = REGION_ZONES[region] ?? DEFAULT_ZONE_COUNT;
  return Array.from({ length: n }, (_, i) => ({
    zoneName: `${region}${String.fromCharCode(97 + i)}`,
    zoneId: `${regionShortName(region)}-az${i + 1}`,
    regionName: region,
  }));
}

/** The Regions DescribeRegions lists (every one enabled: Wharf has no opt-in Regions). */
export const regionNames = (): string[] => Object.keys(REGION_ZONES).sort();
