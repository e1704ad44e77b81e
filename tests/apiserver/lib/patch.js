'use strict';
// PATCH bodies as kube-apiserver applies them (k8s.io/apiserver/pkg/endpoints/handlers/patch.go):
// application/json-patch+json (RFC 6902, github.com/evanphx/json-patch), application/merge-patch+json
// (RFC 7386) and application/strategic-merge-patch+json (k8s.io/apimachinery/pkg/util/strategicpatch,
// with the merge keys of the core/apps Go types that workloads use). Errors come back as
// {code, status} so the caller sends kube-apiserver's exact Status.

const { failure } = require('./status');

const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
const PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH];
const UNKNOWN_TYPE = 'the body of the request was in an unknown format - accepted media types include: ' +
  `${PATCH_TYPES.join(', ')}, application/apply-patch+yaml`;
// A JSON patch the document rejects: patch.go answers errors.NewGenericServerResponse(422, …),
// whose message never names the operation (the cause goes nowhere).
const REJECTED = 'the server rejected our request due to an error in our request';

// patchMergeKey of the list fields a pod template has (k8s.io/api/core/v1 types.go), by field
// name: the same name means the same thing everywhere in a Deployment/DaemonSet/CSR.
const MERGE_KEYS = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name',
  volumeMounts: 'mountPath', volumeDevices: 'devicePath', env: 'name', ports: 'containerPort',
  imagePullSecrets: 'name', hostAliases: 'ip', ownerReferences: 'uid', conditions: 'type',
  topologySpreadConstraints: 'topologyKey', resourceClaims: 'name',
};
// Primitive lists with patchStrategy "merge" (union), e.g. ObjectMeta.finalizers.
const PRIMITIVE_MERGE = new Set(['finalizers']);

class PatchError extends Error {
  constructor(code, message, reason) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function clone(v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

// ---- RFC 7386 ---------------------------------------------------------------------------------

function mergePatch(target, patch) {
  if (!isObject(patch)) return clone(patch);
  const out = isObject(target) ? Object.assign({}, target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// ---- RFC 6902 ---------------------------------------------------------------------------------

function pointer(path) {
  if (path === '') return [];
  if (typeof path !== 'string' || path[0] !== '/') throw new PatchError(422, REJECTED, 'Invalid');
  return path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

// The container of the last token and that token, or null when a step before it is missing.
function locate(doc, tokens) {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur) && /^(0|[1-9][0-9]*)$/.test(t) && Number(t) < cur.length) cur = cur[Number(t)];
    else if (isObject(cur) && t in cur) cur = cur[t];
    else return null;
  }
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function jsonEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
}

function getAt(doc, tokens) {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur) && /^(0|[1-9][0-9]*)$/.test(t) && Number(t) < cur.length) cur = cur[Number(t)];
    else if (isObject(cur) && t in cur) cur = cur[t];
    else return { found: false };
  }
  return { found: true, value: cur };
}

function reject() {
  throw new PatchError(422, REJECTED, 'Invalid');
}

function removeAt(doc, tokens) {
  if (tokens.length === 0) reject();
  const at = locate(doc, tokens);
  if (!at) reject();
  const { parent, key } = at;
  if (Array.isArray(parent)) {
    if (!/^(0|[1-9][0-9]*)$/.test(key) || Number(key) >= parent.length) reject();
    return parent.splice(Number(key), 1)[0];
  }
  if (!isObject(parent) || !(key in parent)) reject();
  const v = parent[key];
  delete parent[key];
  return v;
}

function addAt(doc, tokens, value) {
  if (tokens.length === 0) return value;
  const at = locate(doc, tokens);
  if (!at) reject();
  const { parent, key } = at;
  if (Array.isArray(parent)) {
    if (key === '-') parent.push(value);
    else if (/^(0|[1-9][0-9]*)$/.test(key) && Number(key) <= parent.length) parent.splice(Number(key), 0, value);
    else reject();
  } else if (isObject(parent)) {
    parent[key] = value;
  } else {
    reject();
  }
  return doc;
}

function jsonPatch(target, ops) {
  if (!Array.isArray(ops)) throw new PatchError(400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch', 'BadRequest');
  let doc = clone(target);
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== 'string') throw new PatchError(400, 'Unexpected kind: unknown', 'BadRequest');
    const path = pointer(op.path);
    switch (op.op) {
      case 'add':
        if (!('value' in op)) reject();
        doc = addAt(doc, path, clone(op.value));
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'replace': {
        if (!('value' in op)) reject();
        if (path.length === 0) {
          doc = clone(op.value);
          break;
        }
        if (!getAt(doc, path).found) reject();
        removeAt(doc, path);
        doc = addAt(doc, path, clone(op.value));
        break;
      }
      case 'move': {
        const from = pointer(op.from);
        const v = getAt(doc, from);
        if (!v.found) reject();
        removeAt(doc, from);
        doc = addAt(doc, path, v.value);
        break;
      }
      case 'copy': {
        const v = getAt(doc, pointer(op.from));
        if (!v.found) reject();
        doc = addAt(doc, path, clone(v.value));
        break;
      }
      case 'test': {
        const v = getAt(doc, path);
        if (!v.found || !jsonEqual(v.value, op.value)) reject();
        break;
      }
      default:
        throw new PatchError(400, `Unexpected kind: ${op.op}`, 'BadRequest');
    }
  }
  return doc;
}

