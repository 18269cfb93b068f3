import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { DockerClient } from "../../src/agent/docker/client.js";
import { bridgeNameOf, listVpcBridges, NETWORK_LABELS } from "../../src/agent/network/docker-networks.js";

/** The firewall's view of the host's subnet networks: Wharf's networks with a VPC label, and their bridges. */

const net = (o: { id: string; name: string; subnet?: string; labels?: Record<string, string>; driver?: string; options?: Record<string, string> }) => ({
  Id: o.id,
  Name: o.name,
  Driver: o.driver ?? "bridge",
  IPAM: { Config: o.subnet ? [{ Subnet: o.subnet, Gateway: "x" }] : [] },
  Labels: o.labels ?? null,
  Containers: {},
  Options: o.options ?? {},
});
const wharf = (subnetId: string, vpcId?: string) => ({
  [NETWORK_LABELS.managed]: "true",
  [NETWORK_LABELS.subnetId]: subnetId,
  ...(vpcId ? { [NETWORK_LABELS.vpcId]: vpcId } : {}),
});

describe("listVpcBridges", () => {
  let server: Server;
  let query = "";
  before(async () => {
    const networks = [
      net({ id: "a".repeat(64), name: "wharf-subnet-a", subnet: "10.9.1.0/24", labels: wharf("subnet-a", "vpc-1") }),
      net({ id: "b".repeat(64), name: "wharf-subnet-b", subnet: "10.9.2.0/24", labels: wharf("subnet-b", "vpc-1"), options: { "com.docker.network.bridge.name": "wsn-b" } }),
      net({ id: "c".repeat(64), name: "wharf-subnet-c", subnet: "10.9.3.0/24", labels: wharf("subnet-c") }),
      net({ id: "d".repeat(64), name: "someone-else", subnet: "10.9.4.0/24", labels: wharf("subnet-d", "vpc-1") }),
      net({ id: "e".repeat(64), name: "wharf-subnet-e", subnet: "10.9.5.0/24", labels: wharf("subnet-e", "vpc-1"), driver: "macvlan" }),
    ];
    server = createServer((req, res) => {
      query = decodeURIComponent(req.url ?? "");
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(networks));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it("lists Wharf's bridge networks that carry their VPC, with Docker's bridge names", async () => {
    const docker = new DockerClient(`tcp://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const out = await listVpcBridges(docker);
    assert.ok(query.includes(`"label":["${NETWORK_LABELS.managed}=true"]`), query);
    assert.deepEqual(out, [
      { vpcId: "vpc-1", subnetId: "subnet-a", cidrBlock: "10.9.1.0/24", bridge: "br-aaaaaaaaaaaa" },
      { vpcId: "vpc-1", subnetId: "subnet-b", cidrBlock: "10.9.2.0/24", bridge: "wsn-b" },
    ]);
  });

  it("bridgeNameOf: the configured name, else br- and 12 characters of the id", () => {
    assert.equal(bridgeNameOf({ Id: "0123456789abcdef", Options: null }), "br-0123456789ab");
    assert.equal(bridgeNameOf({ Id: "0123456789abcdef", Options: { "com.docker.network.bridge.name": "docker0" } }), "docker0");
  });
});
