'use strict';
// The in-memory cluster: loads the cluster file (format in README.md) and turns its terse
// entries into real-looking API objects. Secrets, CSRs and workloads (and the pods a rollout
// replaces) change at run time; POST /_test/reset puts pods and workloads back (reset()).

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { Sim } = require('./sim');
const { Workloads, WorkloadError } = require('./workloads');
const { WatchHub } = require('./watch');
const { Csrs } = require('./csr');
const { parseRestart } = require('./restart_hook');

class ClusterError extends Error {}

// Deterministic UIDs keep request logs and test expectations stable across runs.
function uidFor(kind, ns, name) {
  const h = crypto.createHash('sha1').update(`${kind}/${ns}/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function isoSeconds(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

class Cluster {
  /**
   * Loads and validates `file`; throws ClusterError naming the file and the bad entry.
   * `overrides.simulateNodes` replaces the file's simulate.nodes (server.js --simulate-nodes).
   */
  constructor(file, overrides) {
    let spec;
    try {
      spec = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ClusterError(`cannot load cluster file ${file}: ${e.message}`);
    }
    if (!spec || typeof spec !== 'object' || Array.isArray(spec)) {
      throw new ClusterError(`cluster file ${file}: top level must be a JSON object`);
    }
    this.file = file;
    this.baseDir = spec.baseDir ? path.resolve(path.dirname(file), spec.baseDir) : path.dirname(file);
    this.rv = 1000;
    // Everything is "created" three days before start so AGE columns look like a live cluster.
    this.created = isoSeconds(new Date(Date.now() - 3 * 86400 * 1000));
    this.users = (spec.users || []).map((u, i) => this._user(u, i));
    this.version = Object.assign({
      major: '1', minor: '32', gitVersion: 'v1.32.0-koi-test', gitCommit: '0000000000000000000000000000000000000000',
      gitTreeState: 'clean', buildDate: '2025-01-01T00:00:00Z', goVersion: 'go1.23.4', compiler: 'gc',
      platform: 'linux/amd64',
    }, spec.version || {});
    this.protocols = spec.protocols || null;
    this.initialFaults = spec.faults || {};
    this.execDefault = spec.execDefault ? this._responder(spec.execDefault, 'execDefault') : null;
    this.nodes = new Map();
    for (const n of spec.nodes || []) this.nodes.set(n.name, this._node(n));
    this.podSpecs = spec.pods || [];
    this.pods = new Map();
    this.loadPods();
    this.knobs = () => ({}); // the fault knobs; server.js points this at the Control's
    this.hookEnv = {}; // what restart hooks get to reach this server (server.js, once listening)
    this.watch = new WatchHub();
    this.csrs = new Csrs(this);
    // A simulated Kube-OVN cluster adds its generated nodes and pods here (lib/sim.js).
    const simulate = overrides && overrides.simulateNodes
      ? Object.assign({}, spec.simulate, { nodes: overrides.simulateNodes }) : spec.simulate;
    this.sim = null;
    if (simulate) {
      try {
        this.sim = new Sim(this, simulate);
      } catch (e) {
        throw new ClusterError(`${file}: simulate: ${e.message}`);
      }
    }
    this.secrets = new Map();
    for (const s of spec.secrets || []) {
      const obj = this.newSecret(s.namespace || 'default', s);
      this.secrets.set(`${obj.metadata.namespace}/${obj.metadata.name}`, obj);
    }
    if (spec.workloads !== undefined && !Array.isArray(spec.workloads)) throw new ClusterError(`${file}: workloads must be a list`);
    this.workloads = new Workloads(this, spec.workloads);
    try {
      this.workloads.rebuild();
    } catch (e) {
      if (e instanceof WorkloadError) throw new ClusterError(e.message);
      throw e;
    }
    const names = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', ...(spec.namespaces || [])]);
    for (const key of [...this.pods.keys(), ...this.secrets.keys()]) names.add(key.split('/')[0]);
    for (const w of this.workloads.all()) names.add(w.obj.metadata.namespace);
    this.namespaces = new Map([...names].sort().map((n) => [n, this._namespace(n)]));
    if (this.sim) this.sim.started();
  }

  // The cluster file's pods, built afresh (start and reset).
  loadPods() {
    for (const p of this.podSpecs) {
      const pod = this._pod(p);
      this.pods.set(`${pod.obj.metadata.namespace}/${pod.obj.metadata.name}`, pod);
    }
  }

  /**
   * POST /_test/reset: pods and workloads as the file has them (rollouts stopped, replaced pods
   * back), the simulation's state, no CSRs. Secrets are kept.
   */
  reset() {
    for (const [key, entry] of [...this.pods]) if (!entry.simulated) this.pods.delete(key);
    this.loadPods();
    if (this.sim) this.sim.reset();
    this.csrs.reset();
    this.workloads.rebuild();
    if (this.sim) this.sim.started();
  }

  /** A fault knob's value (lib/control.js), or undefined. */
  knob(name) {
    return this.knobs()[name];
  }

  uidFor(kind, ns, name) {
    return uidFor(kind, ns, name);
  }

  nextRv() {
    this.rv += 1;
    return String(this.rv);
  }

  /** Sets a pod's readiness (conditions Ready/ContainersReady and every container's ready). */
  setPodReady(entry, ready) {
    const st = entry.obj.status;
    const now = isoSeconds(new Date());
    for (const c of st.conditions) {
      if ((c.type === 'Ready' || c.type === 'ContainersReady') && c.status !== (ready ? 'True' : 'False')) {
        c.status = ready ? 'True' : 'False';
        c.lastTransitionTime = now;
      }
    }
    for (const c of st.containerStatuses || []) c.ready = ready && st.phase === 'Running';
    entry.obj.metadata.resourceVersion = this.nextRv();
  }

  _user(u, i) {
    if (!u || !u.name) throw new ClusterError(`${this.file}: users[${i}] needs a name`);
    return { name: u.name, role: u.role || 'viewer', token: u.token, username: u.username,
      password: u.password, certCN: u.certCN, groups: u.groups || [], uid: u.uid || '' };
  }

  _meta(kind, ns, name, extra) {
    const meta = { name };
    if (ns) meta.namespace = ns;
    meta.uid = (extra && extra.uid) || uidFor(kind, ns, name);
    meta.resourceVersion = this.nextRv();
    meta.creationTimestamp = (extra && extra.creationTimestamp) || this.created;
    if (extra && extra.labels) meta.labels = Object.assign({}, extra.labels);
    if (extra && extra.annotations) meta.annotations = Object.assign({}, extra.annotations);
    return meta;
  }

  _namespace(name) {
    return { kind: 'Namespace', apiVersion: 'v1',
      metadata: this._meta('Namespace', null, name, { labels: { 'kubernetes.io/metadata.name': name } }),
      spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  }

  _node(n) {
    if (!n.name) throw new ClusterError(`${this.file}: every node needs a name`);
    const labels = Object.assign({ 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': n.name,
      'kubernetes.io/os': 'linux' }, n.labels || {});
    const ready = n.ready !== false;
    const addresses = [];
    if (n.internalIP) addresses.push({ type: 'InternalIP', address: n.internalIP });
    addresses.push({ type: 'Hostname', address: n.name });
    return { kind: 'Node', apiVersion: 'v1',
      metadata: this._meta('Node', null, n.name, Object.assign({}, n, { labels })),
      spec: { podCIDR: n.podCIDR || '10.244.0.0/24' },
      status: {
        addresses,
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'KubeletReady' : 'KubeletNotReady',
          message: ready ? 'kubelet is posting ready status' : 'container runtime network not ready',
          lastHeartbeatTime: this.created, lastTransitionTime: this.created }],
        nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', osImage: n.osImage || 'Debian GNU/Linux 12 (bookworm)',
          kernelVersion: n.kernelVersion || '6.1.0-28-amd64', kubeletVersion: n.kubeletVersion || 'v1.32.0',
          kubeProxyVersion: n.kubeletVersion || 'v1.32.0', containerRuntimeVersion: 'containerd://1.7.24',
          machineID: uidFor('machine', '', n.name).replace(/-/g, ''), systemUUID: uidFor('system', '', n.name),
          bootID: uidFor('boot', '', n.name) },
      } };
  }

  _pod(p) {
    if (!p.name) throw new ClusterError(`${this.file}: every pod needs a name`);
    const ns = p.namespace || 'default';
    const where = `${this.file}: pod ${ns}/${p.name}`;
    const containers = (p.containers || []).map((c) => {
      if (!c.name) throw new ClusterError(`${where}: every container needs a name`);
      const spec = { name: c.name, image: c.image || 'docker.io/library/busybox:1.36' };
      if (c.command) spec.command = c.command;
      if (c.args) spec.args = c.args;
      for (const k of ['env', 'ports', 'volumeMounts', 'securityContext']) {
        if (c[k] && !(Array.isArray(c[k]) && !c[k].length)) spec[k] = JSON.parse(JSON.stringify(c[k]));
      }
      return Object.assign(spec, { resources: c.resources || {}, terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' });
    });
    if (containers.length === 0) throw new ClusterError(`${where}: needs at least one container`);
    const node = p.nodeName ? this.nodes.get(p.nodeName) : null;
    const phase = p.phase || 'Running';
    const running = phase === 'Running';
    const ready = p.ready !== undefined ? !!p.ready : running;
    const nodeIP = node ? (node.status.addresses.find((a) => a.type === 'InternalIP') || {}).address : undefined;
    const podIP = p.podIP || (p.hostNetwork ? nodeIP : undefined);
    const status = { phase, conditions: [] };
    for (const type of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) {
      const ok = type === 'Ready' || type === 'ContainersReady' ? ready : (type !== 'PodReadyToStartContainers' || running);
      status.conditions.push({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: this.created });
    }
    if (nodeIP) Object.assign(status, { hostIP: p.hostIP || nodeIP, hostIPs: [{ ip: p.hostIP || nodeIP }] });
    if (podIP) Object.assign(status, { podIP, podIPs: [{ ip: podIP }] });
    status.startTime = this.created;
    status.containerStatuses = containers.map((c) => {
      const state = running ? { running: { startedAt: this.created } }
        : phase === 'Pending' ? { waiting: { reason: p.waitingReason || 'ContainerCreating' } }
          : { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, reason: phase === 'Succeeded' ? 'Completed' : 'Error',
            startedAt: this.created, finishedAt: this.created } };
      return { name: c.name, state, ready: ready && running, restartCount: p.restarts || 0, image: c.image,
        imageID: `${c.image}@sha256:${crypto.createHash('sha256').update(c.image).digest('hex')}`,
        containerID: `containerd://${crypto.createHash('sha256').update(`${ns}/${p.name}/${c.name}`).digest('hex')}`,
        started: running };
    });
    status.qosClass = 'BestEffort';
    const spec = { containers, restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst',
      serviceAccountName: p.serviceAccountName || 'default', schedulerName: 'default-scheduler' };
    if (p.nodeName) spec.nodeName = p.nodeName;
    if (p.hostNetwork) spec.hostNetwork = true;
    if (p.volumes && p.volumes.length) spec.volumes = JSON.parse(JSON.stringify(p.volumes));
    const obj = { kind: 'Pod', apiVersion: 'v1', metadata: this._meta('Pod', ns, p.name, p), spec, status };
    let exec = null;
    if (p.exec) exec = this._execSpec(p.exec, where);
    const logs = typeof p.logs === 'string' ? Object.fromEntries(containers.map((c) => [c.name, p.logs])) : (p.logs || {});
    let restart = null;
    if (p.restart !== undefined) {
      try {
        restart = parseRestart(p.restart);
      } catch (e) {
        throw new ClusterError(`${where}: ${e.message}`);
      }
    }
    return { obj, exec, logs, restart };
  }

  _execSpec(e, where) {
    return {
      argvPrefix: !!e.argvPrefix,
      rules: (e.rules || []).map((r, i) => {
        if (!Array.isArray(r.argv)) throw new ClusterError(`${where}: exec.rules[${i}] needs an argv array`);
        return Object.assign(this._responder(r, `${where}: exec.rules[${i}]`), { argv: r.argv,
          container: r.container, argvPrefix: r.argvPrefix });
      }),
      default: e.default ? this._responder(e.default, `${where}: exec.default`) : null,
    };
  }

  // Canned output is read now, so a bad path fails the server's start rather than one exec.
  _responder(r, where) {
    const out = Object.assign({}, r);
    for (const [fileKey, key] of [['stdoutFile', 'stdout'], ['stderrFile', 'stderr']]) {
      if (!r[fileKey]) continue;
      try {
        out[key] = fs.readFileSync(path.resolve(this.baseDir, r[fileKey]), 'utf8');
      } catch (err) {
        throw new ClusterError(`${where}: cannot read ${fileKey} ${r[fileKey]}: ${err.message}`);
      }
    }
    return out;
  }

  /** Builds a stored Secret from a create body or cluster-file entry (stringData folded into data). */
  newSecret(ns, body) {
    const meta = body.metadata || body;
    const name = meta.name;
    const data = Object.assign({}, body.data || {});
    for (const [k, v] of Object.entries(body.stringData || {})) data[k] = Buffer.from(String(v)).toString('base64');
    const obj = { kind: 'Secret', apiVersion: 'v1',
      metadata: this._meta('Secret', ns, name, { labels: meta.labels, annotations: meta.annotations,
        creationTimestamp: body.metadata ? isoSeconds(new Date()) : undefined }),
      type: body.type || 'Opaque' };
    if (Object.keys(data).length) obj.data = data;
    if (body.immutable !== undefined) obj.immutable = body.immutable;
    return obj;
  }
}

module.exports = { Cluster, ClusterError, isoSeconds };
