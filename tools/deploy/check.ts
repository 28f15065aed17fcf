import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkContainers, productContainers } from './containers.js';
import { collect, type Findings, type KubeObject } from './findings.js';
import { checkImage, parseDockerfile, type Image } from './image.js';
import { checkPodSecurity } from './pods.js';
import { checkRbac } from './rbac.js';
import { overlays, render, repoRoot } from './render.js';
import { checkSchemas } from './schemas.js';
import { checkSignIn } from './sign-in.js';
import { checkTraffic } from './traffic.js';

/** Every rule on one rendered overlay: the objects as `kubectl kustomize` printed them, run by this image. */
export function checkObjects(objects: KubeObject[], image: Image): Findings {
  const { found } = productContainers(objects, image);
  return collect(
    checkSchemas(objects),
    checkPodSecurity(objects),
    checkContainers(objects, image),
    checkRbac(objects, found),
    checkTraffic(objects, found),
    checkSignIn(found),
  );
}

export interface DeployCheck {
  image: Findings;
  overlays: { overlay: string; objects: number; findings: Findings }[];
}

/** The Dockerfile, and every overlay of deploy/overlays rendered and checked. */
export function checkDeploy(root = repoRoot): DeployCheck {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const image = parseDockerfile(text);
  return {
    image: checkImage(text, image),
    overlays: overlays(root).map((overlay) => {
      const objects = render(overlay, root);
      return { overlay, objects: objects.length, findings: checkObjects(objects, image) };
    }),
  };
}
