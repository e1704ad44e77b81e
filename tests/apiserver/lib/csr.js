'use strict';
// certificates.k8s.io/v1 CertificateSigningRequests (README "CertificateSigningRequests"): create,
// get/list/watch, PUT/PATCH, delete, and the /approval and /status subresources, with the checks
// kube-apiserver makes (pkg/apis/certificates/validation). Nothing here signs anything: a signer
// (the simulated kube-ovn-controller, lib/sim_kubeovn.js) watches through `listeners`.

const { failure } = require('./status');
const { jsonEqual, clone, isObject } = require('./patch');

const GROUP = 'certificates.k8s.io';
const RESOURCE = 'certificatesigningrequests';

function isoNow() {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function invalid(name, field, reason, detail) {
  return { code: 422, status: failure(422, `CertificateSigningRequest.${GROUP} "${name}" is invalid: ${field}: ${detail}`, 'Invalid',
    { name, group: GROUP, kind: 'CertificateSigningRequest', causes: [{ reason, message: detail, field }] }) };
}

function notFound(name) {
  return { code: 404, status: failure(404, `${RESOURCE}.${GROUP} "${name}" not found`, 'NotFound', { name, group: GROUP, kind: RESOURCE }) };
}

function conditionTypes(csr) {
  return new Set(((csr.status && csr.status.conditions) || []).map((c) => c.type));
}

class Csrs {
  constructor(cluster) {
    this.cluster = cluster;
    this.items = new Map(); // name -> object
    this.listeners = new Set(); // fn(type, obj) after every change
  }

  reset() {
    for (const obj of this.items.values()) {
      obj.metadata.resourceVersion = this.cluster.nextRv();
      this.cluster.watch.emit(RESOURCE, 'DELETED', obj);
    }
    this.items.clear();
  }

  get(name) {
    return this.items.get(name) || null;
  }

  list() {
    return [...this.items.values()];
  }

  changed(type, obj) {
    this.cluster.watch.emit(RESOURCE, type, obj);
    for (const fn of this.listeners) fn(type, obj);
  }

  /** POST: `body` from the request, `user` the requester (spec.username/groups/uid as the API server sets them). */
  create(body, user) {
    const meta = body.metadata || {};
    const name = meta.name;
    if (!name) return invalid('', 'metadata.name', 'FieldValueRequired', 'Required value: name or generateName is required');
    if (this.items.has(name)) {
      return { code: 409, status: failure(409, `${RESOURCE}.${GROUP} "${name}" already exists`, 'AlreadyExists', { name, group: GROUP, kind: RESOURCE }) };
    }
    const spec = isObject(body.spec) ? body.spec : {};
    let pem = '';
    try {
      pem = Buffer.from(String(spec.request || ''), 'base64').toString('latin1');
    } catch (e) {
      pem = '';
    }
    if (!spec.request) return invalid(name, 'spec.request', 'FieldValueRequired', 'Required value');
    // ParseCSR: the first PEM block must be a CERTIFICATE REQUEST (text before it is skipped).
    const block = /-----BEGIN ([A-Z ]+)-----/.exec(pem);
    if (!block || block[1] !== 'CERTIFICATE REQUEST') {
      return invalid(name, 'spec.request', 'FieldValueInvalid', 'Invalid value: []byte{…}: PEM block type must be CERTIFICATE REQUEST');
    }
    if (!spec.signerName) return invalid(name, 'spec.signerName', 'FieldValueRequired', 'Required value');
    if (!Array.isArray(spec.usages) || !spec.usages.length) return invalid(name, 'spec.usages', 'FieldValueRequired', 'Required value');
    const c = this.cluster;
    const obj = { kind: 'CertificateSigningRequest', apiVersion: `${GROUP}/v1`,
      metadata: c._meta('CertificateSigningRequest', null, name, { labels: meta.labels, annotations: meta.annotations,
        creationTimestamp: isoNow() }),
      spec: { request: spec.request, signerName: spec.signerName, usages: clone(spec.usages) } };
    if (spec.expirationSeconds !== undefined) obj.spec.expirationSeconds = spec.expirationSeconds;
    Object.assign(obj.spec, { username: user.name, groups: user.groups || ['system:authenticated'] });
    if (user.uid) obj.spec.uid = user.uid;
    if (user.extra) obj.spec.extra = user.extra;
    obj.status = {};
    this.items.set(name, obj);
    this.changed('ADDED', obj);
    return { code: 201, obj };
  }

  delete(name) {
    const obj = this.items.get(name);
    if (!obj) return notFound(name);
    this.items.delete(name);
    obj.metadata.resourceVersion = this.cluster.nextRv();
    this.changed('DELETED', obj);
    // The generic registry answers a delete without finalizers with a Success Status.
    return { code: 200, status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
      details: { name, group: GROUP, kind: RESOURCE, uid: obj.metadata.uid } } };
  }

  /**
   * PUT/PATCH of the object (`sub` null: metadata only, spec and status are kept), of /approval
   * (only the Approved/Denied conditions) or /status (conditions other than those, certificate).
   */
  update(name, next, sub) {
    const cur = this.items.get(name);
    if (!cur) return notFound(name);
    const nm = (next && next.metadata) || {};
    if (nm.name !== undefined && nm.name !== name) {
      return { code: 400, status: failure(400, `the name of the object (${nm.name}) does not match the name on the URL (${name})`, 'BadRequest') };
    }
    if (nm.resourceVersion && nm.resourceVersion !== cur.metadata.resourceVersion) {
      return { code: 409, status: failure(409, `Operation cannot be fulfilled on ${RESOURCE}.${GROUP} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        'Conflict', { name, group: GROUP, kind: RESOURCE }) };
    }
    const updated = clone(cur);
    const status = isObject(next.status) ? next.status : {};
    const conditions = Array.isArray(status.conditions) ? status.conditions : [];
    const approvalTypes = ['Approved', 'Denied'];
    if (sub === 'approval') {
      const keep = ((cur.status && cur.status.conditions) || []).filter((c) => !approvalTypes.includes(c.type));
      updated.status.conditions = keep.concat(conditions.filter((c) => approvalTypes.includes(c.type)));
    } else if (sub === 'status') {
      const keep = ((cur.status && cur.status.conditions) || []).filter((c) => approvalTypes.includes(c.type));
      updated.status.conditions = keep.concat(conditions.filter((c) => !approvalTypes.includes(c.type)));
      if (status.certificate !== undefined) updated.status.certificate = status.certificate;
      else delete updated.status.certificate;
    } else {
      updated.metadata.labels = nm.labels;
      updated.metadata.annotations = nm.annotations;
      if (!updated.metadata.labels) delete updated.metadata.labels;
      if (!updated.metadata.annotations) delete updated.metadata.annotations;
    }
    if (!updated.status.conditions || !updated.status.conditions.length) delete updated.status.conditions;
    const now = isoNow();
    for (const [i, c] of (updated.status.conditions || []).entries()) {
      if (!c.type) return invalid(name, `status.conditions[${i}].type`, 'FieldValueRequired', 'Required value');
      if (!['True', 'False', 'Unknown'].includes(c.status)) {
        return invalid(name, `status.conditions[${i}].status`, 'FieldValueNotSupported', `Unsupported value: "${c.status || ''}": supported values: "False", "True", "Unknown"`);
      }
      if (!c.lastUpdateTime) c.lastUpdateTime = now;
      if (!c.lastTransitionTime) c.lastTransitionTime = now;
    }
    const types = conditionTypes(updated);
    if (types.has('Approved') && types.has('Denied')) {
      return invalid(name, 'status.conditions', 'FieldValueInvalid', 'Invalid value: "Approved": Approved and Denied conditions are mutually exclusive');
    }
    if (updated.status.certificate && !types.has('Approved')) {
      return invalid(name, 'status.certificate', 'FieldValueInvalid', 'Invalid value: "<certificate data>": certificate issued for non-approved CSR');
    }
    if (jsonEqual(updated, cur)) return { code: 200, obj: cur };
    updated.metadata.resourceVersion = this.cluster.nextRv();
    this.items.set(name, updated);
    this.changed('MODIFIED', updated);
    return { code: 200, obj: updated };
  }
}

/** kubectl's CONDITION column (printers.go extractCSRStatus). */
function csrCondition(csr) {
  const types = conditionTypes(csr);
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (csr.status && csr.status.certificate) s += ',Issued';
  return s;
}

module.exports = { Csrs, csrCondition, GROUP, RESOURCE };
