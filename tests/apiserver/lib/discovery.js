'use strict';
// Discovery documents. Plain (non-aggregated) JSON is enough: kubectl asks for aggregated
// discovery first and falls back when the Content-Type is not an APIGroupDiscoveryList.
// Groups: core v1, apps/v1 (lib/workloads.js) and certificates.k8s.io/v1 (lib/csr.js).
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

// apps/v1 and certificates.k8s.io/v1 as kube-apiserver 1.32 lists them (only what is served here).
const APPS = [
  res('daemonsets', 'daemonset', true, 'DaemonSet', ALL_VERBS, { shortNames: ['ds'], categories: ['all'], storageVersionHash: 'dd7pWHUlMKQ=' }),
  res('deployments', 'deployment', true, 'Deployment', ALL_VERBS, { shortNames: ['deploy'], categories: ['all'], storageVersionHash: '8aSe+NMegvE=' }),
  res('replicasets', 'replicaset', true, 'ReplicaSet', ['get', 'list'], { shortNames: ['rs'], categories: ['all'], storageVersionHash: 'P1RzHs8/mWQ=' }),
];
const CERTIFICATES = [
  res('certificatesigningrequests', 'certificatesigningrequest', false, 'CertificateSigningRequest', ALL_VERBS,
    { shortNames: ['csr'], storageVersionHash: '95fRKMXA+00=' }),
  res('certificatesigningrequests/approval', '', false, 'CertificateSigningRequest', ['get', 'patch', 'update']),
  res('certificatesigningrequests/status', '', false, 'CertificateSigningRequest', ['get', 'patch', 'update']),
];
const GROUPS = { apps: { version: 'v1', resources: APPS }, 'certificates.k8s.io': { version: 'v1', resources: CERTIFICATES } };

function group(name) {
  const gv = { groupVersion: `${name}/${GROUPS[name].version}`, version: GROUPS[name].version };
  return { name, versions: [gv], preferredVersion: gv };
}

/** The discovery answer for `pathname` ({json} or {text}), or null when it is not a discovery path. */
function discovery(pathname, cluster, port) {
  switch (pathname.replace(/\/+$/, '') || '/') {
    case '/version':
      return { json: cluster.version };
    case '/api':
      return { json: { kind: 'APIVersions', versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] } };
    case '/apis':
      return { json: { kind: 'APIGroupList', apiVersion: 'v1', groups: Object.keys(GROUPS).map(group) } };
    case '/apis/apps':
      return { json: Object.assign({ kind: 'APIGroup', apiVersion: 'v1' }, group('apps')) };
    case '/apis/certificates.k8s.io':
      return { json: Object.assign({ kind: 'APIGroup', apiVersion: 'v1' }, group('certificates.k8s.io')) };
    case '/apis/apps/v1':
      return { json: { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1', resources: APPS } };
    case '/apis/certificates.k8s.io/v1':
      return { json: { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'certificates.k8s.io/v1', resources: CERTIFICATES } };
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
