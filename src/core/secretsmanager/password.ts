import { AwsError } from "../errors.js";

/** GetRandomPassword, pure over an injected uniform random source in [0, 1). */
export interface PasswordRequest {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
}

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

export function randomPassword(r: PasswordRequest, random: () => number): string {
  const length = r.PasswordLength ?? 32;
  const drop = new Set(r.ExcludeCharacters ?? "");
  const keep = (s: string) => [...s].filter((c) => !drop.has(c)).join("");
  const classes = [
    r.ExcludeLowercase ? "" : keep(LOWER),
    r.ExcludeUppercase ? "" : keep(UPPER),
    r.ExcludeNumbers ? "" : keep(DIGITS),
    r.ExcludePunctuation ? "" : keep(PUNCT),
    r.IncludeSpace ? keep(" ") : "",
  ].filter((c) => c !== "");
  const all = classes.join("");
  if (all === "") throw new AwsError("InvalidParameterException", "The password has no characters to choose from: every character class is excluded.");
  const each = r.RequireEachIncludedType ?? true;
  if (each && classes.length > length) throw new AwsError("InvalidParameterException", "The password length is too short to include a character of each required type.");
  const pick = (s: string) => s[Math.floor(random() * s.length)]!;
  const out = Array.from({ length }, () => pick(all));
  if (each) {
    // One of each class at distinct random places.
    const places = [...Array(length).keys()];
    for (const c of classes) {
      const i = places.splice(Math.floor(random() * places.length), 1)[0]!;
      out[i] = pick(c);
    }
  }
  return out.join("");
}
