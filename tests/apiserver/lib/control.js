'use strict';
// Fault knobs and the request log, plus the /_test/* control API that tests drive them with.
// Counters (status429/status500 `count`) are consumed as matching requests arrive.

const { sendJson, sendStatus } = require('./status');
const { SimError } = require('./sim');
const { execStats, resetExecStats } = require('./exec');

const KNOWN = ['latencyMs', 'execLatencyMs', 'status429', 'status500', 'resetExecAfterBytes', 'resetExecPods',
  'execFailPods', 'hangExecPods', 'rejectWebSocket', 'protocols', 'rolloutMs', 'stallRollout', 'dripBody',
  'pageSize', 'ignoreLimit', 'expireContinue', 'hugePodList', 'floodExec', 'execInflightLimit'];

class Control {
  /**
   * `cluster` is the lib/cluster.js Cluster (its workloads read the rollout knobs); its simulation
   * (lib/sim.js), if any, is driven through /_test/sim.
   */
  constructor(initialFaults, cluster) {
    this.cluster = cluster || null;
    this.sim = (cluster && cluster.sim) || null;
    this.faults = {};
    this.log = [];
    this.seq = 0;
    if (this.cluster) this.cluster.knobs = () => this.faults;
    this.setFaults(initialFaults || {});
  }

