import type { SecretDoc } from "./secrets.js";

/**
 * ListSecrets' filters, pure (API reference, Filter): name, tag-key, tag-value, primary-region and
 * owning-service are case-sensitive prefix matches; description is a prefix match ignoring case;
 * `all` breaks the value into words and looks for each (ignoring case) in the name, the
 * description and the tags. A value starting with `!` negates. Several values of one filter are
 * alternatives; several filters must all hold.
 */
export interface SecretFilter {
  Key?: string;
  Values?: string[];
}

/** The words of a search string: split at case changes, letter/digit changes and punctuation. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/([A-Za-z])(\d)/g, "$1 $2")
    .replace(/(\d)([A-Za-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

function matches(d: SecretDoc, key: string, value: string): boolean {
  switch (key) {
    case "name":
      return d.name.startsWith(value);
    case "description":
      return (d.description ?? "").toLowerCase().startsWith(value.toLowerCase());
    case "tag-key":
      return d.tags.some((t) => t.Key.startsWith(value));
    case "tag-value":
      return d.tags.some((t) => t.Value.startsWith(value));
    case "primary-region":
      return false; // no secret of Wharf is replicated
    case "owning-service":
      return false; // no AWS service manages Wharf's secrets
    case "all": {
      const have = [d.name, d.description ?? "", ...d.tags.flatMap((t) => [t.Key, t.Value])].flatMap(words);
      return words(value).every((w) => have.some((h) => h.startsWith(w)));
    }
    default:
      return false;
  }
}

export function secretPasses(d: SecretDoc, filters: SecretFilter[]): boolean {
  return filters.every((f) => {
    const values = f.Values ?? [];
    const positive = values.filter((v) => !v.startsWith("!"));
    const negative = values.filter((v) => v.startsWith("!")).map((v) => v.slice(1));
    if (negative.some((v) => matches(d, f.Key ?? "", v))) return false;
    return positive.length === 0 ? negative.length > 0 : positive.some((v) => matches(d, f.Key ?? "", v));
  });
}
