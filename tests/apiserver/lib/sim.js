'use strict';
// A simulated Kube-OVN cluster (the cluster file's "simulate" object; README "Simulated Kube-OVN
// cluster"): generates the nodes and Kube-OVN pods of either layout, keeps NB_Global.ipsec, the
// NB leader and each node's monitor, and answers the plugin's ovn-nbctl / ovs-vsctl / ovs-appctl
// execs from that state. Everything is derived from node indexes, so runs are reproducible.

const { tunnelsShow, tunnelPortName, monitorNotRunning, garbage } = require('./sim_show');
const { SimError, normalize, suffix, systemId, nodeIP, hashInt, SAS, FOLLOWER, SB_CHASSIS } = require('./sim_spec');
const { SimInit, INIT_UPDATES } = require('./sim_init');
const { SimKubeOvn } = require('./sim_kubeovn');
const { SimVerify, VERIFY_UPDATES } = require('./sim_verify');

const SYSTEM_ID = ['ovs-vsctl', 'get', 'Open_vSwitch', '.', 'external_ids:system-id'];
const TUNNELS_SHOW = ['ovs-appctl', '-t', 'ovs-monitor-ipsec', 'tunnels/show'];
const LEADER_LABELS = ['ovn-nb-leader', 'ovn-sb-leader', 'ovn-northd-leader'];
const NB_SOCKET = 'unix:/var/run/ovn/ovnnb_db.sock';
const SB_CHASSIS_LIST = ['ovn-sbctl', '--no-leader-only', '--format=json', '--columns=name,hostname', 'list', 'Chassis'];