  /** Merges `patch` into the faults (a null value removes a knob); unknown knobs throw. */
  setFaults(patch) {
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw new Error('faults must be a JSON object');
    for (const [k, v] of Object.entries(patch)) {
      if (!KNOWN.includes(k)) throw new Error(`unknown fault knob "${k}" (known: ${KNOWN.join(', ')})`);
      if (v === null) {
        delete this.faults[k];
        continue;
      }
      if (k === 'rolloutMs' && !(Number.isInteger(v) && v >= 0 && v <= 600000)) throw new Error('rolloutMs must be an integer 0..600000');
      if ((k === 'pageSize' || k === 'expireContinue') && !(Number.isInteger(v) && v >= 0)) throw new Error(`${k} must be an integer >= 0`);
      if (k === 'hugePodList' && !(v && Number.isInteger(v.count) && v.count >= 0 && v.count <= 1000000 &&
        Number.isInteger(v.podBytes || 0) && (v.podBytes || 0) <= 64 * 1024 * 1024)) {
        throw new Error('hugePodList must be {"count": 0..1000000, "podBytes": bytes per pod}');
      }
      if (k === 'floodExec' && !(v && Number.isInteger(v.bytes) && v.bytes >= 0 &&
        (v.pods === undefined || (Array.isArray(v.pods) && v.pods.every((x) => typeof x === 'string'))) &&
        (v.line === undefined || (typeof v.line === 'string' && v.line.length > 0)))) {
        throw new Error('floodExec must be {"bytes": N, "pods": ["name" or "ns/name", ...] (default: all), "stream": "stdout"|"stderr", "messageBytes": N, "line": "text"}');
      }
      if (k === 'execInflightLimit' && !(v && Number.isInteger(v.limit) && v.limit >= 1 &&
        (v.retryAfter === undefined || (Number.isInteger(v.retryAfter) && v.retryAfter >= 0)))) {
        throw new Error('execInflightLimit must be {"limit": N >= 1, "retryAfter": seconds (default 1)}');
      }
      if (k === 'stallRollout' && !(typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')))) {
        throw new Error('stallRollout must be a workload name ("name" or "ns/name") or a list of them');
      }
      if ((k === 'status429' || k === 'status500') && v.pathRegex !== undefined) {
        try {
          new RegExp(v.pathRegex); // eslint-disable-line no-new
        } catch (e) {
          throw new Error(`${k}.pathRegex: ${e.message}`);
        }
      }
      this.faults[k] = k === 'status429' || k === 'status500' ? Object.assign({}, v) : v;
    }
    // A rollout held by stallRollout goes on once the knob no longer names it.
    if (this.cluster && this.cluster.workloads) this.cluster.workloads.resume();
  }

  reset() {
    this.faults = {};
    this.log = [];
    resetExecStats();
    if (this.cluster) this.cluster.reset();
  }

  /** Appends a log entry and returns it so later stages (exec) can fill it in. */
  record(entry) {
    this.seq += 1;
    const e = Object.assign({ seq: this.seq, time: new Date().toISOString() }, entry);
    this.log.push(e);
    if (this.log.length > 10000) this.log.shift(); // bounded: long manual sessions stay small
    return e;
  }

  /**
   * Consumes one injected error for `path` if a knob matches; returns {code, headers, body} or null.
   */
  takeInjectedError(path) {
    for (const key of ['status429', 'status500']) {
      const f = this.faults[key];
      if (!f || !(f.count > 0)) continue;
      if (f.pathRegex && !new RegExp(f.pathRegex).test(path)) continue;
      f.count -= 1;
      const headers = {};
      // Priority-and-fairness always sends Retry-After with its 429s; 5xx only when asked.
      if (f.retryAfter !== undefined || key === 'status429') headers['Retry-After'] = String(f.retryAfter ?? 1);
      if (key === 'status429') {
        return { code: 429, headers, message: 'Too many requests, please try again later.', reason: 'TooManyRequests',
          details: { retryAfterSeconds: Number(f.retryAfter) || 1 } };
      }
      const code = f.code || 500;
      return code === 503
        ? { code, headers, message: 'the server is currently unable to handle the request', reason: 'ServiceUnavailable' }
        : { code, headers, message: 'Internal error occurred: injected fault (status500)', reason: 'InternalError' };
    }
    return null;
  }

  /** Whether pod `ns/name` is listed in the knob (entries may be "name" or "ns/name"). */
  podListed(knob, ns, name) {
    const list = this.faults[knob];
    return Array.isArray(list) && (list.includes(name) || list.includes(`${ns}/${name}`));
  }

  /** Handles /_test/*; `user` is already authenticated. */
  handle(req, res, url, user, body) {
    if (user.role !== 'admin') {
      sendStatus(res, 403, `forbidden: User "${user.name}" cannot ${req.method.toLowerCase()} path "${url.pathname}"`, 'Forbidden', {});
      return;
    }
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /_test/requests') return sendJson(res, 200, this.log);
    if (route === 'GET /_test/faults') return sendJson(res, 200, this.faults);
    if (route === 'GET /_test/execs') return sendJson(res, 200, { peak: execStats.peak });
    if (route === 'POST /_test/execs') {
      resetExecStats();
      return sendJson(res, 200, { peak: execStats.peak });
    }
    if (route === 'POST /_test/reset') {
      this.reset();
      return sendJson(res, 200, { faults: this.faults });
    }
    if (this.sim && (route === 'GET /_test/sim' || route === 'POST /_test/sim')) return this.handleSim(req, res, body);
    if (route === 'POST /_test/faults') {
      let patch;
      try {
        patch = JSON.parse(body.toString('utf8') || '{}');
        this.setFaults(patch);
      } catch (e) {
        return sendStatus(res, 400, `/_test/faults: ${e.message}`, 'BadRequest');
      }
      return sendJson(res, 200, this.faults);
    }
    return sendStatus(res, 404, `no control endpoint ${route} (have GET /_test/requests, GET|POST /_test/execs, GET|POST /_test/faults, POST /_test/reset${this.sim ? ', GET|POST /_test/sim' : ''})`, 'NotFound');
  }

  handleSim(req, res, body) {
    if (req.method === 'GET') return sendJson(res, 200, this.sim.state());
    try {
      return sendJson(res, 200, this.sim.update(JSON.parse(body.toString('utf8') || '{}')));
    } catch (e) {
      if (!(e instanceof SimError || e instanceof SyntaxError)) throw e;
      return sendStatus(res, 400, `/_test/sim: ${e.message}`, 'BadRequest');
    }
  }
}

module.exports = { Control };
