/** What kubectl reads before anything else: the version, the core API's one version, no groups, and its resources. */
export const kubernetesVersion = { major: '1', minor: '32', gitVersion: 'v1.32.0+pod-logs', platform: 'linux/amd64' };

export const coreApiVersions = {
  kind: 'APIVersions',
  apiVersion: 'v1',
  versions: ['v1'],
  serverAddressByClientCIDRs: [],
};

export const apiGroups = { kind: 'APIGroupList', apiVersion: 'v1', groups: [] };

export const coreV1Resources = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'v1',
  resources: [
    {
      name: 'namespaces',
      singularName: 'namespace',
      namespaced: false,
      kind: 'Namespace',
      verbs: ['get', 'list'],
      shortNames: ['ns'],
    },
    {
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['get', 'list'],
      shortNames: ['po'],
      categories: ['all'],
    },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
  ],
};
