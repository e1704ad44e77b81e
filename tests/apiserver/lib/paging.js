'use strict';
// Lists in chunks as kube-apiserver serves them (`limit` and `continue`, API concepts "Retrieving
// large results sets in chunks"), and the knobs that make a server misbehave: `pageSize` (fewer
// items per page than asked for, which real servers may do), `ignoreLimit`, `expireContinue`, and
// `hugePodList`, whose filler pods are streamed so a 200 MB list never exists as one string here.

const { failure } = require('./status');

// kube-apiserver's (staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go, compactedContinue).
const EXPIRED = 'The provided continue parameter is too old to display a consistent list result. You can start a ' +
  'new list without the continue parameter, or use the continue token in this response to retrieve the remainder ' +
  'of the results. Continuing with the provided token results in an inconsistent list - objects that were created, ' +
  'modified, or deleted between the time the first chunk was returned and now may show up in the list.';

// Like storage.EncodeContinue: base64 of {"v","rv","start"}, start = the key after which to go on.
function encodeContinue(key, rv) {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${key}\u0000` })).toString('base64');
}

function decodeContinue(token) {
  let parsed;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch (e) {
    return { error: `continue key is not valid: ${e.message}` };
  }
  if (!parsed || parsed.v !== 'meta.k8s.io/v1' || typeof parsed.start !== 'string') {
    return { error: 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)' };
  }
  return { start: parsed.start, rv: parsed.rv };
}

/**
 * One page of `entries` ([key, item] sorted by key) for the request's `limit` and `continue`:
 * {entries, metadata} with metadata.continue (and remainingItemCount when `unfiltered`, as the
 * real server gives it only without selectors) while more remain, or {status, body} for an
 * invalid or (knob `expireContinue`) expired token.
 */
function pageOf(entries, query, rv, faults, unfiltered) {
  const token = query.get('continue');
  let from = 0;
  let listRv = rv;
  if (token) {
    const decoded = decodeContinue(token);
    if (decoded.error) return { status: 400, body: failure(400, `invalid continue token: ${decoded.error}`, 'BadRequest') };
    if (faults.expireContinue > 0) {
      faults.expireContinue -= 1;
      const body = failure(410, EXPIRED, 'Expired');
      body.metadata = { continue: encodeContinue(decoded.start.replace(/\u0000$/, ''), -1) };
      return { status: 410, body };
    }
    while (from < entries.length && entries[from][0] < decoded.start) from += 1;
    if (Number.isInteger(decoded.rv) && decoded.rv > 0) listRv = decoded.rv;
  }
  let limit = faults.ignoreLimit ? 0 : Number(query.get('limit')) || 0;
  if (Number.isInteger(faults.pageSize) && faults.pageSize > 0 && !faults.ignoreLimit) {
    limit = limit > 0 ? Math.min(limit, faults.pageSize) : faults.pageSize;
  }
  const end = limit > 0 ? Math.min(entries.length, from + limit) : entries.length;
  const metadata = { resourceVersion: String(listRv) };
  if (end < entries.length) {
    metadata.continue = encodeContinue(entries[end - 1][0], listRv);
    if (unfiltered) metadata.remainingItemCount = entries.length - end;
  }
  return { entries: entries.slice(from, end), metadata };
}

/** The `hugePodList` knob's filler pods for a list in `ns` (null: all namespaces) as [key, index] entries. */
function fillerEntries(knob, ns) {
  const count = Number(knob && knob.count) || 0;
  const where = ns || 'kube-system';
  const out = [];
  for (let i = 0; i < count; i++) out.push([`${where}/zz-filler-${String(i).padStart(7, '0')}`, { filler: i, ns: where }]);
  return out;
}

/** A filler pod's JSON, padded by an annotation to about `bytes`. */
function fillerJson(entry, padding) {
  const name = `zz-filler-${String(entry.filler).padStart(7, '0')}`;
  return JSON.stringify({
    metadata: { name, namespace: entry.ns, uid: `filler-${entry.filler}`, resourceVersion: '1',
      labels: { 'koi-filler': 'true' }, annotations: { 'koi.test/padding': padding } },
    spec: { containers: [{ name: 'filler', image: 'busybox' }] },
    status: { phase: 'Pending' },
  });
}

/**
 * Writes a list answer item by item (chunked, no Content-Length), waiting for the socket to
 * drain, so a list of any size streams without being built in memory; stops when the client goes.
 */
function streamList(res, head, entries, render) {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  let gone = false;
  res.on('close', () => { gone = true; });
  res.write(`${JSON.stringify(head).slice(0, -1)},"items":[`);
  let i = 0;
  const pump = () => {
    while (i < entries.length && !gone) {
      const more = res.write((i > 0 ? ',' : '') + render(entries[i]));
      i += 1;
      if (!more) return res.once('drain', pump);
    }
    if (!gone) res.end(']}');
    return undefined;
  };
  pump();
}

module.exports = { pageOf, fillerEntries, fillerJson, streamList, encodeContinue };
