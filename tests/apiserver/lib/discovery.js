'use strict';
// Discovery documents. Plain (non-aggregated) JSON is enough: kubectl asks for aggregated
// discovery first and falls back when the Content-Type is not an APIGroupDiscoveryList.
// /openapi/* is deliberately absent (404); kubectl get/exec do not need it.

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function res(name, singularName, namespaced, kind, verbs, extra) {
  return Object.assign({ name, singularName, namespaced, kind, verbs }, extra || {});
}

const RESOURCES = [
  res('namespaces', 'namespace', false, 'Namespace', ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    { shortNames: ['ns'], storageVersionHash: 'Q3oi5N2YM8M=' }),
  res('nodes', 'node', false, 'Node', ALL_VERBS, { shortNames: ['no'], storageVersionHash: 'XwShjMxG9Fs=' }),
  res('pods', 'pod', true, 'Pod', ALL_VERBS, { shortNames: ['po'], categories: ['all'], storageVersionHash: 'xPOwRZ+Yhw8=' }),
  res('pods/exec', '', true, 'PodExecOptions', ['create', 'get']),
  res('pods/log', '', true, 'Pod', ['get']),
  res('secrets', 'secret', true, 'Secret', ALL_VERBS, { storageVersionHash: 'S6u1pOWzb84=' }),
];

/** The discovery answer for `pathname` ({json} or {text}), or null when it is not a discovery path. */
function discovery(pathname, cluster, port) {
  switch (pathname.replace(/\/+$/, '') || '/') {
    case '/version':
      return { json: cluster.version };
    case '/api':
      return { json: { kind: 'APIVersions', versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] } };
    case '/apis':
      return { json: { kind: 'APIGroupList', apiVersion: 'v1', groups: [] } };
    case '/api/v1':
      return { json: { kind: 'APIResourceList', groupVersion: 'v1', resources: RESOURCES } };
    case '/healthz':
    case '/livez':
    case '/readyz':
      return { text: 'ok' };
    default:
      return null;
  }
}

module.exports = { discovery };
