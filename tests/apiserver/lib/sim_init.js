'use strict';
// The node side of `kubectl ko ipsec init` in the simulated cluster (README "Simulated Kube-OVN
// cluster", init): a node pod asked to run `sh -c SCRIPT sh ARGS...` runs it with the real sh
// and openssl, its /etc/ipsec.d mapped into a per-node directory under a temp root this server
// owns (removed at exit), and an ovs-vsctl stub first on PATH that keeps other_config:* per node
// in files. Spawns go through a small queue so 50 nodes do not start 50 openssl at once.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { monitorNotRunning } = require('./sim_show');
const { SimError } = require('./sim_spec');

const IPSEC_DIR = '/etc/ipsec.d';
const KEYS_DIR = '/etc/ovs_ipsec_keys'; // Kube-OVN >= 1.13's key directory (lib/sim_kubeovn.js)
const REFRESH = ['ovs-appctl', '-t', 'ovs-monitor-ipsec', 'refresh'];
const REREAD_CA = ['ipsec', 'rereadcacerts'];
// Are the IPsec daemons up, and ipsec.sh's way to start them (src/ipsec/init_plan.hpp):
// `service openvswitch-ipsec start` starts ovs-monitor-ipsec (which restarts strongSwan),
// `service ipsec start` strongSwan. One `stopped` flag per node stands for both daemons.
const MONITOR_ALIVE = ['ovs-appctl', '-t', 'ovs-monitor-ipsec', 'version'];
const IKE_ALIVE = ['ipsec', 'status'];
const STEPS = ['probe', 'keygen', 'install-ca', 'reread-ca', 'install-cert', 'configure', 'shell', 'refresh', 'reload-ike',
  'start-monitor', 'start-ike'];
const MAX_SHELLS = 8;

// What the plugin's commands use of ovs-vsctl (src/ipsec/init_plan.cpp): `[--if-exists] get
// Open_vSwitch . other_config:K|external_ids:system-id` and `set Open_vSwitch . other_config:K=V...`.
// Values live in $KOI_NODE_DIR/ovsdb/<column>/<key>; `get` prints them quoted, like OVSDB strings.
const OVS_VSCTL_STUB = `#!/bin/sh
db="$KOI_NODE_DIR/ovsdb"
ifexists=
if [ "$1" = --if-exists ]; then ifexists=1; shift; fi
[ "$2" = Open_vSwitch ] && [ "$3" = . ] || { echo "ovs-vsctl (koi-sim stub): unsupported: $*" >&2; exit 1; }
case "$1" in
  get)
    [ $# -eq 4 ] || { echo "ovs-vsctl (koi-sim stub): get takes one column:key" >&2; exit 1; }
    col=\${4%%:*}; key=\${4#*:}
    case "$col" in other_config|external_ids) ;; *) echo "ovs-vsctl: Open_vSwitch does not contain a column whose name matches \\"$col\\"" >&2; exit 1;; esac
    if [ -f "$db/$col/$key" ]; then printf '"%s"\\n' "$(cat "$db/$col/$key")"; exit 0; fi
    [ -n "$ifexists" ] && exit 0
    echo "ovs-vsctl: no key \\"$key\\" in Open_vSwitch record \\".\\" column $col" >&2; exit 1;;
  set)
    shift 3
    for kv in "$@"; do
      case "$kv" in other_config:*=*) ;; *) echo "ovs-vsctl (koi-sim stub): unsupported set $kv" >&2; exit 1;; esac
    done
    mkdir -p "$db/other_config"
    for kv in "$@"; do k=\${kv%%=*}; k=\${k#other_config:}; printf '%s' "\${kv#*=}" > "$db/other_config/$k"; done
    exit 0;;
esac
echo "ovs-vsctl (koi-sim stub): unsupported: $*" >&2; exit 1
`;

