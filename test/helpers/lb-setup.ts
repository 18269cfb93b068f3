import type { TestWharf } from "./harness.js";

/**
 * A load balancer as a user makes one with the `aws` CLI: an application load balancer over
 * two default subnets, an HTTP target group of the given type, and an HTTP listener forwarding
 * to it. Health-check and attribute flags are passed through.
 */
export interface LbSetup {
  loadBalancerArn: string;
  dnsName: string;
  /** The loopback address its listeners bind (DescribeLoadBalancers' LoadBalancerAddresses). */
  address: string;
  vpcId: string;
  targetGroupArn: string;
  listenerArn: string;
  listenerPort: number;
}

export async function defaultSubnets(h: TestWharf, n = 2): Promise<string[]> {
  const out = await h.aws("ec2", "describe-subnets", "--filters", "Name=default-for-az,Values=true");
  return out.Subnets.map((s: { SubnetId: string }) => s.SubnetId).slice(0, n);
}

export async function createTargetGroup(h: TestWharf, vpcId: string, name: string, type: "ip" | "instance", port: number, extra: string[] = []): Promise<string> {
  const out = await h.aws(
    "elbv2", "create-target-group", "--name", name, "--protocol", "HTTP", "--port", String(port), "--vpc-id", vpcId, "--target-type", type, ...extra,
  );
  return out.TargetGroups[0].TargetGroupArn;
}

export async function createLoadBalancer(
  h: TestWharf,
  name: string,
  o: { targetType: "ip" | "instance"; port: number; listenerPort?: number; healthCheck?: string[] },
): Promise<LbSetup> {
  const lb = (await h.aws("elbv2", "create-load-balancer", "--name", name, "--subnets", ...(await defaultSubnets(h)))).LoadBalancers[0];
  const targetGroupArn = await createTargetGroup(h, lb.VpcId, `${name}-tg`, o.targetType, o.port, o.healthCheck ?? []);
  const listenerPort = o.listenerPort ?? 80;
  const listener = (
    await h.aws("elbv2", "create-listener", "--load-balancer-arn", lb.LoadBalancerArn, "--protocol", "HTTP", "--port", String(listenerPort),
      "--default-actions", `Type=forward,TargetGroupArn=${targetGroupArn}`)
  ).Listeners[0];
  return {
    loadBalancerArn: lb.LoadBalancerArn,
    dnsName: lb.DNSName,
    address: lb.AvailabilityZones[0].LoadBalancerAddresses[0].IpAddress,
    vpcId: lb.VpcId,
    targetGroupArn,
    listenerArn: listener.ListenerArn,
    listenerPort,
  };
}

/** `describe-target-health` as "id:port=state" strings, sorted. */
export async function targetStates(h: TestWharf, targetGroupArn: string): Promise<{ id: string; port: number; state: string; reason?: string }[]> {
  const out = await h.aws("elbv2", "describe-target-health", "--target-group-arn", targetGroupArn);
  return out.TargetHealthDescriptions.map((d: { Target: { Id: string; Port: number }; TargetHealth: { State: string; Reason?: string } }) => ({
    id: d.Target.Id,
    port: d.Target.Port,
    state: d.TargetHealth.State,
    ...(d.TargetHealth.Reason ? { reason: d.TargetHealth.Reason } : {}),
  }));
}
