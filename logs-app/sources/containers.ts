import { Problem } from '../../common/problem.js';
import type { LogQuery } from './source.js';

/** The container a query names, or the pod's only one; Kubernetes' own errors and wording otherwise. */
export function chooseContainer(containers: readonly string[], query: Pick<LogQuery, 'pod' | 'container'>): string {
  if (query.container === undefined) {
    if (containers.length === 1) return containers[0]!;
    throw new Problem('containerRequired', {
      detail: `a container name must be specified for pod ${query.pod}, choose one of: [${containers.join(' ')}]`,
      containers: [...containers],
    });
  }
  if (!containers.includes(query.container)) {
    throw new Problem('containerNotFound', {
      detail: `container ${query.container} is not valid for pod ${query.pod}`,
    });
  }
  return query.container;
}
