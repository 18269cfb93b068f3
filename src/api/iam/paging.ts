import { markerPage } from "../../core/pagination.js";
import { invalidInput } from "./errors.js";

/**
 * IAM's Marker / MaxItems: the items (sorted by a stable key) after the marker's key, at most
 * MaxItems (default 100); `IsTruncated` and `Marker` when more remain.
 */
export function iamPage<T>(
  items: T[],
  keyOf: (item: T) => string,
  input: { Marker?: string; MaxItems?: number },
): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const p = markerPage(sorted, keyOf, input.Marker, input.MaxItems ?? 100, () => invalidInput("Invalid Marker."));
  return p.next === undefined ? { items: p.items, IsTruncated: false } : { items: p.items, IsTruncated: true, Marker: p.next };
}
