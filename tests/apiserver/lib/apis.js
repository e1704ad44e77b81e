'use strict';
// The named API groups under /apis: apps/v1 deployments, daemonsets (lib/workloads.js) and
// replicasets (read-only), and certificates.k8s.io/v1 certificatesigningrequests (lib/csr.js)
// with their /approval and /status subresources. Same order as kube-apiserver's handler chain:
// authorization first (403 with the group in the text), then the lookup.

const { sendJson, sendStatus, failure, noRoute, parseBody } = require('./status');
const { allowed, forbidden } = require('./auth');
const { parseLabelSelector, parseFieldSelector, SelectorError } = require('./selectors');
const { toTable, wantsTable } = require('./tables');
const { applyPatch } = require('./patch');
const protobuf = require('./protobuf');
const { pageOf } = require('./paging');

const RESOURCES = {
  'apps/v1': {
    daemonsets: { kind: 'DaemonSet', namespaced: true, watch: true, writable: true },
    deployments: { kind: 'Deployment', namespaced: true, watch: true, writable: true },
    replicasets: { kind: 'ReplicaSet', namespaced: true },
  },
  'certificates.k8s.io/v1': {
    certificatesigningrequests: { kind: 'CertificateSigningRequest', namespaced: false, watch: true, writable: true,
      subs: ['approval', 'status'] },
  },
};
const FIELDS = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace || '',
};
const CSR_FIELDS = Object.assign({ 'spec.signerName': (o) => o.spec.signerName }, FIELDS);

/** {group, version, gv, ns, resource, name, sub} for an /apis/… resource path, else null. */
function parseApisPath(pathname) {
  let parts;
  try {
    parts = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch (e) {
    return null;
  }
  if (parts[0] !== 'apis' || parts.length < 4) return null;
  const [, group, version] = parts;
  let rest = parts.slice(3);
  let ns = null;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    ns = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length > 3) return null;
  return { group, version, gv: `${group}/${version}`, ns, resource: rest[0], name: rest[1] || null, sub: rest[2] || null };
}

function objects(cluster, resource) {
  if (resource === 'daemonsets' || resource === 'deployments') return [...cluster.workloads.store(resource).values()].map((w) => w.obj);
  if (resource === 'replicasets') return cluster.workloads.replicaSets();
  return cluster.csrs.list();
}

function lookup(cluster, p) {
  if (p.resource === 'certificatesigningrequests') return cluster.csrs.get(p.name);
  if (p.resource === 'replicasets') {
    return cluster.workloads.replicaSets().find((o) => o.metadata.namespace === p.ns && o.metadata.name === p.name) || null;
  }
  const w = cluster.workloads.store(p.resource).get(`${p.ns}/${p.name}`);
  return w ? w.obj : null;
}

function notFound(p) {
  return failure(404, `${p.resource}.${p.group} "${p.name}" not found`, 'NotFound', { name: p.name, group: p.group, kind: p.resource });
}

function verbFor(method, name, query) {
  if (method === 'GET' || method === 'HEAD') {
    if (name) return 'get';
    return ['true', '1'].includes(query.get('watch')) ? 'watch' : 'list';
  }
  return { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] || method.toLowerCase();
}

function methodNotAllowed(res) {
  return sendJson(res, 405, failure(405, 'the server does not allow this method on the requested resource', 'MethodNotAllowed', {}));
}

