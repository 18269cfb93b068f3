import { markerPage } from "../../core/pagination.js";
import { validationError } from "./errors.js";

/**
 * ELB's Marker / PageSize: the items (sorted by a stable key) after the marker's key, at most
 * PageSize of them (ELB's default page is 400); NextMarker only when more remain.
 */
export function elbPage<T>(items: T[], keyOf: (item: T) => string, input: { Marker?: string; PageSize?: number }): { items: T[]; NextMarker?: string } {
  const p = markerPage(items, keyOf, input.Marker, input.PageSize ?? 400, () => validationError("Invalid marker"));
  return p.next === undefined ? { items: p.items } : { items: p.items, NextMarker: p.next };
}
