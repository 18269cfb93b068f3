import fc from "fast-check";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  distributeTasks,
  chaosDraw,
  chooseShare,
  ephemeralStorageGiB,
  resolvePlatformVersion,
  spreadOverSubnets,
  type StrategyItem,
  validateStrategy,
} from "../../src/core/fargate/index.js";

const tally = (names: string[], start: Record<string, number> = {}) => {
  const out = { ...start };
  for (const n of names) out[n] = (out[n] ?? 0) + 1;
  return out;
};

const strategyArb = fc
  .uniqueArray(
    fc.record({ capacityProvider: fc.constantFrom("A", "B", "C", "D"), weight: fc.integer({ min: 0, max: 10 }) }),
    { minLength: 1, maxLength: 4, selector: (s) => s.capacityProvider },
  )
  .filter((s) => s.some((i) => i.weight > 0))
  .chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), fc.integer({ min: 0, max: 5 })))
  .map(([s, at, base]) => s.map((i, k) => ({ ...i, base: k === at ? base : 0 })) as StrategyItem[]);

describe("capacity provider strategies (pure)", () => {
  it("FARGATE base=1 weight=1 + FARGATE_SPOT weight=3: 4 tasks are 1 + 3, 5 are 2 + 3, 9 are 3 + 6", () => {
    const s = [
      { capacityProvider: "FARGATE", base: 1, weight: 1 },
      { capacityProvider: "FARGATE_SPOT", weight: 3 },
    ];
    assert.deepEqual(tally(distributeTasks(s, 4)), { FARGATE: 1, FARGATE_SPOT: 3 });
    assert.deepEqual(tally(distributeTasks(s, 5)), { FARGATE: 2, FARGATE_SPOT: 3 });
    assert.deepEqual(tally(distributeTasks(s, 9)), { FARGATE: 3, FARGATE_SPOT: 6 });
    assert.deepEqual(distributeTasks(s, 1), ["FARGATE"], "the base comes first");
    // A service that lost its one FARGATE task gets a FARGATE task back.
    assert.deepEqual(distributeTasks(s, 1, { FARGATE_SPOT: 3 }), ["FARGATE"]);
  });

  // Beyond the base, tasks go by weight as D'Hondt's divisor method does: each next task to the
  // provider with the smallest (tasks beyond base + 1) / weight. It never gives a provider less
  // than the whole part of its share (its lower quota), and grows one task at a time.
  it("the base is filled first, then no provider gets less than the whole part of its weighted share", () => {
    fc.assert(
      fc.property(strategyArb, fc.integer({ min: 0, max: 60 }), (s, n) => {
        const counts = tally(distributeTasks(s, n));
        const base = s.find((i) => (i.base ?? 0) > 0);
        const baseTasks = Math.min(n, base?.base ?? 0);
        if (base) assert.ok((counts[base.capacityProvider] ?? 0) >= baseTasks);
        const rest = n - baseTasks;
        const total = s.reduce((t, i) => t + (i.weight ?? 0), 0);
        for (const i of s) {
          const beyond = (counts[i.capacityProvider] ?? 0) - (i === base ? baseTasks : 0);
          const share = (rest * (i.weight ?? 0)) / total;
          assert.ok(beyond >= Math.floor(share + 1e-9), `${i.capacityProvider}: ${beyond} vs ${share}`);
        }
        assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), n);
      }),
    );
  });

  it("scaling in steps gives the split scaling at once gives (services keep their distribution)", () => {
    fc.assert(
      fc.property(strategyArb, fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), (s, a, b) => {
        const first = distributeTasks(s, a);
        const then = distributeTasks(s, b, tally(first));
        assert.deepEqual(tally([...first, ...then]), tally(distributeTasks(s, a + b)));
      }),
    );
  });

  it("refuses strategies as ECS does", () => {
    assert.throws(() => validateStrategy([{ capacityProvider: "FARGATE", weight: 0 }]), /must have a weight greater than zero/);
    assert.throws(
      () => validateStrategy([{ capacityProvider: "FARGATE", base: 1, weight: 1 }, { capacityProvider: "FARGATE_SPOT", base: 1, weight: 1 }]),
      /Only one capacity provider/,
    );
    assert.throws(() => validateStrategy([{ capacityProvider: "FARGATE", weight: 1 }, { capacityProvider: "FARGATE", weight: 1 }]), /duplicate/);
  });
});