// ---- strategic merge patch --------------------------------------------------------------------

function mergeList(cur, patch, key) {
  const list = Array.isArray(cur) ? cur.map(clone) : [];
  if (patch.some((e) => isObject(e) && e.$patch === 'replace')) {
    return patch.filter((e) => !(isObject(e) && e.$patch === 'replace')).map((e) => strategic(undefined, e));
  }
  for (const item of patch) {
    if (!isObject(item) || !(key in item)) {
      list.push(clone(item));
      continue;
    }
    const i = list.findIndex((e) => isObject(e) && jsonEqual(e[key], item[key]));
    if (item.$patch === 'delete') {
      if (i >= 0) list.splice(i, 1);
    } else if (i >= 0) {
      list[i] = strategic(list[i], item);
    } else {
      list.push(strategic(undefined, item));
    }
  }
  return list;
}

// $setElementOrder/<field>: the listed elements in that order, any others (server-only) after.
function order(list, wanted, key) {
  if (!Array.isArray(list) || !Array.isArray(wanted)) return list;
  const rank = (e) => wanted.findIndex((w) => (key && isObject(w) && isObject(e) ? jsonEqual(w[key], e[key]) : jsonEqual(w, e)));
  const known = list.filter((e) => rank(e) >= 0).sort((a, b) => rank(a) - rank(b));
  return known.concat(list.filter((e) => rank(e) < 0));
}

function strategic(target, patch) {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return strategic(undefined, rest);
  }
  let out = isObject(target) ? Object.assign({}, target) : {};
  const orders = [];
  let retain = null;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue;
    if (k === '$retainKeys') {
      retain = v;
      continue;
    }
    if (k.startsWith('$setElementOrder/')) {
      orders.push([k.slice('$setElementOrder/'.length), v]);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field]) && Array.isArray(v)) out[field] = out[field].filter((x) => !v.some((y) => jsonEqual(x, y)));
      continue;
    }
    if (v === null) {
      delete out[k];
    } else if (isObject(v) && v.$patch === 'delete') {
      delete out[k];
    } else if (Array.isArray(v) && MERGE_KEYS[k]) {
      out[k] = mergeList(out[k], v, MERGE_KEYS[k]);
    } else if (Array.isArray(v) && PRIMITIVE_MERGE.has(k)) {
      const base = Array.isArray(out[k]) ? out[k].slice() : [];
      for (const x of v) if (!base.some((y) => jsonEqual(x, y))) base.push(x);
      out[k] = base;
    } else if (isObject(v)) {
      out[k] = strategic(out[k], v);
    } else {
      out[k] = clone(v);
    }
  }
  for (const [field, wanted] of orders) out[field] = order(out[field], wanted, MERGE_KEYS[field]);
  if (Array.isArray(retain)) out = Object.fromEntries(Object.entries(out).filter(([k]) => retain.includes(k)));
  return out;
}

/**
 * Applies a PATCH request body of `contentType` to `target` (not modified). Returns
 * {obj} or {code, status} with kube-apiserver's Status for a bad body or a rejected patch.
 */
function applyPatch(contentType, target, body) {
  const type = String(contentType || '').split(';')[0].trim();
  if (!PATCH_TYPES.includes(type)) return { code: 415, status: failure(415, UNKNOWN_TYPE, 'UnsupportedMediaType') };
  let patch;
  try {
    patch = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return { code: 400, status: failure(400, `error decoding patch: ${e.message}`, 'BadRequest') };
  }
  try {
    let obj;
    if (type === JSON_PATCH) obj = jsonPatch(target, patch);
    else if (!isObject(patch)) throw new PatchError(400, 'json: cannot unmarshal array into Go value of type map[string]interface {}', 'BadRequest');
    else obj = type === MERGE_PATCH ? mergePatch(target, patch) : strategic(target, patch);
    if (!isObject(obj)) reject();
    return { obj };
  } catch (e) {
    if (!(e instanceof PatchError)) throw e;
    // errors.NewGenericServerResponse(422, "", schema.GroupResource{}, "", …): empty details.
    return { code: e.code, status: failure(e.code, e.message, e.reason, e.code === 422 ? {} : null) };
  }
}

module.exports = { applyPatch, mergePatch, jsonPatch, strategic, jsonEqual, clone, isObject, PATCH_TYPES };
