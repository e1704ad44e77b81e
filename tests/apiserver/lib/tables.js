'use strict';
// Server-side printing: `kubectl get` asks for `as=Table` and prints whatever columns the server
// returns, so these mirror kube-apiserver's printers (pkg/printers/internalversion).

const { csrCondition } = require('./csr');

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

const CONTAINERS_COLUMNS = [
  col('Containers', 'string', 1, 'Names of each container in the template.'),
  col('Images', 'string', 1, 'Images referenced by each container in the template.'),
  col('Selector', 'string', 1, 'A label query over pods that should match the replicas count.'),
];

// The wide columns of the workload printers: container names, images, the selector.
function templateCells(obj) {
  const cs = obj.spec.template.spec.containers || [];
  const sel = Object.entries((obj.spec.selector && obj.spec.selector.matchLabels) || {}).map(([k, v]) => `${k}=${v}`).join(',');
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(','), sel || '<none>'];
}

const DAEMONSET_COLUMNS = [
  col('Name', 'string', 0, 'Name must be unique within a namespace.', 'name'),
  col('Desired', 'integer', 0, 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
  col('Current', 'integer', 0, 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
  col('Ready', 'integer', 0, 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
  col('Up-to-date', 'integer', 0, 'The total number of nodes that are running updated daemon pod'),
  col('Available', 'integer', 0, 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
  col('Node Selector', 'string', 0, 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
  col('Age', 'string', 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  ...CONTAINERS_COLUMNS,
];

function daemonSetCells(ds) {
  const s = ds.status;
  const sel = Object.entries(ds.spec.template.spec.nodeSelector || {}).map(([k, v]) => `${k}=${v}`).join(',');
  return [ds.metadata.name, s.desiredNumberScheduled, s.currentNumberScheduled, s.numberReady, s.updatedNumberScheduled,
    s.numberAvailable, sel || '<none>', age(ds), ...templateCells(ds)];
}

const DEPLOYMENT_COLUMNS = [
  col('Name', 'string', 0, 'Name must be unique within a namespace.', 'name'),
  col('Ready', 'string', 0, 'Number of the pod with ready state'),
  col('Up-to-date', 'string', 0, 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
  col('Available', 'string', 0, 'Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.'),
  col('Age', 'string', 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  ...CONTAINERS_COLUMNS,
];

function deploymentCells(d) {
  const s = d.status;
  return [d.metadata.name, `${s.readyReplicas || 0}/${d.spec.replicas}`, s.updatedReplicas || 0, s.availableReplicas || 0,
    age(d), ...templateCells(d)];
}

const REPLICASET_COLUMNS = [
  col('Name', 'string', 0, 'Name must be unique within a namespace.', 'name'),
  col('Desired', 'integer', 0, 'Replicas is the number of desired pods.'),
  col('Current', 'integer', 0, 'Replicas is the most recently observed number of replicas.'),
  col('Ready', 'integer', 0, 'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'),
  col('Age', 'string', 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  ...CONTAINERS_COLUMNS,
];

function replicaSetCells(rs) {
  return [rs.metadata.name, rs.spec.replicas, rs.status.replicas, rs.status.readyReplicas || 0, age(rs), ...templateCells(rs)];
}

const CSR_COLUMNS = [
  col('Name', 'string', 0, 'Name must be unique within a namespace.', 'name'),
  col('Age', 'string', 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  col('SignerName', 'string', 0, 'Requested signer for the request. It is a qualified name in the form: `scope-hostname.io/name`.'),
  col('Requestor', 'string', 0, 'Name of the user requesting the certificate.'),
  col('RequestedDuration', 'string', 0, 'Length of time the certificate is requested to be valid for.'),
  col('Condition', 'string', 0, 'State of the request (Approved, Denied, Failed, Issued, Pending).'),
];

function csrCells(csr) {
  const secs = csr.spec.expirationSeconds;
  return [csr.metadata.name, age(csr), csr.spec.signerName || '<none>', csr.spec.username || '',
    secs === undefined ? '<none>' : humanDuration(secs), csrCondition(csr)];
}

const PRINTERS = {
  Pod: [POD_COLUMNS, podCells],
  DaemonSet: [DAEMONSET_COLUMNS, daemonSetCells],
  Deployment: [DEPLOYMENT_COLUMNS, deploymentCells],
  ReplicaSet: [REPLICASET_COLUMNS, replicaSetCells],
  CertificateSigningRequest: [CSR_COLUMNS, csrCells],
  Node: [NODE_COLUMNS, nodeCells],
  Secret: [SECRET_COLUMNS, (s) => [s.metadata.name, s.type, Object.keys(s.data || {}).length, age(s)]],
  Namespace: [NAMESPACE_COLUMNS, (n) => [n.metadata.name, n.status.phase, age(n)]],
};

/**
 * A meta.k8s.io/v1 Table of `objects` (all of `kind`). `includeObject` is the query parameter:
 * "None", "Object", or the default "Metadata" (a PartialObjectMetadata per row).
 */
function toTable(kind, objects, resourceVersion, includeObject, apiVersion) {
  const [columns, cells] = PRINTERS[kind];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns,
    rows: objects.map((o) => {
      const row = { cells: cells(o) };
      if (includeObject === 'Object') row.object = Object.assign({ kind, apiVersion: apiVersion || 'v1' }, o);
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
