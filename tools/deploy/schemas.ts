import { createRequire } from 'node:module';
import { nameOf, type Findings, type KubeObject, type Violation } from './findings.js';

interface Model {
  new (data: object): { validate(): void };
}

const require = createRequire(import.meta.url);

/** The kubernetes-models class of an object's kind (`kubernetes-models/apps/v1/Deployment`), loaded when first asked. */
function modelOf({ apiVersion, kind }: KubeObject): Model | undefined {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(apiVersion) || !/^\w+$/.test(kind)) return undefined;
  try {
    return (require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, Model | undefined>)[kind];
  } catch {
    return undefined;
  }
}

/**
 * Each object against the Kubernetes OpenAPI schema of its kind (types, formats, required fields, enums; fields the
 * schema does not know are not reported). Only GA versions: beta APIs are removed from clusters in time.
 */
export function checkSchemas(objects: KubeObject[]): Findings {
  const violations: Violation[] = [];
  for (const object of objects) {
    const where = nameOf(object);
    if (!/^([a-z0-9.-]+\/)?v1$/.test(object.apiVersion)) {
      violations.push({ where, message: `apiVersion ${object.apiVersion} is not GA (v1)` });
    }
    const Model = modelOf(object);
    if (!Model) {
      violations.push({ where, message: `no Kubernetes schema for ${object.apiVersion} ${object.kind}` });
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      violations.push({ where, message: `invalid ${object.kind}: ${(error as Error).message}` });
    }
  }
  const kinds = [...new Set(objects.map((object) => object.kind))].sort();
  return {
    checked: [
      `schemas: ${objects.length} objects (${kinds.join(', ')}) against kubernetes-models' schemas, GA versions`,
    ],
    violations,
  };
}