function parseJson(ctx) {
  const type = String(ctx.req.headers['content-type'] || 'application/json').split(';')[0].trim();
  if (type === 'application/vnd.kubernetes.protobuf') {
    // kubectl's typed clients (`kubectl certificate approve`) send protobuf; CSRs are decoded.
    const obj = protobuf.decode(ctx.body);
    if (obj) return obj;
  }
  if (type !== 'application/json' && type !== '') {
    sendStatus(ctx.res, 415, `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
      'UnsupportedMediaType');
    return null;
  }
  return parseBody(ctx);
}

// List or watch filters: namespace, labelSelector, fieldSelector; null after a 400 was sent.
function filters(ctx, p) {
  const q = ctx.url.searchParams;
  try {
    const labels = parseLabelSelector(q.get('labelSelector'));
    const fields = parseFieldSelector(q.get('fieldSelector'), p.resource === 'certificatesigningrequests' ? CSR_FIELDS : FIELDS);
    return (o) => (!p.ns || o.metadata.namespace === p.ns) && labels(o.metadata.labels) && fields(o);
  } catch (e) {
    if (e instanceof SelectorError) {
      sendStatus(ctx.res, 400, e.message, 'BadRequest');
      return null;
    }
    throw e;
  }
}

function keyed(items) {
  return items.map((o) => [`${o.metadata.namespace || ''}/${o.metadata.name}`, o])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function sorted(items) {
  return keyed(items).map(([, o]) => o);
}

// `metadata`: a list page's (resourceVersion, continue, remainingItemCount).
function send(ctx, p, def, items, single, metadata) {
  const { req, res, url, cluster } = ctx;
  const listMeta = metadata || { resourceVersion: String(cluster.rv) };
  if (wantsTable(req.headers.accept)) {
    const table = toTable(def.kind, items, String(cluster.rv), url.searchParams.get('includeObject'), p.gv);
    if (!single) table.metadata = listMeta;
    return sendJson(res, 200, table);
  }
  if (single) return sendJson(res, 200, items[0]);
  return sendJson(res, 200, { kind: `${def.kind}List`, apiVersion: p.gv, metadata: listMeta,
    items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest) });
}

function watch(ctx, p, def) {
  const { req, res, url, cluster } = ctx;
  const match = filters(ctx, p);
  if (!match) return undefined;
  const q = url.searchParams;
  const table = wantsTable(req.headers.accept);
  cluster.watch.serve(res, {
    resource: p.resource, kind: def.kind, apiVersion: p.gv, match,
    current: () => sorted(objects(cluster, p.resource).filter(match)),
    latestRv: () => cluster.rv,
    resourceVersion: q.get('resourceVersion'),
    sendInitialEvents: q.get('sendInitialEvents') === 'true',
    timeoutSeconds: q.get('timeoutSeconds'),
    transform: (o) => (table ? toTable(def.kind, [o], o.metadata.resourceVersion, q.get('includeObject'), p.gv) : o),
  });
  return undefined;
}

// PUT or PATCH of an object or subresource: the new full object, then the store's update.
function write(ctx, p, verb) {
  const { cluster, res } = ctx;
  const current = lookup(cluster, p);
  if (!current) return sendJson(res, 404, notFound(p));
  let next;
  if (verb === 'patch') {
    const r = applyPatch(ctx.req.headers['content-type'], current, ctx.body);
    if (!r.obj) return sendJson(res, r.code, r.status);
    next = r.obj;
  } else {
    next = parseJson(ctx);
    if (!next) return undefined;
  }
  const r = p.resource === 'certificatesigningrequests'
    ? cluster.csrs.update(p.name, next, p.sub)
    : cluster.workloads.update(cluster.workloads.store(p.resource).get(`${p.ns}/${p.name}`), next);
  return r.obj ? sendJson(res, 200, r.obj) : sendJson(res, r.code, r.status);
}

/** Serves an admitted request for a path under /apis/ (discovery is answered before this). */
function routeApis(ctx) {
  const { req, res, url, user, cluster } = ctx;
  const p = parseApisPath(url.pathname);
  const def = p && RESOURCES[p.gv] && RESOURCES[p.gv][p.resource];
  if (!def || (p.ns && !def.namespaced) || (p.sub && !(def.subs || []).includes(p.sub))) return sendJson(res, 404, noRoute());
  if (def.namespaced && p.name && !p.ns) return sendJson(res, 404, noRoute());
  const verb = verbFor(req.method, p.name, url.searchParams);
  const resource = p.sub ? `${p.resource}/${p.sub}` : p.resource;
  if (!allowed(user, verb, resource)) return sendJson(res, 403, forbidden(user, verb, resource, p.ns, p.name, p.group));
  if (p.sub && !['get', 'update', 'patch'].includes(verb)) return methodNotAllowed(res);
  switch (verb) {
    case 'list': {
      const match = filters(ctx, p);
      if (!match) return undefined;
      const q = url.searchParams;
      const page = pageOf(keyed(objects(cluster, p.resource).filter(match)), q, cluster.rv, cluster.knobs ? cluster.knobs() : {},
        !q.get('labelSelector') && !q.get('fieldSelector'));
      if (page.body) return sendJson(res, page.status, page.body);
      return send(ctx, p, def, page.entries.map(([, o]) => o), false, page.metadata);
    }
    case 'watch':
      return def.watch ? watch(ctx, p, def) : sendStatus(res, 405, 'watch is not supported by the test API server', 'MethodNotAllowed', {});
    case 'get': {
      const obj = lookup(cluster, p);
      return obj ? send(ctx, p, def, [obj], true) : sendJson(res, 404, notFound(p));
    }
    case 'create': {
      if (p.resource !== 'certificatesigningrequests' || p.name) return methodNotAllowed(res);
      const body = parseJson(ctx);
      if (!body) return undefined;
      const r = cluster.csrs.create(body, user);
      return sendJson(res, r.code, r.obj || r.status);
    }
    case 'update':
    case 'patch':
      return def.writable && p.name ? write(ctx, p, verb) : methodNotAllowed(res);
    case 'delete': {
      if (p.resource !== 'certificatesigningrequests' || !p.name) return methodNotAllowed(res);
      const r = cluster.csrs.delete(p.name);
      return sendJson(res, r.code, r.status);
    }
    default:
      return methodNotAllowed(res);
  }
}

module.exports = { routeApis, parseApisPath };
