'use strict';
// Pod exec over WebSocket (v5.channel.k8s.io / v4.channel.k8s.io framing): request validation,
// subprotocol negotiation, and the session that answers from canned rules or runs a real
// command. Everything that can fail before the upgrade is answered as plain HTTP, like the
// real server, so clients see a Status body instead of a broken handshake.

const crypto = require('crypto');
const os = require('os');
const { spawn } = require('child_process');
const { failure, notFound, writeRaw } = require('./status');

const IMPLEMENTED = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const CLOSE_SIGNAL = 0xff;
const STDIN_LOG_LIMIT = 64 * 1024;
const live = new Set(); // running sessions, so shutdown can kill their child processes
// The most exec sessions the client held open at once since the last reset: what the plugin's
// own concurrency bound allows, measured here (a per-command queue, like sim_init's shells,
// would hide it). GET /_test/execs reads it; POST /_test/reset starts it again.
const execStats = { peak: 0 };
function resetExecStats() {
  execStats.peak = live.size;
}

// Same truthiness as runtime.Convert_Slice_string_To_bool: only absent, "false" and "0" are false.
function flag(q, name) {
  const v = q.get(name);
  return v !== null && v !== 'false' && v !== '0';
}

/** Validates an exec request; returns {podEntry, container, argv, stdin, stdout, stderr, tty} or {error}. */
function execTarget(cluster, ns, name, q) {
  const podEntry = cluster.pods.get(`${ns}/${name}`);
  if (!podEntry) return { error: notFound('pods', name) };
  const pod = podEntry.obj;
  const names = pod.spec.containers.map((c) => c.name);
  let container = q.get('container');
  if (!container) {
    if (names.length > 1) {
      return { error: failure(400, `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`, 'BadRequest') };
    }
    container = names[0];
  }
  if (!names.includes(container)) return { error: failure(400, `container ${container} is not valid for pod ${name}`, 'BadRequest') };
  if (!pod.spec.nodeName) return { error: failure(400, `pod ${name} does not have a host assigned`, 'BadRequest') };
  const t = { podEntry, container, argv: q.getAll('command'), stdin: flag(q, 'stdin'), stdout: flag(q, 'stdout'),
    stderr: flag(q, 'stderr'), tty: flag(q, 'tty') };
  if (!t.stdin && !t.stdout && !t.stderr) {
    return { error: failure(400, 'you must specify at least 1 of stdin, stdout, stderr', 'BadRequest') };
  }
  if (t.argv.length === 0) return { error: failure(400, 'you must specify a command (command=...)', 'BadRequest') };
  return t;
}

function matches(ruleArgv, argv, prefix) {
  if (prefix ? argv.length < ruleArgv.length : argv.length !== ruleArgv.length) return false;
  return ruleArgv.every((a, i) => a === argv[i]);
}

/** The simulation's answer for its pods; else the first matching rule, the pod's default, the cluster's execDefault, "not found". */
function chooseResponder(cluster, t) {
  const simulated = cluster.sim && cluster.sim.responder(t);
  if (simulated) return simulated;
  const e = t.podEntry.exec;
  for (const r of (e && e.rules) || []) {
    if (r.container && r.container !== t.container) continue;
    if (matches(r.argv, t.argv, r.argvPrefix !== undefined ? r.argvPrefix : e.argvPrefix)) return r;
  }
  if (e && e.default) return e.default;
  return cluster.execDefault || { fail: 'executable file not found in $PATH' };
}

// containerd's wording, so clients see what a real "kubectl exec" of a missing binary prints.
function runtimeError(argv0, why) {
  const id = crypto.randomBytes(32).toString('hex');
  return `error executing command in container: failed to exec in container: failed to start exec "${id}": ` +
    `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv0}": ${why}: unknown`;
}

function internalError(text) {
  return { metadata: {}, status: 'Failure', message: `Internal error occurred: ${text}`, reason: 'InternalError',
    details: { causes: [{ message: text }] }, code: 500 };
}