function same(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The simulation; `cluster` is the lib/cluster.js Cluster whose nodes and pods it adds to. */
class Sim {
  constructor(cluster, spec) {
    this.cluster = cluster;
    this.spec = normalize(spec);
    this.timers = new Set();
    this.reset();
  }

  /** Back to the cluster file's state: regenerated nodes and pods, flag, leader, counters. */
  reset() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const key of this.podKeys || []) this.cluster.pods.delete(key);
    for (const n of this.nodes || []) this.cluster.nodes.delete(n.name);
    const s = this.spec;
    this.roles = new Map(); // "ns/pod" -> {role: 'central', index} | {role: 'node', node}
    this.podKeys = [];
    this.nodes = [];
    this.byName = new Map();
    this.centrals = [];
    this.width = Math.max(2, String(s.nodes).length);
    this.configureDelayMs = s.configureDelayMs;
    this.configureJitterMs = s.configureJitterMs;
    this.execLatencyMs = s.execLatencyMs;
    this.sas = s.sas;
    this.followerNbctl = s.followerNbctl;
    this.sbChassis = s.sbChassis;
    this.sbctlCalls = 0;
    this.history = [{ at: -Infinity, value: s.ipsec }]; // NB_Global.ipsec changes, oldest first
    Object.assign(this, { sets: 0, setAttempts: 0, gets: 0, moveOnSet: null, leaderGap: false, breakOnSet: false, nbBroken: false });
    for (let i = 0; i < s.nodes; i++) this.addNode({});
    const notReady = new Set(this.names(s.notReadyNodes, 'notReadyNodes'));
    const missing = new Set(this.names(s.missingPodNodes, 'missingPodNodes'));
    for (const node of this.nodes) this.podsFor(node, notReady.has(node.name), missing.has(node.name));
    for (const node of this.nodes.filter((n) => notReady.has(n.name))) {
      const cond = node.obj.status.conditions[0];
      Object.assign(cond, { status: 'False', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    }
    for (let k = 0; k < s.centralReplicas; k++) this.addCentral(k);
    this.controllerPod();
    this.stopped = new Set(this.names(s.stoppedMonitorNodes, 'stoppedMonitorNodes'));
    this.garbage = new Set(this.names(s.garbageNodes, 'garbageNodes'));
    this.setLeader(0);
    if (this.init) this.init.reset();
    else this.init = new SimInit(this); // init's node side (lib/sim_init.js)
    if (!this.kubeovn) this.kubeovn = new SimKubeOvn(this); // Kube-OVN >= 1.13's IPsec (lib/sim_kubeovn.js)
    this.kubeovn.reset();
    if (!this.verify) this.verify = new SimVerify(this); // `verify`'s facts and probe (lib/sim_verify.js)
    this.verify.reset();
  }

  /**
   * The cluster built (or reset) its workloads from the pods (lib/workloads.js): give them the
   * chart's strategies and, with `helm`, Helm's marks; with `startActions`, start every pod now.
   */
  started() {
    if (this.spec.layout !== 'kube-ovn-cni') return;
    const wl = this.cluster.workloads;
    const get = (store, name) => store.get(`kube-system/${name}`);
    const ds = get(wl.daemonsets, 'kube-ovn-cni');
    const controller = get(wl.deployments, 'kube-ovn-controller');
    const central = get(wl.deployments, 'ovn-central');
    // charts/kube-ovn/templates/controller-deploy.yaml and central-deploy.yaml.
    if (controller) controller.obj.spec.strategy = { rollingUpdate: { maxSurge: '0%', maxUnavailable: '100%' }, type: 'RollingUpdate' };
    if (central) central.obj.spec.strategy = { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' };
    const helm = this.spec.helm === true ? {} : this.spec.helm;
    for (const w of helm ? [ds, controller, central].filter(Boolean) : []) {
      // What `helm install` puts on every object of a release (Helm 3 pkg/action).
      const m = w.obj.metadata;
      m.labels = Object.assign({}, m.labels, { 'app.kubernetes.io/managed-by': 'Helm' });
      if (helm.chart) m.labels['helm.sh/chart'] = helm.chart;
      Object.assign(m.annotations, { 'meta.helm.sh/release-name': helm.release || 'kube-ovn',
        'meta.helm.sh/release-namespace': helm.namespace || 'kube-system' });
    }
    if (!this.spec.startActions) return;
    if (controller) for (const key of controller.pods) this.kubeovn.controllerStarted(this.cluster.pods.get(key));
    for (const key of ds ? ds.pods : []) {
      const role = this.roles.get(key);
      if (role && role.role === 'node') this.kubeovn.cniStarted(role.node, this.cluster.pods.get(key));
    }
  }

  /** A workload replaced pod `oldKey` by `entry` (`newKey`), or deleted a bare pod (null). */
  podReplaced(oldKey, newKey, entry) {
    const i = this.podKeys.indexOf(oldKey);
    if (i < 0) return;
    const role = this.roles.get(oldKey);
    this.roles.delete(oldKey);
    if (newKey === null) {
      this.podKeys.splice(i, 1);
      return;
    }
    entry.simulated = true;
    this.podKeys[i] = newKey;
    if (!role) return;
    this.roles.set(newKey, role);
    if (role.role === 'central') {
      this.centrals[role.index] = entry;
      if (!this.leaderGap && role.index === this.leader) for (const l of LEADER_LABELS) entry.obj.metadata.labels[l] = 'true';
    }
  }

  /** A workload's new pod started (not ready yet): a kube-ovn-cni pod runs Kube-OVN's IPsec start-up. */
  podStarted(entry, w) {
    const key = `${entry.obj.metadata.namespace}/${entry.obj.metadata.name}`;
    const role = this.roles.get(key);
    if (this.spec.layout === 'kube-ovn-cni' && role && role.role === 'node' && w.obj.metadata.name === 'kube-ovn-cni') {
      this.kubeovn.cniStarted(role.node, entry);
    }
  }

  /** A workload's new pod became ready: kube-ovn-controller's start-up has run. */
  podReady(entry, w) {
    if (this.spec.layout === 'kube-ovn-cni' && w.kind === 'Deployment' && w.obj.metadata.name === 'kube-ovn-controller') {
      this.kubeovn.controllerStarted(entry);
    }
  }

  get flag() {
    return this.history[this.history.length - 1].value;
  }

  // Node names from names or 1-based indexes; unknown ones are an error.
  names(list, key) {
    const items = Array.isArray(list) ? list : [list];
    return items.map((x) => {
      const node = Number.isInteger(x) ? this.nodes[x - 1] : this.byName.get(x);
      if (!node) throw new SimError(`${key}: no simulated node ${JSON.stringify(x)}`);
      return node.name;
    });
  }

  addNode(opts) {
    const index = this.nodes.length;
    const name = opts.name || `${this.spec.namePrefix}-${String(index + 1).padStart(this.width, '0')}`;
    if (this.byName.has(name) || this.cluster.nodes.has(name)) throw new SimError(`node ${name} already exists`);
    const labels = { 'ovn.kubernetes.io/ovs_dp_type': 'kernel' };
    if (index < this.spec.centralReplicas) {
      Object.assign(labels, { 'kube-ovn/role': 'master', 'node-role.kubernetes.io/control-plane': '' });
    }
    const chassis = systemId(index, name);
    // kube-ovn-cni annotates its Node with the chassis at start (cmd/daemon/cniserver.go
    // initChassisAnno, v1.10-v1.15); the annotation stays when the node or its pods go down.
    const obj = this.cluster._node({ name, internalIP: nodeIP(index), labels,
      annotations: { 'ovn.kubernetes.io/chassis': chassis } });
    const node = { index, name, ip: nodeIP(index), chassis, port: tunnelPortName(chassis), obj };
    this.cluster.nodes.set(name, obj);
    this.nodes.push(node);
    this.byName.set(name, node);
    return node;
  }

  addPod(p, role) {
    const pod = this.cluster._pod(Object.assign({ namespace: 'kube-system', hostNetwork: true }, p));
    const key = `kube-system/${p.name}`;
    if (this.cluster.pods.has(key)) throw new SimError(`pod ${key} already exists`);
    pod.simulated = true; // cluster.reset() leaves it to sim.reset()
    this.cluster.pods.set(key, pod);
    this.podKeys.push(key);
    if (role) this.roles.set(key, role);
    return pod;
  }

  image() {
    return `docker.io/kubeovn/kube-ovn:${this.spec.layout === 'ovs-ovn' ? 'v1.12.22' : 'v1.14.4'}`;
  }

  // Kube-OVN >= 1.13's chart always renders --enable-ovn-ipsec={{ .Values.func.ENABLE_OVN_IPSEC }}
  // (charts/kube-ovn/templates/ovncni-ds.yaml, controller-deploy.yaml); <= 1.12 has no such flag.
  flagArgs() {
    return this.spec.layout === 'kube-ovn-cni' ? [`--enable-ovn-ipsec=${this.spec.enableOvnIpsec}`] : [];
  }

  // The DaemonSet pods of one node: ovs-ovn (<= 1.12 runs the monitor there) and kube-ovn-cni.
  podsFor(node, notReady, missing) {
    const ds = { component: 'network', type: 'infra', 'pod-template-generation': '1' };
    const common = { nodeName: node.name, ready: !notReady };
    const role = { role: 'node', node };
    const cniLayout = this.spec.layout === 'kube-ovn-cni';
    if (!cniLayout && !missing) {
      this.addPod(Object.assign({ name: `ovs-ovn-${suffix(`ovs/${node.name}`, 5)}`,
        labels: Object.assign({ app: 'ovs', 'controller-revision-hash': '5d8f7c6b9d' }, ds),
        containers: [{ name: 'openvswitch', image: this.image(), command: ['/kube-ovn/start-ovs.sh'] }] }, common), role);
    }
    if (cniLayout && missing) return;
    const cni = { name: 'cni-server', image: this.image(), command: ['bash', '/kube-ovn/start-cniserver.sh'],
      args: ['--enable-mirror=false', '--encap-checksum=true', '--service-cluster-ip-range=10.96.0.0/12',
        '--network-type=geneve', '--cni-conf-name=01-kube-ovn.conflist', '--logtostderr=false',
        '--alsologtostderr=true', '--log_file=/var/log/kube-ovn/kube-ovn-cni.log', ...this.flagArgs()] };
    const pod = { name: `kube-ovn-cni-${suffix(`cni/${node.name}`, 5)}`,
      labels: Object.assign({ app: 'kube-ovn-cni', 'controller-revision-hash': '7f9c5b8d4c' }, ds), containers: [cni] };
    if (this.spec.enableOvnIpsec) {
      // The chart mounts the key directory only with ENABLE_OVN_IPSEC (ovncni-ds.yaml, v1.13 and
      // v1.14.x: hostPath /etc/origin/ovs_ipsec_keys, OVN_IPSEC_KEY_DIR later).
      cni.volumeMounts = [{ name: 'ovs-ipsec-keys', mountPath: '/etc/ovs_ipsec_keys' }];
      pod.volumes = [{ name: 'ovs-ipsec-keys', hostPath: { path: '/etc/origin/ovs_ipsec_keys', type: '' } }];
    }
    this.addPod(Object.assign(pod, common), role);
  }

  addCentral(k) {
    const node = this.nodes[k];
    const pod = this.addPod({ name: `ovn-central-7b6d9c8f5-${suffix(`central/${k}`, 5)}`, nodeName: node.name,
      labels: { app: 'ovn-central', component: 'network', type: 'infra', 'pod-template-hash': '7b6d9c8f5' },
      containers: [{ name: 'ovn-central', image: this.image(), command: ['/kube-ovn/start-db.sh'] }] },
    { role: 'central', index: k });
    this.centrals.push(pod);
  }

  controllerPod() {
    this.addPod({ name: `kube-ovn-controller-6c8d9f7b5-${suffix('controller', 5)}`, nodeName: this.nodes[0].name,
      labels: { app: 'kube-ovn-controller', component: 'network', type: 'infra', 'pod-template-hash': '6c8d9f7b5' },
      containers: [{ name: 'kube-ovn-controller', image: this.image(), command: ['/kube-ovn/start-controller.sh'],
        args: ['--default-cidr=10.16.0.0/16', '--network-type=geneve', '--enable-lb=true', ...this.flagArgs()] }] });
  }

  /** Moves the leader labels to central replica `index` (null: no pod has them, an election). */
  setLeader(index) {
    this.leader = index;
    this.leaderGap = index === null;
    this.centrals.forEach((pod, k) => {
      const labels = pod.obj.metadata.labels;
      for (const l of LEADER_LABELS) {
        if (k === index) labels[l] = 'true';
        else delete labels[l];
      }
      pod.obj.metadata.resourceVersion = this.cluster.nextRv();
    });
  }

  // The leader moves to the next replica, after `gapMs` without any leader when asked.
  moveLeader(to, gapMs) {
    const next = to !== undefined ? to : (this.leader + 1) % this.centrals.length;
    if (!(gapMs > 0)) return this.setLeader(next);
    this.setLeader(null);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.setLeader(next);
    }, gapMs);
    t.unref();
    this.timers.add(t);
    return undefined;
  }

  delayFor(node) {
    const jitter = this.configureJitterMs > 0 ? hashInt(`jitter/${node.name}`) % (this.configureJitterMs + 1) : 0;
    return this.configureDelayMs + jitter;
  }

  /** Whether `node`'s monitor shows IPsec tunnels now: the flag as it was its delay ago. */
  visibleFlag(node, now) {
    const delay = this.delayFor(node);
    for (let i = this.history.length - 1; i >= 0; i--) {
      if (this.history[i].at + delay <= now) return this.history[i].value;
    }
    return this.history[0].value;
  }

  setFlag(value, settled) {
    const now = Date.now();
    if (settled) {
      this.history = [{ at: -Infinity, value }];
      return;
    }
    if (value === this.flag) return; // ovn-nbctl set to the same value changes nothing
    this.history.push({ at: now, value });
    // Changes every node has seen are folded into the base entry, so the list stays short.
    const settle = this.configureDelayMs + this.configureJitterMs;
    while (this.history.length > 1 && this.history[1].at + settle <= now) {
      this.history.shift();
      this.history[0].at = -Infinity;
    }
  }

  /** The exec responder for a simulated pod, or null when `t` targets another pod. */
  responder(t) {
    const { namespace, name } = t.podEntry.obj.metadata;
    const role = this.roles.get(`${namespace}/${name}`);
    if (!role) return null;
    return { latencyMs: this.execLatencyMs, dynamic: () => this.answer(role, t.argv) };
  }

  answer(role, argv) {
    // `--version` as OVS 3.1.0 and OVN 23.03.1 print it (Debian 12's packages, the lab's).
    if (role.role === 'central' && same(argv, ['ovn-nbctl', '--version'])) {
      return { stdout: 'ovn-nbctl 23.03.1\nOpen vSwitch Library 3.1.0\nDB Schema 7.0.0\n' };
    }
    if (role.role === 'central') return argv[0] === 'ovn-sbctl' ? this.sbctl(argv) : this.nbctl(role.index, argv);
    const node = role.node;
    if (same(argv, SYSTEM_ID)) return { stdout: `"${node.chassis}"\n` };
    if (same(argv, ['ovs-vsctl', '--version'])) return { stdout: 'ovs-vsctl (Open vSwitch) 3.1.0\nDB Schema 8.3.1\n' };
    if (same(argv, TUNNELS_SHOW)) {
      const now = Date.now();
      if (this.stopped.has(node.name)) return monitorNotRunning(now);
      if (this.garbage.has(node.name)) return { stdout: garbage(node) };
      const peers = this.visibleFlag(node, now) ? this.nodes.filter((n) => n !== node) : [];
      return { chunks: tunnelsShow(node, peers, this.sas, this.kubeovn.paths(node)) };
    }
    return this.verify.answer(node, argv) || this.init.answer(node, argv) || notSimulated(argv);
  }

  // ovn-nbctl in ovn-central replica `index`. Leader-only by default, like the real one. Commands
  // joined by `--` are one transaction: a `get` prints the value as it stands at that point in
  // it (so `get … -- set …` prints the value the set replaces), and nothing prints if it fails.
  nbctl(index, argv) {
    if (argv[0] !== 'ovn-nbctl') return notSimulated(argv);
    if (this.nbBroken) {
      return { exitCode: 1, stderr: `ovn-nbctl: ${NB_SOCKET}: database connection failed (Connection refused)\n` };
    }
    const opts = [];
    const words = [[]];
    for (const a of argv.slice(1)) {
      if (a === '--') words.push([]);
      else if (a.startsWith('-')) opts.push(a);
      else words[words.length - 1].push(a);
    }
    const commands = words.map(nbFlagCommand);
    // Only what is modelled: an option the plugin starts sending must be modelled here first.
    if (commands.some((c) => c === null) || opts.some((o) => o !== '--no-leader-only')) return notSimulated(argv);
    const writes = commands.some((c) => c.set !== undefined);
    const leader = index === this.leader && !this.leaderGap;
    if (!leader && !(!writes && opts.includes('--no-leader-only'))) return this.follower();
    if (writes) {
      this.setAttempts += 1;
      const move = this.moveOnSet;
      this.moveOnSet = null;
      if (move && move.mode === 'lost') {
        // The leader stepped down before the commit: the write is lost and ovn-nbctl says why.
        this.moveLeader(move.to, move.gapMs);
        return this.follower(true);
      }
      const stdout = this.transact(commands);
      if (move) this.moveLeader(move.to, move.gapMs);
      if (this.breakOnSet) {
        // The write committed; from now on the NB database answers no one (breakNbAfterSet).
        this.breakOnSet = false;
        this.nbBroken = true;
      }
      return { stdout };
    }
    return { stdout: this.transact(commands) };
  }

  // Runs parsed NB_Global.ipsec commands as one committed transaction; returns what gets print.
  transact(commands) {
    let value = this.flag;
    let stdout = '';
    for (const c of commands) {
      if (c.set === undefined) {
        this.gets += 1;
        stdout += `${value}\n`;
      } else {
        value = c.set;
      }
    }
    if (value !== this.flag) {
      this.sets += 1;   // committed writes that changed the flag (the IDL drops a same-value write)
      this.setFlag(value, false);
    }
    return stdout;
  }

  // `ovn-sbctl … list Chassis` in any replica (--no-leader-only): every node's chassis, with
  // Kube-OVN's hostname = node name, in ovn-sbctl's --format=json table.
  sbctl(argv) {
    if (!same(argv, SB_CHASSIS_LIST)) return notSimulated(argv);
    this.sbctlCalls += 1;
    if (this.sbChassis === 'fail') {
      return { exitCode: 1, stderr: 'ovn-sbctl: unix:/var/run/ovn/ovnsb_db.sock: database connection failed (No such file or directory)\n' };
    }
    if (this.sbChassis === 'garbage') return { stdout: '{"data":[["' };
    const data = this.nodes.map((n) => [n.chassis, n.name]);
    return { stdout: `${JSON.stringify({ data, headings: ['name', 'hostname'] })}\n` };
  }

  // What ovn-nbctl logs on a follower; a real one then retries forever ("hang" mimics that).
  follower(force) {
    if (this.followerNbctl === 'hang' && !force) return { hang: true };
    const stamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { exitCode: 1, stderr: `${stamp}|00002|ovsdb_cs|INFO|${NB_SOCKET}: clustered database server is not ` +
      'cluster leader; trying another server\n' };
  }

  /** GET /_test/sim. */
  state() {
    const now = Date.now();
    return { ipsec: this.flag, leader: this.leaderGap ? null : this.centrals[this.leader].obj.metadata.name,
      leaderIndex: this.leaderGap ? null : this.leader, centrals: this.centrals.map((p) => p.obj.metadata.name),
      sets: this.sets, setAttempts: this.setAttempts, gets: this.gets, layout: this.spec.layout,
      nodes: this.nodes.map((n) => Object.assign({ name: n.name, ip: n.ip, chassis: n.chassis, port: n.port,
        showsTunnels: this.visibleFlag(n, now), monitorStopped: this.stopped.has(n.name) }, this.kubeovn.nodeSummary(n))),
      sas: this.sas, moveLeaderOnNextSet: this.moveOnSet, configureDelayMs: this.configureDelayMs,
      configureJitterMs: this.configureJitterMs, execLatencyMs: this.execLatencyMs, followerNbctl: this.followerNbctl,
      sbChassis: this.sbChassis, sbctlCalls: this.sbctlCalls, breakNbAfterSet: this.breakOnSet, nbBroken: this.nbBroken,
      enableOvnIpsec: this.spec.enableOvnIpsec === undefined ? null : this.spec.enableOvnIpsec,
      init: this.init.state(), kubeovn: this.kubeovn.summary(), verify: this.verify.state() };
  }

  /** POST /_test/sim: applies each key of `patch` (README lists them); throws SimError on a bad one. */
  update(patch) {
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw new SimError('body must be a JSON object');
    for (const [k, v] of Object.entries(patch)) {
      if (INIT_UPDATES[k]) {
        INIT_UPDATES[k](this.init, v);
        continue;
      }
      if (VERIFY_UPDATES[k]) {
        VERIFY_UPDATES[k](this.verify, v);
        continue;
      }
      const apply = UPDATES[k];
      if (!apply) throw new SimError(`unknown key "${k}" (known: ${Object.keys(UPDATES).concat(Object.keys(INIT_UPDATES), Object.keys(VERIFY_UPDATES)).join(', ')})`);
      apply(this, v);
    }
    return this.state();
  }
}

