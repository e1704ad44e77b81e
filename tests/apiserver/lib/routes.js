'use strict';
// The REST surface kubectl and the plugin use: discovery, pods (+log, exec without an upgrade,
// delete), nodes, namespaces and secrets; /apis/* goes to lib/apis.js. Authorization happens
// before lookups, as in the real server, so a viewer probing a missing pod's exec still gets 403.

const { sendJson, sendStatus, failure, notFound, noRoute, parseBody } = require('./status');
const { allowed, forbidden } = require('./auth');
const { parseLabelSelector, parseFieldSelector, SelectorError } = require('./selectors');
const { toTable, wantsTable } = require('./tables');
const { execTarget } = require('./exec');
const { discovery } = require('./discovery');
const { routeApis } = require('./apis');
const { pageOf, fillerEntries, fillerJson, streamList } = require('./paging');

const FIELDS = {
  pods: {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => o.metadata.namespace,
    'spec.nodeName': (o) => o.spec.nodeName || '',
    'spec.restartPolicy': (o) => o.spec.restartPolicy,
    'spec.serviceAccountName': (o) => o.spec.serviceAccountName,
    'status.phase': (o) => o.status.phase,
    'status.podIP': (o) => o.status.podIP || '',
  },
  nodes: { 'metadata.name': (o) => o.metadata.name, 'spec.unschedulable': (o) => String(!!o.spec.unschedulable) },
  secrets: { 'metadata.name': (o) => o.metadata.name, 'metadata.namespace': (o) => o.metadata.namespace, type: (o) => o.type },
  namespaces: { 'metadata.name': (o) => o.metadata.name, 'status.phase': (o) => o.status.phase },
};
const KINDS = { pods: 'Pod', nodes: 'Node', secrets: 'Secret', namespaces: 'Namespace' };
const MAX_BODY = 3 * 1024 * 1024;
const BAD_BASE64 = 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data';
const BAD_PATCH_TYPE = 'the body of the request was in an unknown format - accepted media types include: ' +
  'application/merge-patch+json, application/strategic-merge-patch+json';

/** Splits an API path into {ns, resource, name, sub}, or null if it is not a core/v1 path. */
function parsePath(pathname) {
  let parts;
  try {
    parts = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch (e) {
    return null; // malformed %-escape: no such resource
  }
  if (parts[0] !== 'api' || parts[1] !== 'v1' || parts.length < 3) return null;
  let rest = parts.slice(2);
  let ns = null;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    ns = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length > 3) return null;
  return { ns, resource: rest[0], name: rest[1] || null, sub: rest[2] || null };
}

function verbFor(method, name, query) {
  if (method === 'GET' || method === 'HEAD') {
    if (name) return 'get';
    return ['true', '1'].includes(query.get('watch')) ? 'watch' : 'list';
  }
  return { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] || method.toLowerCase();
}

function storeFor(cluster, resource) {
  if (resource === 'pods') return new Map([...cluster.pods].map(([k, v]) => [k, v.obj]));
  if (resource === 'secrets') return cluster.secrets;
  if (resource === 'nodes') return cluster.nodes;
  return cluster.namespaces;
}

// `metadata`: a list page's (resourceVersion, continue, remainingItemCount).
function sendObjects(ctx, kind, items, single, metadata) {
  const { req, res, url, cluster } = ctx;
  const listMeta = metadata || { resourceVersion: String(cluster.rv) };
  if (wantsTable(req.headers.accept)) {
    const table = toTable(kind, items, String(cluster.rv), url.searchParams.get('includeObject'));
    if (!single) table.metadata = listMeta;
    return sendJson(res, 200, table);
  }
  if (single) return sendJson(res, 200, items[0]);
  return sendJson(res, 200, { kind: `${kind}List`, apiVersion: 'v1', metadata: listMeta,
    items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest) });
}

const byKey = ([a], [b]) => (a < b ? -1 : a > b ? 1 : 0);