describe("Fargate platform rules (pure)", () => {
  it("platform versions: LATEST is 1.4.0; unknown ones do not exist", () => {
    assert.equal(resolvePlatformVersion(undefined), "1.4.0");
    assert.equal(resolvePlatformVersion("LATEST"), "1.4.0");
    assert.equal(resolvePlatformVersion("1.3.0"), "1.3.0");
    assert.throws(() => resolvePlatformVersion("1.2.0"), { name: "InvalidParameterException", message: "The specified platform version does not exist." });
  });

  it("ephemeral storage: 20 GiB by default, 21–200 when given", () => {
    assert.equal(ephemeralStorageGiB(undefined), 20);
    assert.equal(ephemeralStorageGiB(21), 21);
    assert.equal(ephemeralStorageGiB(200), 200);
    for (const bad of [0, 20, 201, 21.5]) assert.throws(() => ephemeralStorageGiB(bad), /between 21 and 200 GiB/);
  });

  it("tasks spread evenly over the subnets' zones", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 8, maxLength: 17 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 40 }), (ids, n) => {
        const subnets = ids.map((h) => `subnet-${h}`);
        // Each subnet in one of three zones, by the first digit of its id.
        const zoneOf = (s: string) => `us-east-1${"abc"[parseInt(s.slice(7, 8), 16) % 3]}`;
        const picked = spreadOverSubnets(zoneOf, subnets, n, {});
        const zones = tally(picked.map(zoneOf));
        const counts = Object.values(zones);
        const distinct = new Set(subnets.map(zoneOf)).size;
        if (n > 0) assert.ok(Math.max(...counts) - Math.min(...counts) <= 1);
        if (n >= distinct) assert.equal(counts.length, distinct);
        assert.ok(picked.every((s) => subnets.includes(s)));
      }),
    );
  });
});

describe("FARGATE_SPOT interruptions (pure)", () => {
  const task = (i: number, provider: string, lastStatus = "RUNNING") => ({
    taskArn: `t${i}`,
    capacityProviderName: provider,
    lastStatus,
    desiredStatus: lastStatus === "STOPPED" ? "STOPPED" : "RUNNING",
  });
  const tasks = [
    ...[0, 1, 2, 3].map((i) => task(i, "FARGATE_SPOT")),
    task(4, "FARGATE"),
    task(5, "FARGATE_SPOT", "STOPPED"),
  ];

  it("a share picks that many live Spot tasks (at least one), never on-demand or stopped ones", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), (share, seed) => {
        let x = seed >>> 0;
        const random = () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
        const picked = chooseShare(tasks, share, random);
        assert.equal(picked.length, share === 0 ? 0 : Math.max(1, Math.round(share * 4)));
        assert.equal(new Set(picked).size, picked.length);
        assert.ok(picked.every((a) => ["t0", "t1", "t2", "t3"].includes(a)));
      }),
    );
  });

  it("chaos draws each live Spot task with the Poisson probability of the rate", () => {
    assert.deepEqual(chaosDraw(tasks, 0, 5000, () => 0), []);
    assert.deepEqual(chaosDraw(tasks, 3600, 5000, () => 0), ["t0", "t1", "t2", "t3"]);
    // 36 per hour over 100 s: p = 1 - e^-1 ≈ 0.632.
    assert.deepEqual(chaosDraw(tasks, 36, 100_000, () => 0.63), ["t0", "t1", "t2", "t3"]);
    assert.deepEqual(chaosDraw(tasks, 36, 100_000, () => 0.64), []);
  });
});
