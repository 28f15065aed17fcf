import { Problem } from '../../common/problem.js';
import type { CatalogQuery } from '../sources/source.js';

const fieldRequirement = /^([a-z.]+)\s*(==|=|!=)\s*(.*)$/;

/**
 * A field selector over the fields a log directory knows (`metadata.name`, `metadata.namespace`), as the API
 * parses one; another field is refused as the API refuses it.
 */
export function fieldFilter(selector: string | undefined, kind: string): (fields: Record<string, string>) => boolean {
  if (!selector) return () => true;
  const requirements = selector.split(',').map((part) => {
    const match = fieldRequirement.exec(part.trim());
    if (!match) throw new Problem('badRequest', { detail: `invalid field selector: ${part}` });
    const [, field = '', operator, value = ''] = match;
    if (field !== 'metadata.name' && field !== 'metadata.namespace') {
      throw new Problem('badRequest', {
        detail: `"${field}" is not a known field selector for ${kind}: only "metadata.name", "metadata.namespace"`,
      });
    }
    return { field, equal: operator !== '!=', value };
  });
  return (fields) => requirements.every(({ field, equal, value }) => (fields[field] === value) === equal);
}

/** A log directory has no labels: a selector on them is refused, never answered with everything. */
export function refuseLabels(query: CatalogQuery): void {
  if (query.labelSelector) {
    throw new Problem('badRequest', {
      detail: 'a labelSelector cannot be honoured: logs read from a log directory have no labels',
    });
  }
}

/** One page of `items` (in name order) after the `continue` token, and the token of the next page, if any. */
export function page<T extends { name: string }>(items: T[], query: CatalogQuery): { shown: T[]; next?: string } {
  const after = query.continue ? Buffer.from(query.continue, 'base64url').toString('utf8') : undefined;
  const rest = after === undefined ? items : items.filter((item) => item.name > after);
  if (!query.limit || rest.length <= query.limit) return { shown: rest };
  const shown = rest.slice(0, query.limit);
  return { shown, next: Buffer.from(shown.at(-1)!.name).toString('base64url') };
}
