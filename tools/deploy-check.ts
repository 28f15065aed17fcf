import { checkDeploy } from './deploy/check.js';
import type { Findings } from './deploy/findings.js';

/**
 * `npm run deploy:check [-- <checkout>]`: lints the Dockerfile, renders every overlay of deploy/overlays with
 * `kubectl kustomize`, and checks each object against the Kubernetes schemas and the product's rules. Prints what it
 * checked, then each violation; exits 1 when there is one. Another checkout's Dockerfile and deploy/ can be named.
 */
const { image, overlays } = checkDeploy(process.argv[2]);
let violations = 0;
const report = (title: string, findings: Findings) => {
  console.log(title);
  for (const line of findings.checked) console.log(`  ${line}`);
  for (const { where, message } of findings.violations) console.log(`  VIOLATION ${where}: ${message}`);
  violations += findings.violations.length;
};
report('image', image);
for (const { overlay, objects, findings } of overlays) report(`${overlay} (${objects} objects)`, findings);
console.log(`deploy:check: the image and ${overlays.length} overlays, ${violations} violations`);
process.exitCode = violations > 0 ? 1 : 0;
