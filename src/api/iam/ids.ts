import { randomBytes, randomInt } from "node:crypto";

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

const chars = (n: number): string => Array.from({ length: n }, () => UPPER[randomInt(UPPER.length)]).join("");

/** IAM's unique ids and key ids: a four-letter prefix (AIDA user, AROA role, AGPA group, ANPA policy, AIPA instance profile, AKIA key, ASIA temporary key) and upper-case base32. */
export const iamId = (prefix: "AIDA" | "AROA" | "AGPA" | "ANPA" | "AIPA"): string => prefix + chars(17);
export const accessKeyId = (prefix: "AKIA" | "ASIA"): string => prefix + chars(16);
/** A 40-character secret access key, as IAM hands them out. */
export const secretAccessKey = (): string => randomBytes(30).toString("base64").replace(/\+/g, "x").replace(/\//g, "Z");
/** A session token: opaque to clients, recognised by Wharf by matching the session's own (sealed) token. */
export const sessionToken = (): string => `IQoJd2hhcmYQ${randomBytes(180).toString("base64")}`;
