'use strict';
// Watches (`?watch=1`) for the resources that have them (apps/v1 deployments, daemonsets and
// replicasets; certificates.k8s.io/v1 certificatesigningrequests): a chunked HTTP 200 whose body
// is one JSON watch event per line, {"type":"ADDED"|"MODIFIED"|"DELETED"|"BOOKMARK","object":…},
// as kube-apiserver streams them (k8s.io/apiserver/pkg/endpoints/handlers/watch.go). Every change
// is kept in a bounded history, so a watch from a list's resourceVersion misses nothing.

const HISTORY = 20000;

class WatchHub {
  constructor() {
    this.history = []; // {rv, resource, type, object}, oldest first
    this.watchers = new Set();
  }

  /** Records a change of `object` (a full API object, copied now) and tells the watchers. */
  emit(resource, type, object) {
    const ev = { rv: Number(object.metadata.resourceVersion), resource, type, object: JSON.parse(JSON.stringify(object)) };
    this.history.push(ev);
    if (this.history.length > HISTORY) this.history.shift();
    for (const w of this.watchers) if (w.resource === resource) w.send(ev);
  }

  /**
   * Serves a watch on `res`. `opts`: resource, match(object) → bool, current() → objects now,
   * resourceVersion (the query's), sendInitialEvents, timeoutSeconds, transform(object) → what to send.
   */
  serve(res, opts) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked' });
    const line = (type, object) => res.write(`${JSON.stringify({ type, object: opts.transform(object) })}\n`);
    const w = { resource: opts.resource, send: (ev) => { if (opts.match(ev.object)) line(ev.type, ev.object); } };
    const rv = opts.resourceVersion;
    if (opts.sendInitialEvents || !rv || rv === '0') {
      for (const o of opts.current()) line('ADDED', o);
      if (opts.sendInitialEvents) {
        // The end of the initial events (KEP-3157, WatchList): a bookmark with this annotation.
        res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: opts.kind, apiVersion: opts.apiVersion,
          metadata: { resourceVersion: String(opts.latestRv()), annotations: { 'k8s.io/initial-events-end': 'true' } } } })}\n`);
      }
    } else {
      for (const ev of this.history) if (ev.resource === opts.resource && ev.rv > Number(rv)) w.send(ev);
    }
    this.watchers.add(w);
    const stop = () => {
      this.watchers.delete(w);
      clearTimeout(timer);
    };
    const timeout = Number(opts.timeoutSeconds) > 0 ? Number(opts.timeoutSeconds) * 1000 : 0;
    const timer = timeout ? setTimeout(() => { stop(); res.end(); }, timeout) : null;
    if (timer) timer.unref();
    res.on('close', stop);
  }
}

module.exports = { WatchHub };
