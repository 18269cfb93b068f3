import { FARGATE_SIZES } from "../task-definition/index.js";

/** Compose's durations ("1m30s", "10s", "1h", "500ms", "2.5s"; a bare number is seconds) in seconds. */
export function composeDurationSec(text: string | number): number | undefined {
  if (typeof text === "number") return text;
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const unit = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, ns: 1e-9 }[m[2] as "h"];
    total += Number(m[1]) * unit;
    pos = re.lastIndex;
  }
  return pos === s.length && pos > 0 ? total : undefined;
}

/** Compose's byte sizes ("512m", "1g", "1.5GB", "1024k", "2048" bytes) in MiB, rounded up. */
export function composeSizeMiB(text: string | number): number | undefined {
  if (typeof text === "number") return Math.ceil(text / 2 ** 20);
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmg])?b?\s*$/i.exec(text);
  if (!m) return undefined;
  const factor = { b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[(m[2] ?? "b").toLowerCase() as "b"];
  return Math.ceil((Number(m[1]) * factor) / 2 ** 20);
}

/**
 * The smallest Fargate task size that holds `cpus` vCPUs and `memoryMiB` MiB (either may be
 * absent: 0.25 vCPU and 512 MiB are Fargate's smallest, and Docker's ECS integration's default).
 * Undefined when no Fargate size is that large (16 vCPU, 120 GiB).
 */
export function nearestFargateSize(cpus: number | undefined, memoryMiB: number | undefined): { cpu: number; memory: number } | undefined {
  const wantCpu = Math.ceil((cpus ?? 0) * 1024);
  const wantMem = memoryMiB ?? 0;
  let best: { cpu: number; memory: number } | undefined;
  for (const [cpu, mems] of FARGATE_SIZES) {
    if (cpu < wantCpu) continue;
    const memory = [...mems].sort((a, b) => a - b).find((m) => m >= wantMem);
    if (memory === undefined) continue;
    if (!best || memory < best.memory || (memory === best.memory && cpu < best.cpu)) best = { cpu, memory };
  }
  return best;
}

/**
 * Splits a command written as one string the way Compose does (shell words: quotes and
 * backslashes, no expansion) into its arguments.
 */
export function shellWords(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) cur += text[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === "\\" && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += c;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in '${text}'`);
  if (has || cur) out.push(cur);
  return out;
}
