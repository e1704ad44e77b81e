'use strict';
// Kube-OVN >= 1.13's own IPsec management in the simulated cluster (layout kube-ovn-cni; README
// "Kube-OVN's IPsec management"), run when the server (re)starts a pod:
//   kube-ovn-controller (pkg/controller/controller.go Run, pkg/controller/pki.go, signer.go):
//     sets NB_Global.ipsec to its --enable-ovn-ipsec; with true creates Secret ovn-ipsec-ca if
//     absent (ovs-pki init: a self-signed RSA CA, key in PKCS#8) and auto-approves and signs every
//     CSR of signer kubeovn.io/signer named ovn-ipsec-<node> with usages ["ipsec tunnel"].
//   kube-ovn-cni / cni-server (pkg/daemon/controller.go Run, pkg/daemon/ipsec.go, v1.13/v1.14):
//     with true ManageIPSecKeys — unless /etc/ovs_ipsec_keys/ipsec-cert.pem exists and is under a
//     year old: genrsa, `openssl req -new -text`, CSR ovn-ipsec-<node>, poll it every second (300
//     s at most), ipsec-cert.pem as `openssl x509 -outform pem -text` output, ipsec-cacert.pem
//     from the Secret, delete the CSR, other_config:certificate/private_key/ca_cert — then the CA
//     link in /etc/ipsec.d/cacerts and the daemons started if not running; with false
//     StopAndClearIPSecResouce: daemons stopped, key files and other_config keys removed.
// Real files and real openssl (a few at a time), in the node directories of lib/sim_init.js.

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { spawn } = require('child_process');

const SIGNER = 'kubeovn.io/signer';                 // pkg/util/const.go SignerName
const CA_SECRET = 'ovn-ipsec-ca';                   // pkg/util/const.go DefaultOVNIPSecCA
const NAMESPACE = 'kube-system';
const KEY_DIR = '/etc/ovs_ipsec_keys';              // pkg/daemon/ipsec.go ipsecKeyDir
const FILES = { privkey: 'ipsec-privkey.pem', req: 'ipsec-req.pem', cacert: 'ipsec-cacert.pem', cert: 'ipsec-cert.pem' };
const CA_LINK = 'etc/ipsec.d/cacerts/ipsec-cacert.pem'; // linkCACertToIPSecDir's target
const OTHER_CONFIG = { certificate: `${KEY_DIR}/${FILES.cert}`, private_key: `${KEY_DIR}/${FILES.privkey}`,
  ca_cert: `${KEY_DIR}/${FILES.cacert}` };
const CNI_USER = { name: 'system:serviceaccount:kube-system:kube-ovn-cni',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] };
const MAX_OPENSSL = 4;
const CERT_RENEW_MS = 365 * 24 * 3600 * 1000; // ipsec.go expireTime

