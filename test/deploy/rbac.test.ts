import test from 'ava';
import { object, overlay, violations } from '../helpers/deploy.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const rulesOf = (objects: ReturnType<typeof overlay>) =>
  object(objects, 'ClusterRole', 'pod-logs-reader').rules as Rule[];

test('a ClusterRole wider than what logs-app asks fails, naming each grant too many', (t) => {
  const objects = overlay('kubernetes-api');
  const rules = rulesOf(objects);
  rules[0]?.verbs.push('watch');
  rules.push({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] });
  t.deepEqual(violations(objects), [
    'ClusterRole pod-logs-reader: grants pods watch, which logs-app never asks',
    'ClusterRole pod-logs-reader: grants secrets get, which logs-app never asks',
  ]);
});

test('wildcards are too wide as well', (t) => {
  const objects = overlay('kubernetes-api');
  const rules = rulesOf(objects);
  rules.splice(0, rules.length, { apiGroups: ['*'], resources: ['*'], verbs: ['*'] });
  const found = violations(objects);
  t.true(found.includes('ClusterRole pod-logs-reader: grants */* *, which logs-app never asks'), found.join('\n'));
});

test('a ClusterRole that lacks what logs-app asks fails too', (t) => {
  const objects = overlay('kubernetes-api');
  const rules = rulesOf(objects);
  rules.splice(rules.length - 1, 1);
  t.deepEqual(violations(objects), ['ClusterRole pod-logs-reader: lacks namespaces list, which logs-app asks']);
});

test('the role bound to another account than logs-app fails', (t) => {
  const objects = overlay('kubernetes-api');
  const binding = object(objects, 'ClusterRoleBinding', 'pod-logs-reader') as unknown as {
    subjects: { kind: string; name: string; namespace: string }[];
  };
  binding.subjects.push({ kind: 'ServiceAccount', name: 'default', namespace: 'pod-logs' });
  t.deepEqual(violations(objects), [
    'ClusterRoleBinding pod-logs-reader: binds ServiceAccount pod-logs/default, which is no account of logs-app reading the Kubernetes API',
  ]);
});
