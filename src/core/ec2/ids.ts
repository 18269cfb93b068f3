/** EC2 resource ids: a type prefix and 17 lower-case hex digits (`vpc-0a1b2c3d4e5f60718`), from injected chance. */
export function ec2Id(prefix: string, random: () => number): string {
  let hex = "";
  for (let i = 0; i < 17; i++) hex += Math.floor(random() * 16).toString(16);
  return `${prefix}-${hex}`;
}

/** The resource type EC2 names in DescribeTags (and TagSpecifications) for an id's prefix. */
export const RESOURCE_TYPES: Readonly<Record<string, string>> = {
  vpc: "vpc",
  subnet: "subnet",
  sg: "security-group",
  sgr: "security-group-rule",
  igw: "internet-gateway",
  rtb: "route-table",
  acl: "network-acl",
  eni: "network-interface",
  dopt: "dhcp-options",
};

export function resourceTypeOf(id: string): string | undefined {
  const dash = id.indexOf("-");
  if (dash < 0) return undefined;
  return Object.hasOwn(RESOURCE_TYPES, id.slice(0, dash)) ? RESOURCE_TYPES[id.slice(0, dash)] : undefined;
}
