/**
 * Domain names between wire labels and presentation strings (RFC 1035 §3.1, §4.1.4, §5.1).
 * A printable label byte other than `.` and `\` stays as it is; the rest become `\DDD`.
 */
export const MAX_NAME_WIRE = 255;
export const MAX_LABEL = 63;

export class NameError extends Error {}

/** One label's bytes → its presentation text. */
export function labelText(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    if (b === 0x2e || b === 0x5c) out += "\\" + String.fromCharCode(b);
    else if (b > 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += "\\" + String(b).padStart(3, "0");
  }
  return out;
}

/** A presentation name → its labels' bytes (the root "" or "." has none). Throws NameError on a malformed name. */
export function nameLabels(name: string): Uint8Array[] {
  if (name === "" || name === ".") return [];
  const labels: Uint8Array[] = [];
  let cur: number[] = [];
  let total = 1;
  const end = name.endsWith(".") && !name.endsWith("\\.") ? name.length - 1 : name.length;
  for (let i = 0; i < end; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) {
      pushLabel();
      continue;
    }
    if (c === 0x5c) {
      const d = name.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(d)) {
        const v = Number(d);
        if (v > 255) throw new NameError(`bad escape \\${d} in ${name}`);
        cur.push(v);
        i += 3;
      } else if (i + 1 < name.length) {
        cur.push(name.charCodeAt(i + 1) & 0xff);
        i += 1;
      } else throw new NameError(`trailing backslash in ${name}`);
      continue;
    }
    if (c > 0xff) throw new NameError(`non-ASCII character in ${name}`);
    cur.push(c);
  }
  pushLabel();
  if (total > MAX_NAME_WIRE) throw new NameError(`name longer than ${MAX_NAME_WIRE} bytes: ${name}`);
  return labels;

  function pushLabel(): void {
    if (cur.length === 0) throw new NameError(`empty label in ${name}`);
    if (cur.length > MAX_LABEL) throw new NameError(`label longer than ${MAX_LABEL} bytes in ${name}`);
    labels.push(Uint8Array.from(cur));
    total += cur.length + 1;
    cur = [];
  }
}

/** The lowercase key of labels[from..] (compression matches case-insensitively, RFC 1035 §2.3.3). */
export function suffixKey(labels: Uint8Array[], from: number): string {
  let key = "";
  for (let i = from; i < labels.length; i++) {
    for (const b of labels[i]!) key += String.fromCharCode(b >= 0x41 && b <= 0x5a ? b + 32 : b);
    key += "\u0100";
  }
  return key;
}