function list(ctx, p) {
  const q = ctx.url.searchParams;
  let labels;
  let fields;
  try {
    labels = parseLabelSelector(q.get('labelSelector'));
    fields = parseFieldSelector(q.get('fieldSelector'), FIELDS[p.resource]);
  } catch (e) {
    if (e instanceof SelectorError) return sendStatus(ctx.res, 400, e.message, 'BadRequest');
    throw e;
  }
  // Byte order of "ns/name", as etcd returns keys; localeCompare took ~100 ms for 2000 pods.
  let entries = [...storeFor(ctx.cluster, p.resource).values()]
    .filter((o) => !p.ns || o.metadata.namespace === p.ns)
    .filter((o) => labels(o.metadata.labels) && fields(o))
    .map((o) => [`${o.metadata.namespace || ''}/${o.metadata.name}`, o])
    .sort(byKey);
  const faults = ctx.cluster.knobs ? ctx.cluster.knobs() : {};
  // hugePodList: filler pods in every JSON pod list, whatever its selectors (a hostile server).
  const huge = p.resource === 'pods' && faults.hugePodList && !wantsTable(ctx.req.headers.accept);
  if (huge) entries = entries.concat(fillerEntries(faults.hugePodList, p.ns)).sort(byKey);
  const page = pageOf(entries, q, ctx.cluster.rv, faults, !q.get('labelSelector') && !q.get('fieldSelector'));
  if (page.body) return sendJson(ctx.res, page.status, page.body);
  if (huge) {
    const padding = 'x'.repeat(Math.max(0, (Number(faults.hugePodList.podBytes) || 0) - 300));
    const render = ([, o]) => {
      if (o.filler !== undefined) return fillerJson(o, padding);
      const { kind: _k, apiVersion: _a, ...rest } = o;
      return JSON.stringify(rest);
    };
    return streamList(ctx.res, { kind: 'PodList', apiVersion: 'v1', metadata: page.metadata }, page.entries, render);
  }
  return sendObjects(ctx, KINDS[p.resource], page.entries.map(([, o]) => o), false, page.metadata);
}

function lookup(ctx, p) {
  const key = p.resource === 'nodes' || p.resource === 'namespaces' ? p.name : `${p.ns}/${p.name}`;
  return storeFor(ctx.cluster, p.resource).get(key) || null;
}


function badBase64(obj) {
  return Object.entries(obj.data || {}).find(([, v]) => typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0);
}

