'use strict';
// Server-side printing: `kubectl get` asks for `as=Table` and prints whatever columns the server
// returns, so these mirror kube-apiserver's printers (pkg/printers/internalversion).

// duration.HumanDuration from apimachinery, so AGE reads like a real cluster's.
function humanDuration(seconds) {
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24);
    return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(obj) {
  const t = Date.parse(obj.metadata.creationTimestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(Math.floor((Date.now() - t) / 1000));
}

function col(name, type, priority, description, format) {
  const c = { name, type, format: format || '', description, priority: priority || 0 };
  return c;
}

const POD_COLUMNS = [
  col('Name', 'string', 0, 'Name must be unique within a namespace.', 'name'),
  col('Ready', 'string', 0, 'The aggregate readiness state of this pod for accepting traffic.'),
  col('Status', 'string', 0, 'The aggregate status of the containers in this pod.'),
  col('Restarts', 'string', 0, 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  col('Age', 'string', 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  col('IP', 'string', 1, 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'),
  col('Node', 'string', 1, 'NodeName is a request to schedule this pod onto a specific node.'),
  col('Nominated Node', 'string', 1, 'nominatedNodeName is set only when this pod preempts other pods on the node.'),
  col('Readiness Gates', 'string', 1, 'If specified, all readiness gates will be evaluated for pod readiness.'),
];

function podCells(pod) {
  const statuses = pod.status.containerStatuses || [];
  const ready = statuses.filter((c) => c.ready).length;
  let reason = pod.status.phase;
  for (const c of statuses) {
    if (c.state.waiting && c.state.waiting.reason) reason = c.state.waiting.reason;
    else if (c.state.terminated && c.state.terminated.reason && pod.status.phase !== 'Running') reason = c.state.terminated.reason;
  }
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  const restarts = statuses.reduce((n, c) => n + (c.restartCount || 0), 0);
  return [pod.metadata.name, `${ready}/${pod.spec.containers.length}`, reason, String(restarts), age(pod),
    pod.status.podIP || '<none>', pod.spec.nodeName || '<none>', '<none>', '<none>'];
}

const NODE_COLUMNS = [
  col('Name', 'string', 0, 'Name must be unique within a namespace.', 'name'),
  col('Status', 'string', 0, 'The status of the node'),
  col('Roles', 'string', 0, 'The roles of the node'),
  col('Age', 'string', 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  col('Version', 'string', 0, 'Kubelet Version reported by the node.'),
  col('Internal-IP', 'string', 1, 'List of addresses reachable to the node. Queried from cloud provider, if available.'),
  col('External-IP', 'string', 1, 'List of addresses reachable to the node. Queried from cloud provider, if available.'),
  col('OS-Image', 'string', 1, 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
  col('Kernel-Version', 'string', 1, 'Kernel Version reported by the node from \'uname -r\' (e.g. 3.16.0-0.bpo.4-amd64).'),
  col('Container-Runtime', 'string', 1, 'Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
];

function nodeCells(node) {
  const ready = node.status.conditions.find((c) => c.type === 'Ready');
  const roles = Object.keys(node.metadata.labels || {})
    .filter((l) => l.startsWith('node-role.kubernetes.io/')).map((l) => l.slice('node-role.kubernetes.io/'.length)).sort();
  const addr = (type) => (node.status.addresses.find((a) => a.type === type) || {}).address || '<none>';
  const info = node.status.nodeInfo;
  return [node.metadata.name, ready && ready.status === 'True' ? 'Ready' : 'NotReady', roles.join(',') || '<none>', age(node),
    info.kubeletVersion, addr('InternalIP'), addr('ExternalIP'), info.osImage, info.kernelVersion, info.containerRuntimeVersion];
}

const SECRET_COLUMNS = [
  col('Name', 'string', 0, 'Name must be unique within a namespace.', 'name'),
  col('Type', 'string', 0, 'Used to facilitate programmatic handling of secret data.'),
  col('Data', 'string', 0, 'Data contains the secret data.'),
  col('Age', 'string', 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
];

const NAMESPACE_COLUMNS = [
  col('Name', 'string', 0, 'Name must be unique within a namespace.', 'name'),
  col('Status', 'string', 0, 'The status of the namespace'),
  col('Age', 'string', 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
];

const PRINTERS = {
  Pod: [POD_COLUMNS, podCells],
  Node: [NODE_COLUMNS, nodeCells],
  Secret: [SECRET_COLUMNS, (s) => [s.metadata.name, s.type, Object.keys(s.data || {}).length, age(s)]],
  Namespace: [NAMESPACE_COLUMNS, (n) => [n.metadata.name, n.status.phase, age(n)]],
};

/**
 * A meta.k8s.io/v1 Table of `objects` (all of `kind`). `includeObject` is the query parameter:
 * "None", "Object", or the default "Metadata" (a PartialObjectMetadata per row).
 */
function toTable(kind, objects, resourceVersion, includeObject) {
  const [columns, cells] = PRINTERS[kind];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns,
    rows: objects.map((o) => {
      const row = { cells: cells(o) };
      if (includeObject === 'Object') row.object = Object.assign({ kind, apiVersion: 'v1' }, o);
      else if (includeObject !== 'None') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      return row;
    }),
  };
}

/** Whether the Accept header asks for server-side printing. */
function wantsTable(accept) {
  return /as=Table/.test(accept || '');
}

module.exports = { toTable, wantsTable, humanDuration };
