import type { KubeObject } from '../sources/source.js';

/** An age as Kubernetes shows one (apimachinery's HumanDuration): 45s, 3m20s, 2h10m, 5d, 2y30d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const pair = (big: number, unit: string, small: number, smallUnit: string) =>
    small === 0 ? `${big}${unit}` : `${big}${unit}${small}${smallUnit}`;
  if (minutes < 10) return pair(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return pair(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return pair(days, 'd', hours % 24, 'h');
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (days < 365 * 8) return pair(years, 'y', days % 365, 'd');
  return `${years}y`;
}

export interface Column {
  name: string;
  type: 'string' | 'integer';
  description: string;
}

/**
 * A meta.k8s.io/v1 Table, what `kubectl get` prints: the columns, then a row of cells for each object, carrying
 * the object's metadata as kubectl expects it.
 */
export function table(
  columns: Column[],
  rows: Array<{ cells: Array<string | number>; metadata: Record<string, unknown> }>,
  listMetadata: Record<string, unknown>,
): KubeObject {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMetadata,
    columnDefinitions: columns.map((column, index) => ({
      ...column,
      format: index === 0 ? 'name' : '',
      priority: 0,
    })),
    rows: rows.map(({ cells, metadata }) => ({
      cells,
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata },
    })),
  };
}