// RFC 7386 merge patch; for a Secret's data map a strategic merge patch means the same.
function mergePatch(target, patch) {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? Object.assign({}, target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function writeSecret(ctx, p, verb) {
  const { cluster, res } = ctx;
  const key = `${p.ns}/${p.name}`;
  if (verb === 'create') {
    const body = parseBody(ctx);
    if (!body) return undefined;
    const meta = body.metadata || {};
    if (meta.namespace && meta.namespace !== p.ns) {
      return sendStatus(res, 400, 'the namespace of the provided object does not match the namespace sent on the request', 'BadRequest');
    }
    if (!meta.name) return sendStatus(res, 422, 'Secret "" is invalid: metadata.name: Required value: name or generateName is required', 'Invalid', { kind: 'Secret' });
    if (!cluster.namespaces.has(p.ns)) return sendJson(res, 404, notFound('namespaces', p.ns));
    if (badBase64(body)) return sendStatus(res, 400, BAD_BASE64, 'BadRequest');
    const fullKey = `${p.ns}/${meta.name}`;
    if (cluster.secrets.has(fullKey)) {
      return sendStatus(res, 409, `secrets "${meta.name}" already exists`, 'AlreadyExists', { name: meta.name, kind: 'secrets' });
    }
    const obj = cluster.newSecret(p.ns, body);
    cluster.secrets.set(fullKey, obj);
    return sendJson(res, 201, obj);
  }
  const current = cluster.secrets.get(key);
  if (!current) return sendJson(res, 404, notFound('secrets', p.name));
  if (verb === 'delete') {
    cluster.secrets.delete(key);
    return sendJson(res, 200, current);
  }
  if (verb === 'patch') {
    const type = (ctx.req.headers['content-type'] || '').split(';')[0].trim();
    if (type !== 'application/merge-patch+json' && type !== 'application/strategic-merge-patch+json') {
      return sendStatus(res, 415, BAD_PATCH_TYPE, 'UnsupportedMediaType');
    }
  }
  let body = parseBody(ctx);
  if (!body) return undefined;
  if (verb === 'patch') body = mergePatch(current, body);
  const meta = body.metadata || {};
  if (meta.name && meta.name !== p.name) {
    return sendStatus(res, 400, `the name of the object (${meta.name}) does not match the name on the URL (${p.name})`, 'BadRequest');
  }
  if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion) {
    return sendStatus(res, 409, `Operation cannot be fulfilled on secrets "${p.name}": the object has been modified; please apply your changes to the latest version and try again`,
      'Conflict', { name: p.name, kind: 'secrets' });
  }
  if (badBase64(body)) return sendStatus(res, 400, BAD_BASE64, 'BadRequest');
  const updated = cluster.newSecret(p.ns, Object.assign({}, body, { metadata: Object.assign({}, meta, { name: p.name }) }));
  Object.assign(updated.metadata, { uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp });
  cluster.secrets.set(key, updated);
  return sendJson(res, 200, updated);
}

function podLog(ctx, p) {
  const pod = ctx.cluster.pods.get(`${p.ns}/${p.name}`);
  if (!pod) return sendJson(ctx.res, 404, notFound('pods', p.name));
  const names = pod.obj.spec.containers.map((c) => c.name);
  let container = ctx.url.searchParams.get('container');
  if (!container) {
    if (names.length > 1) {
      return sendStatus(ctx.res, 400, `a container name must be specified for pod ${p.name}, choose one of: [${names.join(' ')}]`, 'BadRequest');
    }
    container = names[0];
  }
  if (!names.includes(container)) return sendStatus(ctx.res, 400, `container ${container} is not valid for pod ${p.name}`, 'BadRequest');
  const text = pod.logs[container] || '';
  ctx.res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  return ctx.res.end(text);
}

/**
 * Serves one authenticated, admitted API request. `ctx` = {req, res, url, user, body, cluster,
 * entry, port}. Returns once the response is written.
 */
function route(ctx) {
  const { req, res, url, user, cluster } = ctx;
  const disc = discovery(url.pathname, cluster, ctx.port);
  if (disc && disc.json) return sendJson(res, 200, disc.json);
  if (disc) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    return res.end(disc.text);
  }
  if (url.pathname.startsWith('/apis/')) return routeApis(ctx);
  const p = parsePath(url.pathname);
  if (!p || !KINDS[p.resource] || (p.ns && !['pods', 'secrets'].includes(p.resource))) return sendJson(res, 404, noRoute());
  if (p.sub && !(p.resource === 'pods' && ['exec', 'log'].includes(p.sub))) return sendJson(res, 404, noRoute());
  const verb = verbFor(req.method, p.name, url.searchParams);
  const resource = p.sub ? `${p.resource}/${p.sub}` : p.resource;
  if (p.sub === 'exec' && !['GET', 'POST'].includes(req.method)) return methodNotAllowed(res);
  if (!allowed(user, verb, resource)) return sendJson(res, 403, forbidden(user, verb, resource, p.ns, p.name));
  if (verb === 'watch') return sendStatus(res, 405, 'watch is not supported by the test API server', 'MethodNotAllowed', {});
  if (p.sub === 'exec') {
    const target = execTarget(cluster, p.ns, p.name, url.searchParams);
    if (target.error) return sendJson(res, target.error.code, target.error);
    // Reached only without a WebSocket upgrade (plain GET/POST, or SPDY which arrives as an upgrade elsewhere).
    return sendStatus(res, 400, 'Upgrade request required', 'BadRequest');
  }
  if (p.sub === 'log') return podLog(ctx, p);
  if (p.resource === 'pods' && verb === 'delete' && p.name) {
    // A workload's pod comes back under a new name (lib/workloads.js); a bare pod is gone.
    const deleted = cluster.workloads.deletePod(`${p.ns}/${p.name}`);
    return deleted ? sendJson(res, 200, deleted) : sendJson(res, 404, notFound('pods', p.name));
  }
  if (p.resource === 'secrets' && ['create', 'update', 'patch', 'delete'].includes(verb)) {
    if (verb === 'create' ? p.name : !p.name) return methodNotAllowed(res);
    return writeSecret(ctx, p, verb);
  }
  if (verb === 'list') return list(ctx, p);
  if (verb === 'get') {
    const obj = lookup(ctx, p);
    return obj ? sendObjects(ctx, KINDS[p.resource], [obj], true) : sendJson(res, 404, notFound(p.resource, p.name));
  }
  return methodNotAllowed(res);
}

function methodNotAllowed(res) {
  return sendJson(res, 405, failure(405, 'the server does not allow this method on the requested resource', 'MethodNotAllowed', {}));
}

module.exports = { route, MAX_BODY, parsePath };
