/** One rule broken, and where: `Deployment pod-logs/auth-app, container auth-app`. */
export interface Violation {
  where: string;
  message: string;
}

/** What a rule looked at (one line each, printed as it is) and what it found wrong. */
export interface Findings {
  checked: string[];
  violations: Violation[];
}

/** A rendered Kubernetes object, as kustomize prints it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export const nameOf = (object: KubeObject): string =>
  `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;

export function collect(...all: Findings[]): Findings {
  return { checked: all.flatMap((each) => each.checked), violations: all.flatMap((each) => each.violations) };
}
