/**
 * Compose's variable interpolation and env files, pure: the variables come in as a map (the
 * CLI merges the process environment over the project's `.env`).
 */

/**
 * Replaces `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`,
 * `${VAR:+alt}`, `${VAR+alt}` in every string of `value` (keys too are left as they are), and
 * `$$` by `$`, as the Compose Specification says. Throws on a required variable that is unset.
 */
export function interpolate(value: unknown, vars: Readonly<Record<string, string>>, path = ""): unknown {
  if (typeof value === "string") return interpolateString(value, vars, path);
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, vars, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars, path ? `${path}.${k}` : k)]));
  }
  return value;
}

const NAME = "[A-Za-z_][A-Za-z0-9_]*";

export function interpolateString(text: string, vars: Readonly<Record<string, string>>, where = ""): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== "$") {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === "$") {
      out += "$";
      i += 2;
      continue;
    }
    if (next === "{") {
      const end = closingBrace(text, i + 2);
      if (end < 0) throw new Error(`${where ? `${where}: ` : ""}invalid interpolation format in '${text}': no closing '}'`);
      out += expand(text.slice(i + 2, end), vars, where, text);
      i = end + 1;
      continue;
    }
    const m = new RegExp(`^${NAME}`).exec(text.slice(i + 1));
    if (m) {
      out += vars[m[0]] ?? "";
      i += 1 + m[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === "{") depth++;
    else if (text[j] === "}" && --depth === 0) return j;
  }
  return -1;
}

function expand(body: string, vars: Readonly<Record<string, string>>, where: string, whole: string): string {
  const m = new RegExp(`^(${NAME})(?:(:?[-?+])(.*))?$`, "s").exec(body);
  if (!m) throw new Error(`${where ? `${where}: ` : ""}invalid interpolation format in '${whole}': '\${${body}}'`);
  const [, name, op, arg = ""] = m;
  const v = vars[name!];
  const unsetOrEmpty = v === undefined || v === "";
  switch (op) {
    case undefined:
      return v ?? "";
    case ":-":
      return unsetOrEmpty ? interpolateString(arg, vars, where) : v!;
    case "-":
      return v === undefined ? interpolateString(arg, vars, where) : v;
    case ":?":
    case "?":
      if (op === ":?" ? unsetOrEmpty : v === undefined) {
        throw new Error(`${where ? `${where}: ` : ""}required variable ${name} is missing a value${arg ? `: ${interpolateString(arg, vars, where)}` : ""}`);
      }
      return v!;
    case ":+":
      return unsetOrEmpty ? "" : interpolateString(arg, vars, where);
    case "+":
      return v === undefined ? "" : interpolateString(arg, vars, where);
    default:
      return v ?? "";
  }
}

/**
 * An env file's variables (Compose's format): `NAME=value` lines, `#` comments, blank lines,
 * optional `export `, single-quoted values taken literally, double-quoted ones with `\n` escapes,
 * unquoted ones trimmed and cut at ` #`. A line with a name only (`NAME`) is left out.
 */
export function parseEnvFile(text: string, file = "env file"): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/^\s*export\s+/, "");
    if (!line.trim() || line.trim().startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) {
      if (!new RegExp(`^\\s*${NAME}\\s*$`).test(line)) throw new Error(`${file} line ${n + 1}: expected NAME=VALUE, got '${line}'`);
      continue;
    }
    const name = line.slice(0, eq).trim();
    if (!new RegExp(`^${NAME}$`).test(name) && !/^[^\s=]+$/.test(name)) throw new Error(`${file} line ${n + 1}: '${name}' is not a variable name`);
    let value = line.slice(eq + 1).trimStart();
    if (value.startsWith("'")) {
      const end = value.indexOf("'", 1);
      value = end > 0 ? value.slice(1, end) : value.slice(1);
    } else if (value.startsWith('"')) {
      let v = "";
      let i = 1;
      for (; i < value.length && value[i] !== '"'; i++) {
        if (value[i] === "\\" && i + 1 < value.length) {
          const e = value[++i]!;
          v += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e;
        } else v += value[i];
      }
      value = v;
    } else {
      const hash = value.search(/\s#/);
      value = (hash >= 0 ? value.slice(0, hash) : value).trim();
    }
    out[name] = value;
  }
  return out;
}