function same(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// Which of init's steps a `sh -c` script is (init_plan.cpp's scripts), for counters and knobs.
function stepOf(script) {
  if (script.includes('ipsec rereadsecrets')) return 'reload-ike';
  if (script.includes('openssl genrsa')) return 'keygen';
  if (script.includes('--- certificate')) return 'probe';
  if (script.includes('$2.new')) return 'install-cert';
  if (script.includes('cat >')) return 'install-ca';
  return 'shell';
}

// `sh -c '…service "$1" start…' sh SERVICE` (start_daemons_commands) → SERVICE, else null.
function startedService(argv) {
  const ok = argv.length === 5 && argv[0] === 'sh' && argv[1] === '-c' && argv[2].includes('service "$1" start') &&
    ['openvswitch-ipsec', 'ipsec'].includes(argv[4]);
  return ok ? argv[4] : null;
}

// Both directories a node pod has (/etc/ipsec.d, and /etc/ovs_ipsec_keys where Kube-OVN >= 1.13
// keeps its keys) become the node's own under <root>/nodes/<node>/etc.
function mapPath(text, dir) {
  return text.split(IPSEC_DIR).join(path.join(dir, 'etc/ipsec.d')).split(KEYS_DIR).join(path.join(dir, 'etc/ovs_ipsec_keys'));
}

/** The init side of a Sim: per-node files and other_config, counters, and the fault knobs. */
class SimInit {
  constructor(sim) {
    this.sim = sim;
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-sim-init-'));
    this.bin = path.join(this.root, 'bin');
    fs.mkdirSync(this.bin);
    fs.writeFileSync(path.join(this.bin, 'ovs-vsctl'), OVS_VSCTL_STUB, { mode: 0o755 });
    this.running = 0;
    this.queue = [];
    this.peak = 0;
    process.on('exit', () => fs.rmSync(this.root, { recursive: true, force: true }));
    this.reset();
  }

  /** Every node's files and other_config gone, counters and knobs cleared. */
  reset() {
    fs.rmSync(path.join(this.root, 'nodes'), { recursive: true, force: true });
    this.steps = new Map(); // node name -> {step: count}
    this.failKeygen = new Set();
    this.hang = new Map(); // node name -> step
    this.startMs = 0;
    this.starting = 0;
    this.peakStarts = 0; // most daemon starts (service ... start) running at once
  }

  dir(node) {
    return path.join(this.root, 'nodes', node.name);
  }

  // The node's directory with its system-id in "OVSDB", made on first use.
  ensureNode(node) {
    const dir = this.dir(node);
    const idFile = path.join(dir, 'ovsdb/external_ids/system-id');
    if (!fs.existsSync(idFile)) {
      fs.mkdirSync(path.dirname(idFile), { recursive: true });
      fs.writeFileSync(idFile, node.chassis);
    }
    return dir;
  }

  count(node, step) {
    const c = this.steps.get(node.name) || {};
    c[step] = (c[step] || 0) + 1;
    this.steps.set(node.name, c);
  }

  /** The answer for `argv` in `node`'s pod, or null when it is not one of init's commands. */
  answer(node, argv) {
    if (same(argv, REFRESH)) {
      this.count(node, 'refresh');
      return this.sim.stopped.has(node.name) ? monitorNotRunning(Date.now()) : { stdout: '' };
    }
    if (same(argv, MONITOR_ALIVE)) {
      return this.sim.stopped.has(node.name) ? monitorNotRunning(Date.now()) : { stdout: 'ovs-monitor-ipsec (Open vSwitch) 3.1.0\n' };
    }
    if (same(argv, IKE_ALIVE)) {
      return this.sim.stopped.has(node.name)
        ? { exitCode: 7, stderr: "connecting to 'unix:///var/run/charon.ctl' failed: No such file or directory\n" }
        : { stdout: 'Security Associations (0 up, 0 connecting):\n  none\n' };
    }
    const service = startedService(argv);
    if (service) {
      // Answered here, never by a shell: the host's own `service` must not run.
      this.count(node, service === 'ipsec' ? 'start-ike' : 'start-monitor');
      if (service === 'openvswitch-ipsec') this.sim.stopped.delete(node.name);
      if (!this.startMs) return { stdout: '' };
      // startMs (knob): each start lasts that long, as a real init script takes a while (OVS's
      // ovs-ctl start-ovs-ipsec waits for its pidfile), so overlapping starts can be counted.
      return { spawn: (start) => {
        const child = start(['sleep', String(this.startMs / 1000)], {});
        if (!child) return null;
        this.starting += 1;
        this.peakStarts = Math.max(this.peakStarts, this.starting);
        child.on('close', () => { this.starting -= 1; });
        return child;
      } };
    }
    if (same(argv, REREAD_CA)) {
      // strongSwan runs beside the monitor; a stopped monitor stands for both being down.
      this.count(node, 'reread-ca');
      return this.sim.stopped.has(node.name)
        ? { exitCode: 7, stderr: "failed to connect to stroke socket 'unix:///var/run/charon.ctl'\n" } : { stdout: '' };
    }
    const shell = argv.length >= 3 && argv[0] === 'sh' && argv[1] === '-c';
    if (!shell && argv[0] !== 'ovs-vsctl') return null;
    const step = shell ? stepOf(argv[2]) : 'configure';
    this.count(node, step);
    if (this.hang.get(node.name) === step) return { hang: true };
    // reload_credentials_command (src/ipsec/init_plan.cpp): strongSwan's reread and reload, then a
    // background `ipsec up` that detaches at once in a real pod; the simulated daemons have no SAs
    // to bring up. Never run on the test machine.
    if (step === 'reload-ike') {
      return this.sim.stopped.has(node.name)
        ? { exitCode: 7, stderr: "failed to connect to stroke socket 'unix:///var/run/charon.ctl'\n" } : { stdout: '' };
    }
    if (step === 'keygen' && this.failKeygen.delete(node.name)) {
      return { exitCode: 1, stderr: 'openssl: error while loading shared libraries: libcrypto.so.3: cannot open shared object file: No such file or directory\n' };
    }
    if (step === 'probe' && !fs.existsSync(this.dir(node))) {
      // A node init never touched has nothing to show: answer what the probe script prints
      // there without a shell, so `status` over 1000 simulated nodes measures the plugin, not
      // 1000 shells queued 8 at a time on the test machine.
      return { stdout: 'certificate=\nprivate_key=\nca_cert=\nkey=absent\nca=absent\n--- certificate\n' };
    }
    const dir = this.ensureNode(node);
    const run = shell
      ? ['sh', '-c', mapPath(argv[2], dir), ...argv.slice(3).map((a) => mapPath(a, dir))]
      : [path.join(this.bin, 'ovs-vsctl'), ...argv.slice(1)];
    const env = Object.assign({}, process.env, { PATH: `${this.bin}:${process.env.PATH || '/usr/bin:/bin'}`, KOI_NODE_DIR: dir });
    return { spawn: (start) => this.whenFree(() => start(run, { env, cwd: dir })) };
  }

  // Runs `launch` (which returns the child or null) once fewer than MAX_SHELLS run.
  whenFree(launch) {
    if (this.running >= MAX_SHELLS) {
      this.queue.push(launch);
      return;
    }
    this.running += 1;
    this.peak = Math.max(this.peak, this.running);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.running -= 1;
      const next = this.queue.shift();
      if (next) this.whenFree(next);
    };
    const child = launch();
    if (!child) return release();
    child.on('close', release);
    child.on('error', release);
    return undefined;
  }

  // other_config:* of a node, as the stub holds it.
  otherConfig(dir) {
    const out = {};
    const col = path.join(dir, 'ovsdb/other_config');
    for (const k of fs.existsSync(col) ? fs.readdirSync(col) : []) out[k] = fs.readFileSync(path.join(col, k), 'utf8');
    return out;
  }

  /** The "init" member of GET /_test/sim: the temp root and every node touched so far. */
  state() {
    const nodes = {};
    for (const node of this.sim.nodes) {
      const dir = this.dir(node);
      if (!this.steps.has(node.name) && !fs.existsSync(dir)) continue;
      nodes[node.name] = { dir, ipsecDir: path.join(dir, 'etc/ipsec.d'), otherConfig: this.otherConfig(dir),
        steps: this.steps.get(node.name) || {} };
    }
    return { root: this.root, maxShells: MAX_SHELLS, peakShells: this.peak, peakStarts: this.peakStarts, failKeygen: [...this.failKeygen],
      hang: Object.fromEntries(this.hang), nodes };
  }
}

