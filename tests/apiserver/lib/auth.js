'use strict';
// Authentication (client cert, bearer token, basic auth), impersonation and a two-role RBAC
// stand-in. Denials carry the exact texts of the real authn/authz/impersonation filters.

const { failure } = require('./status');

const READ_VERBS = new Set(['get', 'list', 'watch']);

/** Who sent the request, or null when no credential matched (the caller answers 401). */
function authenticate(req, cluster) {
  const sock = req.socket;
  // A cert that does not chain to the CA is ignored, like a missing one (the handshake still
  // succeeds because the server asks for certs but does not require them).
  if (sock.authorized && typeof sock.getPeerCertificate === 'function') {
    const cert = sock.getPeerCertificate();
    if (cert && cert.subject && cert.subject.CN) {
      const cn = cert.subject.CN;
      const org = cert.subject.O;
      const groups = Array.isArray(org) ? org : org ? [org] : [];
      const u = cluster.users.find((x) => x.certCN === cn);
      const role = u ? u.role : groups.includes('system:masters') ? 'admin' : 'none';
      return { name: cn, groups: [...groups, 'system:authenticated'], role, method: 'cert' };
    }
  }
  const header = req.headers.authorization || '';
  let m = header.match(/^Bearer\s+(\S+)\s*$/i);
  if (m) {
    const u = cluster.users.find((x) => x.token && x.token === m[1]);
    return u ? { name: u.name, groups: [...u.groups, 'system:authenticated'], role: u.role, method: 'token' } : null;
  }
  m = header.match(/^Basic\s+(\S+)\s*$/i);
  if (m) {
    const text = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) return null;
    const [user, pass] = [text.slice(0, colon), text.slice(colon + 1)];
    const u = cluster.users.find((x) => x.username && x.username === user && x.password === pass);
    return u ? { name: u.name, groups: [...u.groups, 'system:authenticated'], role: u.role, method: 'basic' } : null;
  }
  return null;
}

function headerList(req, name) {
  // Node joins repeated headers with ", "; Impersonate-Group is sent once per group.
  const v = req.headers[name];
  if (v === undefined) return [];
  return String(v).split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Applies Impersonate-* headers. Returns {user, impersonation} or {error: Status}. Only admins may
 * impersonate; the target gets its own role from the cluster file (unknown users: viewer).
 */
function impersonate(req, user, cluster) {
  const target = req.headers['impersonate-user'];
  const groups = headerList(req, 'impersonate-group');
  const uid = req.headers['impersonate-uid'];
  if (target === undefined && groups.length === 0 && uid === undefined) return { user, impersonation: null };
  const impersonation = { user: target === undefined ? null : target, groups, uid: uid === undefined ? null : uid };
  if (target === undefined || target === '') {
    return { error: failure(500, 'Internal error occurred: requested groups or uid without impersonating a user',
      'InternalError'), impersonation };
  }
  if (user.role !== 'admin') {
    const denied = (res, name, group) => failure(403,
      `${res} "${name}" is forbidden: User "${user.name}" cannot impersonate resource "${res}" in API group "${group}" at the cluster scope`,
      'Forbidden', Object.assign({ name, kind: res }, group ? { group } : {}));
    return { error: denied('users', target, ''), impersonation };
  }
  const known = cluster.users.find((x) => x.name === target && !x.certCN) || cluster.users.find((x) => x.name === target);
  let role = known ? known.role : 'viewer';
  if (groups.includes('system:masters')) role = 'admin';
  const allGroups = groups.length ? [...groups, 'system:authenticated'] : [...(known ? known.groups : []), 'system:authenticated'];
  return { user: { name: target, groups: allGroups, role, method: user.method, via: user.name }, impersonation };
}

/** Whether `user` may do `verb` on `resource` ("pods", "pods/exec", "secrets", ...). */
function allowed(user, verb, resource) {
  if (user.role === 'admin') return true;
  if (user.role !== 'viewer') return false;
  if (resource === 'pods/exec') return false;
  return READ_VERBS.has(verb);
}

/**
 * The 403 body for a denied resource request, word for word as kube-apiserver writes it:
 * `pods "p1" is forbidden: User "viewer" cannot get resource "pods/exec" in API group "" in the namespace "ns"`,
 * `daemonsets.apps "x" is forbidden: User "viewer" cannot patch resource "daemonsets" in API group "apps" …`.
 */
function forbidden(user, verb, resource, ns, name, group) {
  const [res, sub] = resource.split('/');
  const g = group || '';
  const qualified = g ? `${res}.${g}` : res;
  const subject = name ? `${qualified} "${name}"` : qualified;
  const where = ns ? `in the namespace "${ns}"` : 'at the cluster scope';
  const message = `${subject} is forbidden: User "${user.name}" cannot ${verb} resource "${sub ? `${res}/${sub}` : res}" in API group "${g}" ${where}`;
  const details = name ? { name } : {};
  if (g) details.group = g;
  details.kind = res;
  return failure(403, message, 'Forbidden', details);
}

module.exports = { authenticate, impersonate, allowed, forbidden };
