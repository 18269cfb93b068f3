import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from "node:fs";
import { join } from "node:path";

/**
 * A 10.X.0.0/16 no other test Wharf on this machine holds right now, for its default VPC or a
 * test's own VPC: each subnet a task uses becomes a Docker network, and Docker refuses a block
 * that overlaps another network ("Pool overlaps"). Leases are files created exclusively in one
 * machine-wide directory (not TMPDIR: scripts/test.sh gives each run its own, and concurrent runs
 * share one Docker Engine), one per block, holding the owner's pid; a lease whose process is gone
 * is taken over. X runs over 64–199 (clear of Docker's own pools, 172.17–31 and 192.168).
 */
const DIR = process.env.WHARF_TEST_CIDR_LEASES ?? "/tmp/wharf-test-cidr-leases";
const FIRST = 64;
const COUNT = 136;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

export interface CidrLease {
  cidr: string;
  /** "10.X": the block's first two octets. */
  prefix: string;
  release(): void;
}

export function leaseCidr16(): CidrLease {
  mkdirSync(DIR, { recursive: true });
  const start = Math.floor(Math.random() * COUNT);
  for (let k = 0; k < COUNT; k++) {
    const x = FIRST + ((start + k) % COUNT);
    const file = join(DIR, `10.${x}`);
    try {
      const fd = openSync(file, "wx");
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
    } catch {
      const owner = Number(readFileSync(file, "utf8").trim() || "0");
      if (owner && alive(owner)) continue;
      // The owner is gone: take the lease over (a race with another taker is settled by who writes last).
      writeFileSync(file, String(process.pid));
      if (readFileSync(file, "utf8").trim() !== String(process.pid)) continue;
    }
    let released = false;
    return {
      cidr: `10.${x}.0.0/16`,
      prefix: `10.${x}`,
      release() {
        if (released) return;
        released = true;
        rmSync(file, { force: true });
      },
    };
  }
  throw new Error(`no free 10.x.0.0/16 among ${COUNT} test leases in ${DIR}`);
}