// POST /_test/sim keys for init; `si` is the SimInit.
const INIT_UPDATES = {
  wipeIpsecFiles: (si, v) => si.sim.names(v, 'wipeIpsecFiles').forEach((n) => {
    fs.rmSync(path.join(si.root, 'nodes', n, 'etc/ipsec.d'), { recursive: true, force: true });
  }),
  wipeOvsIpsecKeys: (si, v) => si.sim.names(v, 'wipeOvsIpsecKeys').forEach((n) => {
    fs.rmSync(path.join(si.root, 'nodes', n, 'etc/ovs_ipsec_keys'), { recursive: true, force: true });
  }),
  failKeygen: (si, v) => si.sim.names(v, 'failKeygen').forEach((n) => si.failKeygen.add(n)),
  startMs: (si, v) => {
    if (!Number.isInteger(v) || v < 0 || v > 10000) throw new SimError('startMs must be an integer 0..10000');
    si.startMs = v;
  },
  hangInitStep: (si, v) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SimError('hangInitStep must be {"<node>": "<step>"}');
    si.hang.clear();
    for (const [k, step] of Object.entries(v)) {
      if (!STEPS.includes(step)) throw new SimError(`hangInitStep: step must be one of ${STEPS.join(', ')}`);
      si.hang.set(si.sim.names(k, 'hangInitStep')[0], step);
    }
  },
};

module.exports = { SimInit, INIT_UPDATES };