// One ovn-nbctl command's words → { get: true } or { set: bool } on NB_Global.ipsec, else null.
function nbFlagCommand(words) {
  if (words.length !== 4 || !isNbGlobal(words[1]) || words[2] !== '.') return null;
  if (words[0] === 'get' && words[3] === 'ipsec') return { get: true };
  const set = words[0] === 'set' ? /^ipsec="?(true|false)"?$/.exec(words[3]) : null;
  return set ? { set: set[1] === 'true' } : null;
}

function isNbGlobal(table) {
  return table.toLowerCase() === 'nb_global';
}

function notSimulated(argv) {
  return { exitCode: 127, stderr: `koi-sim: \`${argv.join(' ')}\` is not simulated (tests/apiserver/README.md)\n` };
}

function nonNegative(key, v) {
  if (!Number.isInteger(v) || v < 0) throw new SimError(`${key} must be an integer >= 0`);
  return v;
}

function centralIndex(sim, v) {
  const k = Number.isInteger(v) ? v : sim.centrals.findIndex((p) => p.obj.metadata.name === v);
  if (!(k >= 0 && k < sim.centrals.length)) throw new SimError(`leader: no ovn-central replica ${JSON.stringify(v)}`);
  return k;
}

const UPDATES = {
  ipsec: (sim, v) => {
    if (typeof v !== 'boolean') throw new SimError('ipsec must be true or false');
    sim.setFlag(v, true); // set from outside: every node already shows it
  },
  leader: (sim, v) => sim.setLeader(centralIndex(sim, v)),
  moveLeaderOnNextSet: (sim, v) => {
    if (v === false || v === null) {
      sim.moveOnSet = null;
      return;
    }
    const m = v === true || typeof v === 'string' ? { mode: v === true ? 'applied' : v } : Object.assign({ mode: 'applied' }, v);
    if (!['applied', 'lost'].includes(m.mode)) throw new SimError('moveLeaderOnNextSet.mode must be "applied" or "lost"');
    if (m.to !== undefined) m.to = centralIndex(sim, m.to);
    if (m.gapMs !== undefined) nonNegative('moveLeaderOnNextSet.gapMs', m.gapMs);
    sim.moveOnSet = m;
  },
  breakNbAfterSet: (sim, v) => {
    if (typeof v !== 'boolean') throw new SimError('breakNbAfterSet must be true or false');
    sim.breakOnSet = v;
    if (!v) sim.nbBroken = false;
  },
  addNode: (sim, v) => {
    const opts = v === true ? {} : v;
    if (!opts || typeof opts !== 'object') throw new SimError('addNode must be true or {"name": ...}');
    const before = sim.podKeys.length;
    sim.podsFor(sim.addNode(opts), false, false);
    for (const key of sim.podKeys.slice(before)) sim.cluster.workloads.adopt(key); // the DaemonSets grow
  },
  restartPods: (sim, v) => {
    // Deletes the nodes' kube-ovn-cni pods: the DaemonSet starts new ones (lib/workloads.js).
    const names = new Set(sim.names(v, 'restartPods'));
    const keys = [...sim.roles].filter(([key, r]) => r.role === 'node' && names.has(r.node.name) &&
      (sim.cluster.pods.get(key).obj.metadata.labels || {}).app === 'kube-ovn-cni').map(([key]) => key);
    for (const key of keys) sim.cluster.workloads.deletePod(key);
  },
  restartController: (sim, v) => {
    if (v !== true) throw new SimError('restartController must be true');
    const w = sim.cluster.workloads.deployments.get('kube-system/kube-ovn-controller');
    for (const key of w ? [...w.pods] : []) sim.cluster.workloads.deletePod(key);
  },
  csrPollMs: (sim, v) => {
    if (!Number.isInteger(v) || v < 1) throw new SimError('csrPollMs must be an integer >= 1');
    sim.kubeovn.csrPollMs = v;
  },
  csrTimeoutMs: (sim, v) => {
    if (!Number.isInteger(v) || v < 1) throw new SimError('csrTimeoutMs must be an integer >= 1');
    sim.kubeovn.csrTimeoutMs = v;
  },
  stopMonitor: (sim, v) => sim.names(v, 'stopMonitor').forEach((n) => sim.stopped.add(n)),
  startMonitor: (sim, v) => sim.names(v, 'startMonitor').forEach((n) => sim.stopped.delete(n)),
  garbageNodes: (sim, v) => {
    sim.garbage = new Set(sim.names(v, 'garbageNodes'));
  },
  sas: (sim, v) => {
    if (!SAS.includes(v)) throw new SimError(`sas must be one of ${SAS.join(', ')}`);
    sim.sas = v;
  },
  followerNbctl: (sim, v) => {
    if (!FOLLOWER.includes(v)) throw new SimError(`followerNbctl must be one of ${FOLLOWER.join(', ')}`);
    sim.followerNbctl = v;
  },
  sbChassis: (sim, v) => {
    if (!SB_CHASSIS.includes(v)) throw new SimError(`sbChassis must be one of ${SB_CHASSIS.join(', ')}`);
    sim.sbChassis = v;
  },
  configureDelayMs: (sim, v) => {
    sim.configureDelayMs = nonNegative('configureDelayMs', v);
  },
  configureJitterMs: (sim, v) => {
    sim.configureJitterMs = nonNegative('configureJitterMs', v);
  },
  execLatencyMs: (sim, v) => {
    sim.execLatencyMs = nonNegative('execLatencyMs', v);
  },
};

module.exports = { Sim, SimError };
