import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import { checkObjects } from '../../tools/deploy/check.js';
import type { KubeObject } from '../../tools/deploy/findings.js';
import { parseDockerfile } from '../../tools/deploy/image.js';
import { render } from '../../tools/deploy/render.js';
import { repoRoot } from './processes.js';

export const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
export const image = parseDockerfile(dockerfile);

const rendered = new Map<string, KubeObject[]>();

/** An overlay as `kubectl kustomize` renders it, a copy of its own for a test to change. */
export function overlay(name: string): KubeObject[] {
  let objects = rendered.get(name);
  if (!objects) rendered.set(name, (objects = render(`deploy/overlays/${name}`)));
  return structuredClone(objects);
}

export function object(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((each) => each.kind === kind && each.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

export const podSpec = (objects: KubeObject[], kind: string, name: string): IPodSpec =>
  (object(objects, kind, name).spec as { template: { spec: IPodSpec } }).template.spec;

/** The workload's first container. */
export function container(objects: KubeObject[], kind: string, name: string): IContainer {
  const [first] = podSpec(objects, kind, name).containers;
  if (!first) throw new Error(`${kind} ${name} has no container`);
  return first;
}

/** What deploy:check says is wrong with these objects, one `where: message` a line. */
export const violations = (objects: KubeObject[]): string[] =>
  checkObjects(objects, image).violations.map(({ where, message }) => `${where}: ${message}`);
