'use strict';
// apps/v1 Deployments and DaemonSets (README "Workloads and rollouts"): built from the cluster
// file's `workloads` or derived from Kube-OVN's pods, owning their pods through ownerReferences,
// with the status counters kube-controller-manager keeps. A change of spec.template rolls the
// pods one at a time (knob rolloutMs per pod; stallRollout keeps new pods unready): each old pod
// is replaced on its node by one with a new name built from the new template, as the DaemonSet
// controller (pkg/controller/daemon/update.go) and a maxSurge=0 Deployment do. The simulation
// (lib/sim.js) hears about every replaced and started pod, so Kube-OVN's start-up logic can run.

const crypto = require('crypto');
const { suffix } = require('./sim_spec');
const { jsonEqual, clone, isObject } = require('./patch');
const { failure } = require('./status');
const { endSessionsFor } = require('./exec');
const { runHook } = require('./restart_hook');

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
const DEFAULT_ROLLOUT_MS = 200;
// Pod labels the controllers add (not part of a template), and ovn-central's leader labels.
const POD_ONLY_LABELS = ['controller-revision-hash', 'pod-template-generation', 'pod-template-hash',
  'ovn-nb-leader', 'ovn-sb-leader', 'ovn-northd-leader'];
// Kube-OVN's workloads as its install.sh / Helm chart (charts/kube-ovn/templates/*.yaml) name
// them, found by the pods' app label when the cluster file lists no workloads.
const DERIVED = {
  'kube-ovn-cni': { kind: 'DaemonSet', name: 'kube-ovn-cni', description: 'This daemon set launches the kube-ovn cni daemon.\n' },
  'kube-ovn-controller': { kind: 'Deployment', name: 'kube-ovn-controller', description: 'kube-ovn controller\n' },
  ovs: { kind: 'DaemonSet', name: 'ovs-ovn', description: 'This daemon set launches the openvswitch daemon.\n' },
  'ovn-central': { kind: 'Deployment', name: 'ovn-central', description: 'OVN components: northd, nb and sb.\n' },
};
const RESOURCE = { DaemonSet: 'daemonsets', Deployment: 'deployments' };

class WorkloadError extends Error {}

// k8s.io/kubernetes/pkg/controller ComputeHash's shape: a 32-bit hash, rand.SafeEncodeString'd.
function templateHash(template, salt) {
  const n = crypto.createHash('sha1').update(`${salt}/${JSON.stringify(template)}`).digest().readUInt32BE(0);
  return String(n).split('').map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join('');
}