function exitStatus(code) {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: exit status ${code}`,
    reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } };
}

function frame(channel, payload) {
  return Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(payload) ? payload : Buffer.from(payload)]);
}

/** One exec stream after the 101; `info` is the log entry's exec record, filled in as it goes. */
class ExecSession {
  constructor(ws, opts) {
    Object.assign(this, opts); // protocol, target, responder, control, info, cluster
    this.ws = ws;
    this.finished = false;
    this.child = null;
    this.pendingStdin = [];
    this.stdinEOF = false;
    this.onStdinEOF = null;
    this.stdoutSent = 0;
    this.timers = [];
    const f = this.control.faults;
    const { namespace, name } = this.target.podEntry.obj.metadata;
    const resetListed = !Array.isArray(f.resetExecPods) || this.control.podListed('resetExecPods', namespace, name);
    this.resetAfter = Number.isInteger(f.resetExecAfterBytes) && resetListed ? f.resetExecAfterBytes : null;
  }

  start() {
    live.add(this);
    execStats.peak = Math.max(execStats.peak, live.size);
    const t = this.target;
    this.ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.ws.on('close', () => this.cleanup('client closed the connection'));
    this.ws.on('error', () => this.cleanup('connection error'));
    // Tells the client the streams are up (client-go ignores it); lowest requested channel.
    this.ws.send(frame(t.stdout ? STDOUT : t.stderr ? STDERR : ERROR, Buffer.alloc(0)));
    const { namespace, name } = t.podEntry.obj.metadata;
    if (this.control.podListed('hangExecPods', namespace, name)) {
      this.info.result = 'hang';
      return;
    }
    const delay = (Number(this.control.faults.execLatencyMs) || 0) + (Number(this.responder.latencyMs) || 0);
    this.timers.push(setTimeout(() => this.run(), delay));
  }

  run() {
    if (this.finished) return;
    const t = this.target;
    const { namespace, name } = t.podEntry.obj.metadata;
    const phase = t.podEntry.obj.status.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      return this.finishStatus(internalError(`unable to upgrade connection: container not found ("${t.container}")`), null, 'internal-error');
    }
    if (this.control.podListed('execFailPods', namespace, name)) {
      return this.finishStatus(internalError(runtimeError(t.argv[0], 'injected failure (execFailPods)')), null, 'internal-error');
    }
    const flood = this.control.faults.floodExec;
    if (flood && (!flood.pods || flood.pods.includes(name) || flood.pods.includes(`${namespace}/${name}`))) return this.runFlood(flood);
    const r = this.responder;
    if (r.dynamic) return this.runDynamic(r.dynamic());
    if (r.run) return this.runProcess(Array.isArray(r.run) ? [...r.run, ...t.argv] : t.argv);
    if (r.fail) return this.finishStatus(internalError(runtimeError(t.argv[0], r.fail)), null, 'internal-error');
    return this.runCanned(r);
  }

  runCanned(r) {
    const chunk = Number(r.chunkBytes) > 0 ? Number(r.chunkBytes) : 32 * 1024;
    const send = (channel, text) => {
      const buf = Buffer.from(text || '');
      for (let i = 0; i < buf.length && !this.finished; i += chunk) this.sendOutput(channel, buf.subarray(i, i + chunk));
    };
    if (this.target.stdout) send(STDOUT, r.stdout);
    if (this.target.stderr) send(STDERR, r.stderr);
    const code = Number(r.exitCode) || 0;
    // A canned command "reads" its stdin like tee would: it ends once the client half-closes
    // stdin, which only v5 can signal (v4 has no way, so it ends at once).
    const waitStdin = r.waitStdin !== false && this.target.stdin && this.protocol === 'v5.channel.k8s.io';
    if (waitStdin && !this.stdinEOF) this.onStdinEOF = () => this.finishStatus(exitStatus(code), code, 'exited');
    else this.finishStatus(exitStatus(code), code, 'exited');
  }

  // A simulated command (lib/sim.js), answered from the state at this moment: canned-style, or
  // `chunks` (an iterator of strings) streamed a slice at a time, yielding to the event loop so a
  // megabyte-sized tunnels/show neither exists as one string nor stalls other sessions.
  runDynamic(answer) {
    if (answer.hang) {
      this.info.result = 'hang';
      return undefined;
    }
    // A real process the simulation starts when it has room (lib/sim_init.js): `spawn(start)`
    // calls start(argv, spawnOptions), which returns the child, or null once the client is gone.
    if (answer.spawn) return answer.spawn((argv, options) => (this.finished ? null : this.runProcess(argv, options)));
    if (!answer.chunks) return this.runCanned(Object.assign({ waitStdin: false }, answer));
    const code = Number(answer.exitCode) || 0;
    const pump = () => {
      for (let sent = 0; sent < 256 * 1024;) {
        if (this.finished) return undefined;
        const next = answer.chunks.next();
        if (next.done) return this.finishStatus(exitStatus(code), code, 'exited');
        const buf = Buffer.from(next.value);
        for (let i = 0; i < buf.length && this.target.stdout; i += 32 * 1024) this.sendOutput(STDOUT, buf.subarray(i, i + 32 * 1024));
        sent += buf.length;
      }
      if (this.ws.bufferedAmount > 4 * 1024 * 1024) this.timers.push(setTimeout(pump, 2));
      else setImmediate(pump);
      return undefined;
    };
    return pump();
  }

  // floodExec: `bytes` of 1 KiB lines (or of `line`) on stdout (or stderr) in `messageBytes` messages, then exit
  // 0, whatever the command: a pod that prints far more than any real command does. Paced by the
  // socket's buffer, so neither side has to hold it all.
  runFlood(flood) {
    const channel = flood.stream === 'stderr' ? STDERR : STDOUT;
    const size = Number(flood.messageBytes) > 0 ? Number(flood.messageBytes) : 32 * 1024;
    const line = flood.line !== undefined ? `${flood.line}\n` : 'x'.repeat(1023) + '\n';
    const message = Buffer.from(line.repeat(Math.ceil(size / line.length))).subarray(0, size);
    let left = flood.bytes;
    this.info.result = 'flood';
    const pump = () => {
      while (left > 0 && !this.finished) {
        const n = Math.min(left, message.length);
        this.sendOutput(channel, message.subarray(0, n));
        left -= n;
        if (this.ws.bufferedAmount > 4 * 1024 * 1024) return this.timers.push(setTimeout(pump, 1));
      }
      return this.finishStatus(exitStatus(0), 0, 'exited');
    };
    pump();
  }

  runProcess(argv, options) {
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), Object.assign({ stdio: ['pipe', 'pipe', 'pipe'] }, options));
    } catch (e) {
      this.finishStatus(internalError(runtimeError(argv[0], e.message)), null, 'internal-error');
      return null;
    }
    this.child = child;
    child.on('error', (e) => {
      const why = e.code === 'ENOENT' ? 'executable file not found in $PATH' : e.code === 'EACCES' ? 'permission denied' : e.message;
      this.finishStatus(internalError(runtimeError(argv[0], why)), null, 'internal-error');
    });
    child.stdin.on('error', () => {}); // EPIPE when the command exits without reading stdin
    child.stdout.on('data', (d) => (this.target.stdout ? this.sendOutput(STDOUT, d) : undefined));
    child.stderr.on('data', (d) => (this.target.stderr ? this.sendOutput(STDERR, d) : undefined));
    child.on('close', (code, signal) => {
      const rc = code !== null ? code : 128 + (os.constants.signals[signal] || 0);
      this.finishStatus(exitStatus(rc), rc, 'exited');
    });
    for (const buf of this.pendingStdin) child.stdin.write(buf);
    this.pendingStdin = [];
    if (!this.target.stdin || this.stdinEOF) child.stdin.end();
    return child;
  }

  onMessage(data, isBinary) {
    if (!isBinary) {
      this.ws.close(1003, 'only binary messages are accepted');
      return;
    }
    const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data);
    if (buf.length === 0) return;
    const channel = buf[0];
    if (channel === STDIN && this.target.stdin) {
      const payload = buf.subarray(1);
      this.info.stdinBytes += payload.length;
      if (this.info.stdinText.length < STDIN_LOG_LIMIT) this.info.stdinText += payload.toString('utf8').slice(0, STDIN_LOG_LIMIT);
      if (this.child) this.child.stdin.write(payload);
      else this.pendingStdin.push(payload);
    } else if (channel === CLOSE_SIGNAL && this.protocol === 'v5.channel.k8s.io' && buf[1] === STDIN) {
      this.stdinEOF = true;
      this.info.stdinClosed = true;
      if (this.child) this.child.stdin.end();
      if (this.onStdinEOF) this.onStdinEOF();
    }
    // Resize (4) and anything else is accepted and ignored: there is no terminal.
  }

  sendOutput(channel, payload) {
    if (this.finished) return;
    if (channel === STDOUT && this.resetAfter !== null && this.stdoutSent + payload.length >= this.resetAfter) {
      const part = payload.subarray(0, this.resetAfter - this.stdoutSent);
      this.stdoutSent += part.length;
      this.finished = true;
      this.info.result = 'reset';
      this.killChild();
      // Destroy only once the partial frame is on the wire: no Close frame, no status.
      const destroy = () => this.ws._socket && this.ws._socket.destroy();
      if (part.length > 0) this.ws.send(frame(STDOUT, part), destroy);
      else destroy();
      return;
    }
    if (channel === STDOUT) this.stdoutSent += payload.length;
    this.ws.send(frame(channel, payload));
  }

  finishStatus(status, exitCode, result) {
    if (this.finished) return;
    this.finished = true;
    this.info.exitCode = exitCode;
    this.info.result = result;
    this.info.status = status;
    this.ws.send(frame(ERROR, JSON.stringify(status)));
    this.ws.close(1000);
  }

  killChild() {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  cleanup(why) {
    live.delete(this);
    this.timers.forEach(clearTimeout);
    this.killChild();
    if (!this.finished) {
      this.finished = true;
      this.info.result = this.info.result === 'hang' ? 'hang' : 'client-gone';
      this.info.note = why;
    }
  }
}

/**
 * Handles an authorized upgrade request to .../pods/{name}/exec: answers errors on the raw
 * socket, or completes the WebSocket handshake and runs the session.
 */
function handleExecUpgrade(ctx, wss) {
  const { req, socket, head, url, cluster, control, entry, ns, name } = ctx;
  const t = execTarget(cluster, ns, name, url.searchParams);
  const answer = (code, body, headers) => {
    entry.code = code;
    writeRaw(socket, code, body, headers);
  };
  if (t.error) return answer(t.error.code, t.error);
  // A throttling proxy or gateway in front of the API server, full: 429 with Retry-After before the
  // exec starts. (kube-apiserver's own priority-and-fairness filter does not track exec.)
  const inflight = control.faults.execInflightLimit;
  if (inflight && live.size >= inflight.limit) {
    entry.injected = 429;
    return answer(429, failure(429, 'Too many requests, please try again later.', 'TooManyRequests',
      { retryAfterSeconds: inflight.retryAfter ?? 1 }), { 'Retry-After': String(inflight.retryAfter ?? 1) });
  }
  entry.exec = { namespace: ns, pod: name, container: t.container, argv: t.argv, stdin: t.stdin, stdout: t.stdout,
    stderr: t.stderr, tty: t.tty, stdinBytes: 0, stdinText: '', stdinClosed: false, exitCode: null, result: null };
  if (String(req.headers.upgrade || '').toLowerCase() !== 'websocket') {
    entry.exec.result = 'rejected';
    const why = `this test API server speaks WebSocket (${IMPLEMENTED.join(', ')}) only, not ${req.headers.upgrade}`;
    return answer(400, failure(400, `Upgrade request required: ${why}`, 'BadRequest'));
  }
  const offered = String(req.headers['sec-websocket-protocol'] || '').split(',').map((s) => s.trim()).filter((s) => s);
  const supported = control.faults.protocols || cluster.protocols || IMPLEMENTED;
  const chosen = offered.find((p) => supported.includes(p) && IMPLEMENTED.includes(p));
  entry.subprotocolsOffered = offered;
  entry.subprotocol = chosen || null;
  // golang.org/x/net/websocket answers a failed handshake with a bare 403; mimic it exactly.
  if (control.faults.rejectWebSocket || !chosen) {
    entry.exec.result = 'rejected';
    return answer(403, '');
  }
  req.koiProtocol = chosen;
  wss.handleUpgrade(req, socket, head, (ws) => {
    entry.code = 101;
    const session = new ExecSession(ws, { protocol: chosen, target: t, responder: chooseResponder(cluster, t),
      control, info: entry.exec, cluster });
    session.start();
  });
  return undefined;
}

/**
 * The pod is gone (a rollout or a DELETE replaced it): its running execs end as when the kubelet
 * kills the container, with exit code 137 (SIGKILL).
 */
function endSessionsFor(podEntry) {
  for (const s of [...live]) {
    if (s.target.podEntry !== podEntry || s.finished) continue;
    s.killChild();
    s.info.note = 'pod deleted';
    s.finishStatus(exitStatus(137), 137, 'exited');
  }
}

/** Ends every running exec (kills its command); used at shutdown. */
function killAllSessions() {
  for (const s of [...live]) s.cleanup('server shutting down');
}

module.exports = { execTarget, handleExecUpgrade, killAllSessions, endSessionsFor, IMPLEMENTED, execStats, resetExecStats };