function isoNow() {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The value of a container's --enable-ovn-ipsec arg (Go flag: bare = true, absent = false). */
function ipsecFlag(podObj, container) {
  const c = podObj.spec.containers.find((x) => x.name === container) || podObj.spec.containers[0];
  let value = false;
  for (const a of [...(c.command || []), ...(c.args || [])]) {
    if (a === '--enable-ovn-ipsec' || a === '-enable-ovn-ipsec') value = true;
    const m = /^--?enable-ovn-ipsec=(.*)$/.exec(a);
    if (m) value = ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(m[1]);
  }
  return value;
}

function mountsKeys(podObj) {
  const c = podObj.spec.containers.find((x) => x.name === 'cni-server') || podObj.spec.containers[0];
  return (c.volumeMounts || []).some((m) => m.mountPath.replace(/\/+$/, '') === KEY_DIR);
}

class SimKubeOvn {
  constructor(sim) {
    this.sim = sim;
    this.cluster = sim.cluster;
    this.running = 0;
    this.queue = [];
    this.timers = new Set();
    this.epoch = 0;
    this.cluster.csrs.listeners.add((type, obj) => this.onCsr(type, obj));
  }

  get init() {
    return this.sim.init;
  }

  /** Everything back to the file's state: no node started, the controller's flag from the file. */
  reset() {
    this.epoch += 1;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.createdCa) this.cluster.secrets.delete(`${NAMESPACE}/${CA_SECRET}`);
    this.createdCa = false;
    this.caPromise = null;
    this.madeUpStart = false;
    const s = this.sim.spec;
    this.controller = { flag: s.layout === 'kube-ovn-cni' ? s.enableOvnIpsec : null, pod: null, starts: 0,
      signerReady: s.layout === 'kube-ovn-cni' && s.enableOvnIpsec, nbSets: 0 };
    this.csrPollMs = s.csrPollMs;
    this.csrTimeoutMs = s.csrTimeoutMs;
    this.nodes = new Map(); // node name -> state, for nodes whose cni-server the server started
    this.signed = 0;
    this.approved = 0;
  }

  timer(ms, fn) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  // ---- openssl, MAX_OPENSSL at a time -------------------------------------------------------

  openssl(args, opts) {
    return new Promise((resolve) => {
      const launch = () => {
        this.running += 1;
        const child = spawn('openssl', args, { cwd: opts && opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => { stdout += d; });
        child.stderr.on('data', (d) => { stderr += d; });
        child.stdin.on('error', () => {});
        const done = (code) => {
          this.running -= 1;
          const next = this.queue.shift();
          if (next) next();
          resolve({ code, stdout, stderr });
        };
        child.on('error', (e) => done(`${e.message}`));
        child.on('close', (code) => done(code));
        child.stdin.end((opts && opts.input) || '');
      };
      if (this.running >= MAX_OPENSSL) this.queue.push(launch);
      else launch();
    });
  }

  async mustOpenssl(args, opts) {
    const r = await this.openssl(args, opts);
    if (r.code !== 0) throw new Error(`openssl ${args[0]}: ${String(r.stderr).trim() || `exit ${r.code}`}`);
    return r;
  }

  // ---- kube-ovn-controller --------------------------------------------------------------------

  /** A kube-ovn-controller pod became ready: Run() with its --enable-ovn-ipsec. */
  controllerStarted(entry) {
    const flag = ipsecFlag(entry.obj, 'kube-ovn-controller');
    const c = this.controller;
    Object.assign(c, { flag, pod: entry.obj.metadata.name, starts: c.starts + 1, signerReady: false });
    // SetOVNIPSec(c.config.EnableOVNIPSec): NB_Global.ipsec follows the flag, true or false.
    if (!this.sim.nbBroken && flag !== this.sim.flag) {
      this.sim.setFlag(flag, false);
      c.nbSets += 1;
    }
    if (!flag) return; // no CSR informer handlers without the flag
    const epoch = this.epoch;
    this.ensureCa().then(() => {
      if (epoch !== this.epoch || !this.controller.flag) return;
      this.controller.signerReady = true;
      for (const csr of this.cluster.csrs.list()) this.handleCsr(csr.metadata.name);
    }, (e) => { c.error = e.message; });
  }

  // InitDefaultOVNIPsecCA: the Secret is created only when absent (`ovs-pki init --force`).
  ensureCa() {
    if (this.cluster.secrets.has(`${NAMESPACE}/${CA_SECRET}`)) return Promise.resolve();
    if (this.caPromise) return this.caPromise;
    const epoch = this.epoch;
    const dir = fs.mkdtempSync(path.join(this.init.root, 'ca-'));
    const stamp = new Date().toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$3 $2 $1 $4');
    this.caPromise = this.mustOpenssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'cakey.pem', '-out', 'cacert.pem',
      '-days', '3650', '-subj', `/C=US/ST=CA/L=Palo Alto/O=Open vSwitch/OU=switchca/CN=OVS switchca CA Certificate (${stamp})`],
    { cwd: dir }).then(() => {
      const cacert = fs.readFileSync(path.join(dir, 'cacert.pem'));
      const cakey = fs.readFileSync(path.join(dir, 'cakey.pem'));
      fs.rmSync(dir, { recursive: true, force: true });
      this.caPromise = null;
      if (epoch !== this.epoch || this.cluster.secrets.has(`${NAMESPACE}/${CA_SECRET}`)) return;
      const secret = this.cluster.newSecret(NAMESPACE, { metadata: { name: CA_SECRET },
        data: { cacert: cacert.toString('base64'), cakey: cakey.toString('base64') } });
      this.cluster.secrets.set(`${NAMESPACE}/${CA_SECRET}`, secret);
      this.createdCa = true;
    });
    return this.caPromise;
  }

  onCsr(type, obj) {
    if (type !== 'DELETED' && this.controller.flag && this.controller.signerReady) this.handleCsr(obj.metadata.name);
  }

  // isOVNIPSecCSR (v1.14.x): the signer, the name ovn-ipsec-<an existing linux node>, the usages.
  ours(csr) {
    const node = csr.metadata.name.startsWith('ovn-ipsec-') ? this.cluster.nodes.get(csr.metadata.name.slice('ovn-ipsec-'.length)) : null;
    return csr.spec.signerName === SIGNER && node && node.status.nodeInfo.operatingSystem === 'linux' &&
      JSON.stringify(csr.spec.usages) === JSON.stringify(['ipsec tunnel']);
  }

  // handleAddOrUpdateCsr: approve (AutoApproved), then on the next event sign with the CA.
  handleCsr(name) {
    const csr = this.cluster.csrs.get(name);
    if (!csr || !this.ours(csr) || (csr.status && csr.status.certificate)) return;
    const types = new Set(((csr.status && csr.status.conditions) || []).map((c) => c.type));
    if (types.has('Failed') || types.has('Denied')) return; // failed: not retried; denied: approving would be invalid
    if (!types.has('Approved')) {
      const now = isoNow();
      const conditions = ((csr.status && csr.status.conditions) || []).concat([{ type: 'Approved', status: 'True',
        reason: 'AutoApproved', message: `Automatically approved by ${SIGNER}`, lastUpdateTime: now, lastTransitionTime: now }]);
      this.approved += 1;
      this.cluster.csrs.update(name, { metadata: {}, status: { conditions } }, 'approval'); // → MODIFIED → here again
      return;
    }
    if (this.signing && this.signing.has(name)) return;
    this.signing = this.signing || new Set();
    this.signing.add(name);
    const epoch = this.epoch;
    this.sign(csr).then((r) => {
      this.signing.delete(name);
      if (epoch !== this.epoch) return;
      const cur = this.cluster.csrs.get(name);
      if (!cur || cur.metadata.uid !== csr.metadata.uid || (cur.status && cur.status.certificate)) return;
      const status = Object.assign({}, cur.status);
      if (r.certificate) {
        status.certificate = Buffer.from(r.certificate).toString('base64');
        this.signed += 1;
      } else {
        status.conditions = (status.conditions || []).concat([{ type: 'Failed', status: 'True', reason: r.reason,
          message: r.message, lastUpdateTime: isoNow(), lastTransitionTime: isoNow() }]);
      }
      this.cluster.csrs.update(name, { metadata: {}, status }, 'status');
    }).catch((e) => {
      this.signing.delete(name);
      this.controller.error = `signing ${name}: ${e.message}`;
    });
  }

  // signCSR(newCertificateTemplate(req)): subject and DNS names copied, SHA512WithRSA, 10 years.
  async sign(csr) {
    // A controller running since the server started (enableOvnIpsec true, no start seen) made
    // the Secret at its start: that start is made up now, once, if the Secret is absent.
    if (this.controller.starts === 0 && !this.madeUpStart) {
      this.madeUpStart = true;
      await this.ensureCa();
    }
    const secret = this.cluster.secrets.get(`${NAMESPACE}/${CA_SECRET}`);
    if (!secret) {
      return { reason: 'CAFailure', message: `Could not get CA certificate and key: secrets "${CA_SECRET}" not found` };
    }
    const request = Buffer.from(csr.spec.request, 'base64').toString('latin1');
    if (!/-----BEGIN CERTIFICATE REQUEST-----/.test(request)) {
      return { reason: 'CSRDecodeFailure', message: 'Could not decode Certificate Request: certificate PEM block type must be CERTIFICATE_REQUEST' };
    }
    const cacert = Buffer.from((secret.data || {}).cacert || '', 'base64').toString('latin1');
    const cakey = Buffer.from((secret.data || {}).cakey || '', 'base64').toString('latin1');
    if (!/-----BEGIN CERTIFICATE-----/.test(cacert)) {
      return { reason: 'CorruptCACert', message: `Unable to decode CA certificate for ${SIGNER}: certificate PEM block type must be CERTIFICATE` };
    }
    if (!/^-----BEGIN PRIVATE KEY-----/m.test(cakey)) {
      return { reason: 'CorruptCAKey', message: `Unable to decode CA private key for ${SIGNER}: certificate PEM block type must be PRIVATE KEY` };
    }
    const dir = fs.mkdtempSync(path.join(this.init.root, 'sign-'));
    try {
      fs.writeFileSync(path.join(dir, 'req.pem'), request);
      fs.writeFileSync(path.join(dir, 'ca.pem'), cacert);
      fs.writeFileSync(path.join(dir, 'cakey.pem'), cakey, { mode: 0o600 });
      fs.writeFileSync(path.join(dir, 'ext.cnf'), 'basicConstraints=critical,CA:FALSE\n');
      const serial = `0x${crypto.randomBytes(8).toString('hex').replace(/^./, (c) => (parseInt(c, 16) & 3).toString(16))}`;
      const r = await this.openssl(['x509', '-req', '-in', 'req.pem', '-CA', 'ca.pem', '-CAkey', 'cakey.pem', '-set_serial', serial,
        '-days', '3650', '-sha512', '-copy_extensions', 'copy', '-extfile', 'ext.cnf'], { cwd: dir });
      if (r.code !== 0) return { reason: 'SigningFailure', message: `Unable to sign certificate for ${csr.metadata.name} and signer ${SIGNER}: ${String(r.stderr).trim()}` };
      return { certificate: r.stdout };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  // ---- kube-ovn-cni ---------------------------------------------------------------------------

  state(node) {
    if (!this.nodes.has(node.name)) {
      this.nodes.set(node.name, { pod: null, flag: null, mounted: null, starts: 0, seq: 0, enrollment: 'none',
        enrollments: 0, csrCollected: false, error: null });
    }
    return this.nodes.get(node.name);
  }

  keysDir(node) {
    return path.join(this.init.dir(node), 'etc/ovs_ipsec_keys');
  }

  /** A cni-server container (re)started on `node` (pod `entry`): Run()'s IPsec part. */
  cniStarted(node, entry) {
    const st = this.state(node);
    st.seq += 1;
    st.starts += 1;
    st.pod = entry.obj.metadata.name;
    st.flag = ipsecFlag(entry.obj, 'cni-server');
    st.mounted = mountsKeys(entry.obj);
    st.error = null;
    this.init.ensureNode(node);
    // Without the hostPath mount the container starts with an empty /etc/ovs_ipsec_keys.
    if (!st.mounted) fs.rmSync(this.keysDir(node), { recursive: true, force: true });
    if (!st.flag) {
      this.clear(node, st);
      return;
    }
    st.enrollment = 'running';
    const seq = st.seq;
    const epoch = this.epoch;
    this.manage(node, st, () => epoch === this.epoch && seq === st.seq).catch((e) => {
      if (epoch !== this.epoch || seq !== st.seq) return;
      st.enrollment = 'failed';
      st.error = e.message;
    });
  }

  // StopAndClearIPSecResouce: stop both daemons, RemoveIPSecKeys, flush xfrm (nothing to flush here).
  clear(node, st) {
    this.sim.stopped.add(node.name);
    const dir = this.keysDir(node);
    for (const f of Object.values(FILES)) fs.rmSync(path.join(dir, f), { force: true });
    const oc = path.join(this.init.dir(node), 'ovsdb/other_config');
    for (const k of Object.keys(OTHER_CONFIG)) fs.rmSync(path.join(oc, k), { force: true });
    fs.rmSync(path.join(this.init.dir(node), CA_LINK), { force: true });
    st.enrollment = 'cleared';
  }

  // ManageIPSecKeys: keep a certificate under a year old, else CreateIPSecKeys; then StartIPSecService.
  async manage(node, st, live) {
    const dir = this.keysDir(node);
    const certFile = path.join(dir, FILES.cert);
    let keep = false;
    if (fs.existsSync(certFile)) {
      const cert = new crypto.X509Certificate(fs.readFileSync(certFile));
      keep = Date.now() - Date.parse(cert.validFrom) <= CERT_RENEW_MS;
    }
    if (!keep) {
      fs.mkdirSync(dir, { recursive: true });
      await this.createKeys(node, st, dir, live);
      if (!live()) return;
    }
    // StartIPSecService: the CA link (if missing), then each daemon started unless running.
    const link = path.join(this.init.dir(node), CA_LINK);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    if (!fs.existsSync(link)) {
      fs.rmSync(link, { force: true });
      // Relative, so it resolves inside the node directory (the pod's is absolute: ipsecCACertPath).
      fs.symlinkSync(`../../ovs_ipsec_keys/${FILES.cacert}`, link);
    }
    this.sim.stopped.delete(node.name);
    st.enrollment = keep ? 'kept' : 'done';
  }

  // CreateIPSecKeys: key, request, CSR, certificate, CA file, CSR deleted, other_config set.
  async createKeys(node, st, dir, live) {
    const cn = node.chassis;
    await this.nodeKey(node, path.join(dir, FILES.privkey));
    if (!live()) return;
    await this.mustOpenssl(['req', '-new', '-text', '-extensions', 'v3_req', '-addext', `subjectAltName = DNS:${cn}`,
      '-subj', `/C=CN/O=kubeovn/OU=kind/CN=${cn}`, '-key', FILES.privkey, '-out', FILES.req], { cwd: dir });
    if (!live()) return;
    const name = `ovn-ipsec-${node.name}`;
    const body = { metadata: { name }, spec: { request: fs.readFileSync(path.join(dir, FILES.req)).toString('base64'),
      signerName: SIGNER, usages: ['ipsec tunnel'] } };
    const created = this.cluster.csrs.create(body, CNI_USER); // AlreadyExists: the existing one is waited for
    if (created.code !== 201 && created.code !== 409) throw new Error(`failed to create csr: ${created.status.message}`);
    st.enrollments += 1;
    st.csrCollected = false;
    const cert = await this.waitSigned(name, live);
    if (!live()) return;
    const text = await this.mustOpenssl(['x509', '-outform', 'pem', '-text', '-out', FILES.cert], { cwd: dir, input: cert });
    if (!live() || !text) return;
    const secret = this.cluster.secrets.get(`${NAMESPACE}/${CA_SECRET}`);
    if (!secret) throw new Error(`secrets "${CA_SECRET}" not found`);
    fs.writeFileSync(path.join(dir, FILES.cacert), Buffer.from((secret.data || {}).cacert || '', 'base64'), { mode: 0o600 });
    const del = this.cluster.csrs.delete(name);
    if (del.code !== 200) throw new Error(`failed to delete csr: ${del.status.message}`);
    st.csrCollected = true;
    const oc = path.join(this.init.dir(node), 'ovsdb/other_config');
    fs.mkdirSync(oc, { recursive: true });
    for (const [k, v] of Object.entries(OTHER_CONFIG)) fs.writeFileSync(path.join(oc, k), v);
  }

  // `openssl genrsa -out ipsec-privkey.pem 2048`, made once per node and server run, then copied.
  async nodeKey(node, file) {
    const cache = path.join(this.init.root, 'keycache', `${node.name}.pem`);
    if (!fs.existsSync(cache)) {
      fs.mkdirSync(path.dirname(cache), { recursive: true });
      await this.mustOpenssl(['genrsa', '-out', `${cache}.tmp`, '2048']);
      fs.renameSync(`${cache}.tmp`, cache);
    }
    fs.copyFileSync(cache, file);
    fs.chmodSync(file, 0o600);
  }

  // The createCSR loop: Get, certificate yet? else sleep csrPollMs; give up after csrTimeoutMs.
  waitSigned(name, live) {
    const start = Date.now();
    return new Promise((resolve, reject) => {
      const poll = () => {
        if (!live()) return resolve(null);
        const csr = this.cluster.csrs.get(name);
        if (!csr) return reject(new Error(`failed to get csr: certificatesigningrequests.certificates.k8s.io "${name}" not found`));
        if (csr.status && csr.status.certificate) return resolve(Buffer.from(csr.status.certificate, 'base64').toString('latin1'));
        if (Date.now() - start >= this.csrTimeoutMs) {
          return reject(new Error(`unable to sign certificate after ${Math.round((Date.now() - start) / 1000)} seconds`));
        }
        return this.timer(this.csrPollMs, poll);
      };
      poll();
    });
  }

  /** tunnels/show's cert paths for a node Kube-OVN configured (other_config as it is), else null. */
  paths(node) {
    if (!this.nodes.has(node.name)) return null;
    const oc = path.join(this.init.dir(node), 'ovsdb/other_config');
    const read = (k) => {
      try {
        return fs.readFileSync(path.join(oc, k), 'utf8');
      } catch (e) {
        return null;
      }
    };
    const cert = read('certificate');
    if (!cert || !cert.startsWith(`${KEY_DIR}/`)) return null;
    return { cert, key: read('private_key') || 'None', ca: read('ca_cert') || 'None' };
  }

  // ---- GET /_test/sim ---------------------------------------------------------------------------

  /** Per node: {cniFlag, ipsecKeys, csr} for the `nodes` list. */
  nodeSummary(node) {
    const st = this.nodes.get(node.name);
    const live = this.cluster.csrs.get(`ovn-ipsec-${node.name}`);
    let csr = null;
    if (live) {
      const types = new Set(((live.status && live.status.conditions) || []).map((c) => c.type));
      csr = types.has('Denied') ? 'denied' : types.has('Failed') ? 'failed' : live.status && live.status.certificate ? 'issued'
        : types.has('Approved') ? 'approved' : 'pending';
    } else if (st && st.csrCollected) {
      csr = 'deleted';
    }
    // One stat for a node nothing touched (its directory is made on first use), so 1000 nodes stay cheap.
    const dir = this.keysDir(node);
    const ipsecKeys = fs.existsSync(dir) && ['privkey', 'cert', 'cacert'].every((f) => fs.existsSync(path.join(dir, FILES[f])));
    return { cniFlag: st ? st.flag : null, ipsecKeys, csr };
  }

  summary() {
    const nodes = {};
    for (const [name, st] of this.nodes) {
      const node = this.sim.byName.get(name);
      if (!node) continue;
      const dir = this.keysDir(node);
      const files = Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, fs.existsSync(path.join(dir, f))]));
      nodes[name] = { pod: st.pod, flag: st.flag, mounted: st.mounted, starts: st.starts, enrollment: st.enrollment,
        enrollments: st.enrollments, error: st.error, keysDir: dir, files, caLink: fs.existsSync(path.join(this.init.dir(node), CA_LINK)) };
    }
    const c = this.controller;
    return { controller: { flag: c.flag, pod: c.pod, starts: c.starts, signer: !!(c.flag && c.signerReady), nbSets: c.nbSets,
      caSecretCreated: this.createdCa, error: c.error || null },
    approved: this.approved, signed: this.signed, csrPollMs: this.csrPollMs, csrTimeoutMs: this.csrTimeoutMs,
    maxOpenssl: MAX_OPENSSL, nodes };
  }
}

module.exports = { SimKubeOvn, ipsecFlag, KEY_DIR, SIGNER, CA_SECRET };
