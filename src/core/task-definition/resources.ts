/**
 * Task-level CPU and memory as ECS reads them. RegisterTaskDefinition takes both as strings:
 * CPU in units ("256") or vCPUs ("1 vCPU", "0.25 vcpu"), memory in MiB ("512") or GB ("1GB",
 * "1 GB"). ECS stores and returns the normalised integer form ("1024"), so Wharf does too.
 */

/** Parses a task `cpu` string to CPU units; undefined when it is not a CPU value at all. */
export function parseTaskCpu(raw: string): number | undefined {
  const s = raw.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(\d+(?:\.\d+)?)\s*vcpu$/i.exec(s);
  if (m) {
    const units = Number(m[1]) * 1024;
    return Number.isInteger(units) ? units : undefined;
  }
  return undefined;
}

/** Parses a task `memory` string to MiB; undefined when it is not a memory value at all. */
export function parseTaskMemory(raw: string): number | undefined {
  const s = raw.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(\d+(?:\.\d+)?)\s*gb$/i.exec(s);
  if (m) {
    const mib = Number(m[1]) * 1024;
    return Number.isInteger(mib) ? mib : undefined;
  }
  return undefined;
}

/** EC2/EXTERNAL task-level CPU range (model docs: 128 units to 192 vCPUs). */
export const TASK_CPU_MIN = 128;
export const TASK_CPU_MAX = 196608;

const range = (from: number, to: number, step: number): number[] => {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
};

/** Fargate's CPU → allowed memory (MiB) table (AWS "Task size" documentation). */
export const FARGATE_SIZES: ReadonlyMap<number, ReadonlySet<number>> = new Map([
  [256, new Set([512, 1024, 2048])],
  [512, new Set(range(1024, 4096, 1024))],
  [1024, new Set(range(2048, 8192, 1024))],
  [2048, new Set(range(4096, 16384, 1024))],
  [4096, new Set(range(8192, 30720, 1024))],
  [8192, new Set(range(16384, 61440, 4096))],
  [16384, new Set(range(32768, 122880, 8192))],
]);

export const isFargateSize = (cpu: number, memory: number): boolean =>
  FARGATE_SIZES.get(cpu)?.has(memory) ?? false;
