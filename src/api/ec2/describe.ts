import type { AwsError } from "../../core/errors.js";
import { applyFilters, type Ec2Filter, type FilterTable } from "../../core/ec2/filters.js";
import type { Tag } from "./docs.js";
import { ec2Page } from "./paging.js";

/**
 * The shape every Describe* of a resource shares: the Region's records, narrowed to the ids asked
 * for (any id that does not exist is refused with the resource's NotFound error), then by the
 * filters, sorted by id and cut into a page.
 */
export function describe<T extends { tags: Tag[] }>(
  all: T[],
  idOf: (item: T) => string,
  input: { ids?: string[]; idsParam: string; Filters?: Ec2Filter[]; MaxResults?: number; NextToken?: string },
  table: FilterTable<T>,
  notFound: (ids: string[]) => AwsError,
): { items: T[]; NextToken?: string } {
  let items = [...all].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  const ids = input.ids ?? [];
  if (ids.length > 0) {
    const known = new Set(items.map(idOf));
    const missing = [...new Set(ids)].filter((id) => !known.has(id));
    if (missing.length > 0) throw notFound(missing);
    const wanted = new Set(ids);
    items = items.filter((x) => wanted.has(idOf(x)));
  }
  items = applyFilters(items, input.Filters, table, (x) => x.tags);
  return ec2Page(items, idOf, input, { name: input.idsParam, given: ids.length > 0 });
}
