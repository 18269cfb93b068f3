import { signSigV4 } from "../edge/sigv4.js";
import type { ApiCredentials } from "./wharf-client.js";

/**
 * Wharf's own client for the Query and EC2 protocols (ELBv2, EC2, IAM, STS): a form-encoded,
 * SigV4-signed POST of `Action`, `Version` and the flattened parameters, answered in XML. Plain
 * fetch and a small XML reader, no SDK, like WharfClient. The caller flattens its parameters
 * itself (`Subnets.member.1`, `Filter.1.Name`), as each protocol names them.
 */

/** An element of an XML answer: its name, attributes left out, children in order, text. */
export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

/** An error answer of a Query/EC2 service: its code (`ValidationError`, `InvalidGroup.NotFound`, …). */
export class QueryApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(`${code}: ${message}`);
    this.name = "QueryApiError";
  }
}

const VERSIONS: Record<string, string> = { elasticloadbalancing: "2015-12-01", ec2: "2016-11-15", iam: "2010-05-08", sts: "2011-06-15" };

export class QueryClient {
  private readonly url: URL;
  constructor(
    endpoint: string,
    private readonly credentials: ApiCredentials,
    private readonly region: string,
  ) {
    this.url = new URL(endpoint);
  }

  /** One call; resolves with the answer's root element. */
  async call(service: string, action: string, params: Record<string, string | number | boolean | undefined> = {}): Promise<XmlNode> {
    const form = new URLSearchParams({ Action: action, Version: VERSIONS[service] ?? "" });
    for (const [k, v] of Object.entries(params)) if (v !== undefined) form.append(k, String(v));
    const body = form.toString();
    const headers = signSigV4({
      method: "POST",
      url: "/",
      host: this.url.host,
      headers: {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        ...(this.credentials.sessionToken ? { "x-amz-security-token": this.credentials.sessionToken } : {}),
      },
      body,
      accessKeyId: this.credentials.accessKeyId,
      secretAccessKey: this.credentials.secretAccessKey,
      region: this.region,
      service,
    });
    delete headers.host;
    const res = await fetch(new URL("/", this.url), { method: "POST", headers, body });
    const text = await res.text();
    const root = parseXml(text);
    if (!res.ok) {
      const err = findFirst(root, "Error");
      throw new QueryApiError(childText(err, "Code") || `HTTP${res.status}`, childText(err, "Message") || text, res.status);
    }
    return root;
  }
}

/** A small XML reader for AWS answers: elements, text, entities; no attributes, comments or CDATA kept. */
export function parseXml(text: string): XmlNode {
  const root: XmlNode = { name: "#document", children: [], text: "" };
  const stack: XmlNode[] = [root];
  const re = /<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>|<\?[^>]*\?>|<!--[\s\S]*?-->|([^<]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const top = stack[stack.length - 1]!;
    if (m[4] !== undefined) {
      top.text += decode(m[4]);
    } else if (m[2]) {
      if (m[1]) {
        if (stack.length > 1) stack.pop();
      } else {
        const node: XmlNode = { name: m[2].replace(/^.*:/, ""), children: [], text: "" };
        top.children.push(node);
        if (!m[3]) stack.push(node);
      }
    }
  }
  for (const n of walk(root)) if (n.children.length) n.text = n.text.trim() === "" ? "" : n.text;
  return root;
}

function decode(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e === "lt" ? "<" : e === "gt" ? ">" : e === "amp" ? "&" : e === "quot" ? '"' : e === "apos" ? "'" : String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
  );
}

function* walk(n: XmlNode): Generator<XmlNode> {
  yield n;
  for (const c of n.children) yield* walk(c);
}

/** The first element named `name` at any depth. */
export function findFirst(n: XmlNode | undefined, name: string): XmlNode | undefined {
  if (!n) return undefined;
  for (const x of walk(n)) if (x.name === name && x !== n) return x;
  return undefined;
}

/** Every element named `name` at any depth. */
export function findAll(n: XmlNode | undefined, name: string): XmlNode[] {
  if (!n) return [];
  return [...walk(n)].filter((x) => x.name === name && x !== n);
}

/** The text of the direct child `name` ("" when absent). */
export function childText(n: XmlNode | undefined, name: string): string {
  return n?.children.find((c) => c.name === name)?.text.trim() ?? "";
}

/** The list items of the direct child `list` (`<member>` in Query, `<item>` in EC2). */
export function listItems(n: XmlNode | undefined, list: string): XmlNode[] {
  const l = n?.children.find((c) => c.name === list);
  return l ? l.children.filter((c) => c.name === "member" || c.name === "item") : [];
}
