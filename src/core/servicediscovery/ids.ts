/**
 * Cloud Map's identifiers, from injected chance: namespaces `ns-` and services `srv-` followed by
 * 16 lower-case letters and digits (`ns-e4anhexample0004`), operations 32 of them, a dash and 8 more
 * (`gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd`), and the hosted zone of a DNS namespace `Z` and 13
 * upper-case letters and digits, Route 53's form.
 */
const LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function pick(alphabet: string, n: number, random: () => number): string {
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[Math.min(alphabet.length - 1, Math.floor(random() * alphabet.length))];
  return out;
}

export const namespaceId = (random: () => number): string => `ns-${pick(LOWER, 16, random)}`;
export const serviceId = (random: () => number): string => `srv-${pick(LOWER, 16, random)}`;
export const operationId = (random: () => number): string => `${pick(LOWER, 32, random)}-${pick(LOWER, 8, random)}`;
export const hostedZoneId = (random: () => number): string => `Z${pick(UPPER, 13, random)}`;

export const NAMESPACE_ID_RE = /^ns-[a-z0-9]{16}$/;
export const SERVICE_ID_RE = /^srv-[a-z0-9]{16}$/;