function isoNow() {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function podReady(entry) {
  const st = entry.obj.status;
  return st.phase === 'Running' && (st.containerStatuses || []).every((c) => c.ready);
}

function selects(selector, labels) {
  const want = (selector && selector.matchLabels) || {};
  return Object.entries(want).every(([k, v]) => labels && labels[k] === v);
}

function invalid(kind, name, field, reason, detail) {
  const message = `${kind}.apps "${name}" is invalid: ${field}: ${detail}`;
  return { code: 422, status: failure(422, message, 'Invalid', { name, group: 'apps', kind,
    causes: [{ reason, message: detail, field }] }) };
}

class Workloads {
  constructor(cluster, fileSpec) {
    this.cluster = cluster;
    this.fileSpec = fileSpec || [];
    this.daemonsets = new Map(); // "ns/name" -> workload record
    this.deployments = new Map();
  }

  store(resource) {
    return resource === 'daemonsets' ? this.daemonsets : this.deployments;
  }

  all() {
    return [...this.daemonsets.values(), ...this.deployments.values()];
  }

  knob(name, dflt) {
    const v = this.cluster.knob(name);
    return v === undefined ? dflt : v;
  }

  /** Back to the file's workloads (and their pods as they are now in cluster.pods). */
  rebuild() {
    for (const w of this.all()) {
      for (const t of w.timers) clearTimeout(t);
      for (const h of w.hooks) h.kill();
    }
    this.daemonsets.clear();
    this.deployments.clear();
    for (const entry of this.cluster.pods.values()) {
      delete entry.owner;
      delete entry.podGen;
      delete entry.obj.metadata.ownerReferences;
    }
    for (const [i, spec] of this.fileSpec.entries()) this.fromFile(spec, i);
    this.derive();
    for (const w of this.all()) this.refresh(w, false, true);
  }

  // ---- building -------------------------------------------------------------------------------

  record(kind, ns, name, meta, spec) {
    const c = this.cluster;
    const obj = { kind, apiVersion: 'apps/v1',
      metadata: c._meta(kind, ns, name, { labels: meta.labels, annotations: meta.annotations }), spec, status: {} };
    obj.metadata.generation = 1;
    const annotations = Object.assign({}, obj.metadata.annotations || {});
    if (kind === 'DaemonSet') annotations['deprecated.daemonset.template.generation'] = '1';
    else annotations['deployment.kubernetes.io/revision'] = '1';
    obj.metadata.annotations = annotations;
    const w = { kind, resource: RESOURCE[kind], obj, pods: new Set(), gen: 1, hash: meta.hash, revision: 1,
      replicaSets: [], timers: new Set(), hooks: new Set(), waiting: new Map(), progressing: false };
    if (kind === 'Deployment') w.replicaSets.push({ hash: meta.hash, revision: 1, created: c.created });
    this.store(w.resource).set(`${ns}/${name}`, w);
    return w;
  }

  // A pod's spec as a template's (what the API server would have defaulted it from).
  templateOf(pod) {
    const labels = Object.fromEntries(Object.entries(pod.metadata.labels || {}).filter(([k]) => !POD_ONLY_LABELS.includes(k)));
    const spec = clone(pod.spec);
    delete spec.nodeName;
    const metadata = { labels };
    if (pod.metadata.annotations && Object.keys(pod.metadata.annotations).length) metadata.annotations = clone(pod.metadata.annotations);
    return { metadata, spec };
  }

  derive() {
    const groups = new Map();
    for (const [key, entry] of this.cluster.pods) {
      const app = (entry.obj.metadata.labels || {}).app;
      if (!DERIVED[app] || entry.owner) continue;
      const gkey = `${entry.obj.metadata.namespace}/${app}`;
      if (!groups.has(gkey)) groups.set(gkey, []);
      groups.get(gkey).push(key);
    }
    for (const [gkey, keys] of groups) {
      const [ns, app] = gkey.split('/');
      const d = DERIVED[app];
      if (this.store(RESOURCE[d.kind]).has(`${ns}/${d.name}`)) continue;
      const first = this.cluster.pods.get(keys[0]).obj;
      const labels = first.metadata.labels || {};
      let hash = d.kind === 'DaemonSet' ? labels['controller-revision-hash'] : labels['pod-template-hash'];
      if (!hash && d.kind === 'Deployment') {
        const m = new RegExp(`^${d.name}-([a-z0-9]+)-[a-z0-9]+$`).exec(first.metadata.name);
        hash = m ? m[1] : undefined;
      }
      const template = this.templateOf(first);
      const spec = { selector: { matchLabels: { app } }, template };
      this.finishSpec(d.kind, spec, keys.length);
      const w = this.record(d.kind, ns, d.name, { annotations: { 'kubernetes.io/description': d.description },
        hash: hash || templateHash(template, d.name) }, spec);
      for (const key of keys) this.own(w, key, 1);
    }
  }

  finishSpec(kind, spec, replicas) {
    if (kind === 'Deployment') {
      spec.replicas = replicas;
      if (!spec.strategy) spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      spec.revisionHistoryLimit = 10;
      spec.progressDeadlineSeconds = 600;
    } else {
      if (!spec.updateStrategy) spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
      spec.revisionHistoryLimit = 10;
    }
  }

  fromFile(s, i) {
    const where = `${this.cluster.file}: workloads[${i}]`;
    if (!s || !['Deployment', 'DaemonSet'].includes(s.kind)) throw new WorkloadError(`${where}: kind must be Deployment or DaemonSet`);
    if (!s.name) throw new WorkloadError(`${where}: needs a name`);
    const ns = s.namespace || 'default';
    const t = s.template || {};
    const containers = (t.containers || []).map((c) => {
      if (!c.name || !c.image) throw new WorkloadError(`${where}: every template container needs a name and an image`);
      return Object.assign({ resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent' }, clone(c));
    });
    if (!containers.length) throw new WorkloadError(`${where}: template needs at least one container`);
    const matchLabels = (s.selector && s.selector.matchLabels) || t.labels || { app: s.name };
    const labels = Object.assign({}, matchLabels, t.labels || {});
    if (!selects({ matchLabels }, labels)) throw new WorkloadError(`${where}: selector does not match the template labels`);
    const podSpec = { containers, restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst',
      serviceAccountName: t.serviceAccountName || 'default', schedulerName: 'default-scheduler' };
    if (t.hostNetwork) podSpec.hostNetwork = true;
    if (t.volumes) podSpec.volumes = clone(t.volumes);
    const template = { metadata: { labels } , spec: podSpec };
    if (t.annotations) template.metadata.annotations = clone(t.annotations);
    const spec = { selector: { matchLabels: clone(matchLabels) }, template };
    const adopted = [...this.cluster.pods.keys()].filter((k) => {
      const e = this.cluster.pods.get(k);
      return !e.owner && e.obj.metadata.namespace === ns && selects(spec.selector, e.obj.metadata.labels);
    });
    this.finishSpec(s.kind, spec, s.kind === 'Deployment' ? (Number.isInteger(s.replicas) ? s.replicas : Math.max(1, adopted.length)) : 0);
    const w = this.record(s.kind, ns, s.name, { labels: s.labels, annotations: s.annotations,
      hash: templateHash(template, s.name) }, spec);
    for (const key of adopted) this.own(w, key, 1);
    // Pods the controller would have made: one per node without one (DaemonSet), or up to
    // `replicas` on the nodes in order (Deployment); ready, as in a settled cluster.
    const nodes = [...this.cluster.nodes.keys()];
    const used = new Set([...w.pods].map((k) => this.cluster.pods.get(k).obj.spec.nodeName));
    const want = s.kind === 'DaemonSet' ? nodes.filter((n) => !used.has(n)) : [];
    for (let k = w.pods.size; s.kind === 'Deployment' && k < spec.replicas && nodes.length; k++) want.push(nodes[k % nodes.length]);
    for (const node of want) {
      const entry = this.newPod(w, { nodeName: node, ready: true, created: this.cluster.created });
      this.insert(w, entry, 1);
    }
  }

  // Marks `key` as w's, made from template generation `gen`.
  own(w, key, gen) {
    const entry = this.cluster.pods.get(key);
    entry.owner = w;
    entry.podGen = gen;
    entry.obj.metadata.ownerReferences = this.ownerReferences(w, entry);
    w.pods.add(key);
  }

  ownerReferences(w, entry) {
    const m = w.obj.metadata;
    if (w.kind === 'DaemonSet') {
      return [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: m.name, uid: m.uid, controller: true, blockOwnerDeletion: true }];
    }
    const hash = (entry.obj.metadata.labels || {})['pod-template-hash'] || w.hash;
    const rs = `${m.name}-${hash}`;
    return [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: this.cluster.uidFor('ReplicaSet', m.namespace, rs),
      controller: true, blockOwnerDeletion: true }];
  }

  /** The pod the controller makes from w's current template on `opts.nodeName`. */
  newPod(w, opts) {
    const c = this.cluster;
    const ns = w.obj.metadata.namespace;
    const t = w.obj.spec.template;
    const labels = Object.assign({}, t.metadata.labels || {});
    let base;
    if (w.kind === 'DaemonSet') {
      Object.assign(labels, { 'controller-revision-hash': w.hash, 'pod-template-generation': String(w.gen) });
      base = `${w.obj.metadata.name}-`;
    } else {
      labels['pod-template-hash'] = w.hash;
      base = `${w.obj.metadata.name}-${w.hash}-`;
    }
    let name;
    for (let salt = 0; !name || c.pods.has(`${ns}/${name}`); salt++) {
      name = base + suffix(`${base}/${opts.nodeName}/${w.gen}/${w.made = (w.made || 0) + 1}/${salt}`, 5);
    }
    const spec = t.spec;
    const entry = c._pod({ namespace: ns, name, labels, annotations: t.metadata.annotations, nodeName: opts.nodeName,
      hostNetwork: !!spec.hostNetwork, podIP: opts.podIP, containers: spec.containers, volumes: spec.volumes,
      serviceAccountName: spec.serviceAccountName, ready: opts.ready });
    const when = opts.created || isoNow();
    entry.obj.metadata.creationTimestamp = when;
    entry.obj.status.startTime = when;
    for (const s of entry.obj.status.containerStatuses) if (s.state.running) s.state.running.startedAt = when;
    for (const cond of entry.obj.status.conditions) cond.lastTransitionTime = when;
    return entry;
  }

  insert(w, entry, gen) {
    const key = `${entry.obj.metadata.namespace}/${entry.obj.metadata.name}`;
    this.cluster.pods.set(key, entry);
    this.own(w, key, gen);
    return key;
  }

  /** sim.addNode: a new pod that matches a DaemonSet's selector joins it. */
  adopt(key) {
    const entry = this.cluster.pods.get(key);
    if (!entry || entry.owner) return;
    for (const w of this.all()) {
      if (w.obj.metadata.namespace === entry.obj.metadata.namespace && selects(w.obj.spec.selector, entry.obj.metadata.labels)) {
        this.own(w, key, w.gen);
        this.refresh(w, true);
        return;
      }
    }
  }

  // ---- status ---------------------------------------------------------------------------------

  owned(w) {
    return [...w.pods].map((k) => this.cluster.pods.get(k)).filter(Boolean);
  }

  /**
   * Recomputes w's status from its pods; with `changed`, a new resourceVersion and a watch event
   * if it differs; `initial`: the settled state at load (condition times = creation).
   */
  refresh(w, changed, initial) {
    const pods = this.owned(w);
    const updated = pods.filter((e) => e.podGen === w.gen).length;
    const ready = pods.filter(podReady).length;
    const m = w.obj.metadata;
    const before = JSON.stringify(w.obj.status);
    if (w.kind === 'DaemonSet') {
      const st = { currentNumberScheduled: pods.length, numberMisscheduled: 0, desiredNumberScheduled: pods.length,
        numberReady: ready, observedGeneration: m.generation, updatedNumberScheduled: updated, numberAvailable: ready };
      if (pods.length - ready > 0) st.numberUnavailable = pods.length - ready;
      w.obj.status = st;
    } else {
      const st = { observedGeneration: m.generation, replicas: pods.length, updatedReplicas: updated };
      if (ready) Object.assign(st, { readyReplicas: ready, availableReplicas: ready });
      if (pods.length - ready > 0) st.unavailableReplicas = pods.length - ready;
      const rs = `${m.name}-${w.hash}`;
      const done = updated === w.obj.spec.replicas && ready === updated && pods.length === updated;
      const available = ready >= w.obj.spec.replicas;
      const old = (w.obj.status.conditions || []);
      const cond = (type, status, reason, message) => {
        const prev = old.find((c) => c.type === type);
        const same = prev && prev.status === status;
        return { type, status, lastUpdateTime: prev && prev.reason === reason ? prev.lastUpdateTime : isoNow(),
          lastTransitionTime: same ? prev.lastTransitionTime : (prev ? isoNow() : this.cluster.created), reason, message };
      };
      st.conditions = [
        available ? cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
          : cond('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
        done ? cond('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rs}" has successfully progressed.`)
          : cond('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rs}" is progressing.`),
      ];
      if (initial) for (const c of st.conditions) Object.assign(c, { lastUpdateTime: this.cluster.created, lastTransitionTime: this.cluster.created });
      w.obj.status = st;
    }
    if (changed && before !== JSON.stringify(w.obj.status)) this.bump(w);
  }

  bump(w) {
    w.obj.metadata.resourceVersion = this.cluster.nextRv();
    this.cluster.watch.emit(w.resource, 'MODIFIED', w.obj);
  }

  // ---- updates (PUT / PATCH) ------------------------------------------------------------------

  /**
   * Stores `next` (a full object from PUT or a patch) as w's new state; returns {obj} or {code, status}.
   * Only metadata (labels, annotations) and spec change; the spec's template may start a rollout.
   */
  update(w, next) {
    const cur = w.obj;
    const m = cur.metadata;
    const nm = next.metadata || {};
    if (nm.name !== undefined && nm.name !== m.name) {
      return { code: 400, status: failure(400, `the name of the object (${nm.name}) does not match the name on the URL (${m.name})`, 'BadRequest') };
    }
    if (nm.namespace !== undefined && nm.namespace !== m.namespace) {
      return { code: 400, status: failure(400, 'the namespace of the provided object does not match the namespace sent on the request', 'BadRequest') };
    }
    if (nm.resourceVersion && nm.resourceVersion !== m.resourceVersion) {
      return { code: 409, status: failure(409, `Operation cannot be fulfilled on ${w.resource}.apps "${m.name}": the object has been modified; please apply your changes to the latest version and try again`,
        'Conflict', { name: m.name, group: 'apps', kind: w.resource }) };
    }
    const spec = next.spec;
    if (!isObject(spec)) return invalid(w.kind, m.name, 'spec', 'FieldValueRequired', 'Required value');
    if (!jsonEqual(spec.selector, cur.spec.selector)) {
      return invalid(w.kind, m.name, 'spec.selector', 'FieldValueInvalid', `Invalid value: ${JSON.stringify(spec.selector)}: field is immutable`);
    }
    const t = spec.template;
    if (!isObject(t) || !isObject(t.spec)) return invalid(w.kind, m.name, 'spec.template.spec', 'FieldValueRequired', 'Required value');
    const labels = (t.metadata && t.metadata.labels) || {};
    if (!selects(spec.selector, labels)) {
      return invalid(w.kind, m.name, 'spec.template.metadata.labels', 'FieldValueInvalid',
        `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``);
    }
    const containers = t.spec.containers;
    if (!Array.isArray(containers) || !containers.length) {
      return invalid(w.kind, m.name, 'spec.template.spec.containers', 'FieldValueRequired', 'Required value');
    }
    for (const [i, c] of containers.entries()) {
      for (const f of ['name', 'image']) {
        if (!isObject(c) || typeof c[f] !== 'string' || !c[f]) {
          return invalid(w.kind, m.name, `spec.template.spec.containers[${i}].${f}`, 'FieldValueRequired', 'Required value');
        }
      }
    }
    if (w.kind === 'Deployment' && spec.replicas === undefined) spec.replicas = cur.spec.replicas;
    // Go's omitempty: an emptied list is not stored (a later GET has no `volumes: []`).
    for (const k of ['volumes', 'initContainers', 'tolerations']) if (Array.isArray(t.spec[k]) && !t.spec[k].length) delete t.spec[k];
    for (const c of containers) {
      for (const k of ['args', 'command', 'env', 'ports', 'volumeMounts']) if (Array.isArray(c[k]) && !c[k].length) delete c[k];
    }
    const specChanged = !jsonEqual(spec, cur.spec);
    const templateChanged = !jsonEqual(t, cur.spec.template);
    const meta = { labels: nm.labels, annotations: nm.annotations };
    const metaChanged = !jsonEqual(meta.labels || {}, m.labels || {}) || !jsonEqual(meta.annotations || {}, m.annotations || {});
    if (!specChanged && !metaChanged) return { obj: cur }; // nothing to store: same resourceVersion
    if (meta.labels && Object.keys(meta.labels).length) m.labels = clone(meta.labels);
    else delete m.labels;
    m.annotations = clone(meta.annotations || {});
    cur.spec = clone(spec);
    if (specChanged) m.generation += 1;
    if (templateChanged) {
      w.gen = m.generation;
      w.hash = templateHash(cur.spec.template, `${m.name}/${w.gen}`);
      if (w.kind === 'DaemonSet') {
        m.annotations['deprecated.daemonset.template.generation'] = String(w.gen);
      } else {
        w.revision += 1;
        m.annotations['deployment.kubernetes.io/revision'] = String(w.revision);
        w.replicaSets.push({ hash: w.hash, revision: w.revision, created: isoNow() });
      }
    }
    // observedGeneration catches up at once: the controller saw the change.
    this.refresh(w, false);
    m.resourceVersion = this.cluster.nextRv();
    this.cluster.watch.emit(w.resource, 'MODIFIED', cur);
    if (templateChanged) this.rollout(w);
    return { obj: cur };
  }

  // ---- rollouts -------------------------------------------------------------------------------

  stalled(w) {
    const v = this.knob('stallRollout');
    const list = Array.isArray(v) ? v : v ? [v] : [];
    const { name, namespace } = w.obj.metadata;
    return list.includes(name) || list.includes(`${namespace}/${name}`);
  }

  rollout(w) {
    if (w.kind === 'DaemonSet' && (w.obj.spec.updateStrategy || {}).type === 'OnDelete') return;
    if (w.progressing) return; // the running rollout picks up the new template at its next step
    w.progressing = true;
    this.step(w);
  }

  // Replaces the next pod that is not from the current template; when it is ready, the next one.
  step(w) {
    if (!this.store(w.resource).has(`${w.obj.metadata.namespace}/${w.obj.metadata.name}`)) return;
    const old = this.owned(w).filter((e) => e.podGen !== w.gen)
      .sort((a, b) => (a.obj.spec.nodeName || '').localeCompare(b.obj.spec.nodeName || '') || a.obj.metadata.name.localeCompare(b.obj.metadata.name));
    if (!old.length) {
      w.progressing = false;
      this.refresh(w, true);
      return;
    }
    const fresh = this.replace(w, old[0]);
    this.whenReady(w, fresh, () => this.step(w));
  }

  /** Replaces pod `old` of w by a new, not yet ready one from the current template; returns it. */
  replace(w, old) {
    const oldKey = `${old.obj.metadata.namespace}/${old.obj.metadata.name}`;
    const entry = this.newPod(w, { nodeName: old.obj.spec.nodeName, ready: false,
      podIP: old.obj.spec.hostNetwork ? undefined : old.obj.status.podIP });
    entry.exec = old.exec;
    entry.logs = old.logs;
    entry.restart = old.restart;
    // ovn-central's leader labels belong to the member on that node, not to the template.
    for (const l of ['ovn-nb-leader', 'ovn-sb-leader', 'ovn-northd-leader']) {
      const v = (old.obj.metadata.labels || {})[l];
      if (v !== undefined) entry.obj.metadata.labels[l] = v;
    }
    this.cluster.pods.delete(oldKey);
    w.pods.delete(oldKey);
    endSessionsFor(old);
    if (old.hookHandle) old.hookHandle.kill(); // its container is gone mid-start
    const key = this.insert(w, entry, w.gen);
    this.refresh(w, true);
    const sim = this.cluster.sim;
    if (sim) {
      sim.podReplaced(oldKey, key, entry);
      sim.podStarted(entry, w);
    }
    return entry;
  }

  // Makes `entry` ready after rolloutMs, then calls `next` — unless w's rollout is stalled or its
  // node is NotReady: then it waits (resume() retries when the knobs change).
  whenReady(w, entry, next) {
    const key = `${entry.obj.metadata.namespace}/${entry.obj.metadata.name}`;
    const node = this.cluster.nodes.get(entry.obj.spec.nodeName);
    const nodeReady = !node || node.status.conditions.every((c) => c.type !== 'Ready' || c.status === 'True');
    if (this.stalled(w) || !nodeReady) {
      w.waiting.set(key, next);
      return;
    }
    const ready = () => {
      this.cluster.setPodReady(entry, true);
      this.refresh(w, true);
      const sim = this.cluster.sim;
      if (sim) sim.podReady(entry, w);
      next();
    };
    if (entry.restart) {
      // The pod's start does real work (lib/restart_hook.js): ready when it succeeded, else stuck.
      let h = null;
      h = runHook(this.cluster, entry, (ok) => {
        w.hooks.delete(h);
        if (ok && w.pods.has(key)) ready();
      });
      if (entry.hook.state === 'running') w.hooks.add(h);
      entry.hookHandle = h;
      return;
    }
    const t = setTimeout(() => {
      w.timers.delete(t);
      if (!w.pods.has(key)) return;
      ready();
    }, Number(this.knob('rolloutMs', DEFAULT_ROLLOUT_MS)) || 0);
    t.unref();
    w.timers.add(t);
  }

  /** The knobs changed: pods held by stallRollout go on. */
  resume() {
    for (const w of this.all()) {
      if (this.stalled(w)) continue;
      const waiting = [...w.waiting];
      w.waiting.clear();
      for (const [key, next] of waiting) {
        const entry = this.cluster.pods.get(key);
        if (entry) this.whenReady(w, entry, next);
      }
    }
  }

  /**
   * DELETE of a pod. An owned pod is replaced by its controller (a new name, the current template,
   * ready after rolloutMs); a bare pod is just gone. Returns the deleted pod object.
   */
  deletePod(key) {
    const entry = this.cluster.pods.get(key);
    if (!entry) return null;
    const w = entry.owner;
    const obj = clone(entry.obj);
    Object.assign(obj.metadata, { deletionTimestamp: isoNow(), deletionGracePeriodSeconds: 30 });
    if (!w) {
      this.cluster.pods.delete(key);
      endSessionsFor(entry);
      if (this.cluster.sim) this.cluster.sim.podReplaced(key, null, null);
      return obj;
    }
    const fresh = this.replace(w, entry);
    this.whenReady(w, fresh, () => (w.progressing ? undefined : this.refresh(w, true)));
    return obj;
  }

  // ---- ReplicaSets (read-only views of the Deployments' revisions) ---------------------------

  replicaSets() {
    const out = [];
    for (const w of this.deployments.values()) {
      const m = w.obj.metadata;
      const pods = this.owned(w);
      for (const rs of w.replicaSets) {
        const mine = pods.filter((e) => (e.obj.metadata.labels || {})['pod-template-hash'] === rs.hash ||
          (rs === w.replicaSets[0] && !(e.obj.metadata.labels || {})['pod-template-hash'] && e.podGen === 1));
        const ready = mine.filter(podReady).length;
        const name = `${m.name}-${rs.hash}`;
        const current = rs.hash === w.hash;
        const template = current ? clone(w.obj.spec.template) : { metadata: { labels: {} }, spec: { containers: [] } };
        template.metadata.labels = Object.assign({}, template.metadata.labels, { 'pod-template-hash': rs.hash });
        const status = { replicas: mine.length, fullyLabeledReplicas: mine.length, observedGeneration: 1 };
        if (ready) Object.assign(status, { readyReplicas: ready, availableReplicas: ready });
        out.push({ kind: 'ReplicaSet', apiVersion: 'apps/v1',
          metadata: { name, namespace: m.namespace, uid: this.cluster.uidFor('ReplicaSet', m.namespace, name),
            resourceVersion: m.resourceVersion, generation: 1, creationTimestamp: rs.created,
            labels: Object.assign({}, w.obj.spec.selector.matchLabels, { 'pod-template-hash': rs.hash }),
            annotations: { 'deployment.kubernetes.io/desired-replicas': String(w.obj.spec.replicas),
              'deployment.kubernetes.io/max-replicas': String(w.obj.spec.replicas), 'deployment.kubernetes.io/revision': String(rs.revision) },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: m.name, uid: m.uid, controller: true, blockOwnerDeletion: true }] },
          spec: { replicas: current ? w.obj.spec.replicas : mine.length,
            selector: { matchLabels: Object.assign({}, w.obj.spec.selector.matchLabels, { 'pod-template-hash': rs.hash }) }, template },
          status });
      }
    }
    return out;
  }
}

module.exports = { Workloads, WorkloadError, podReady, DEFAULT_ROLLOUT_MS };
