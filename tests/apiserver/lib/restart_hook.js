'use strict';
// Restart hooks (README "Restart hooks"): a cluster-file pod with "restart": {"argv": [...]}
// stands for a container whose start does real work (the lab's Kube-OVN pods, tests/lab). When a
// rollout or a delete replaces such a pod, the new pod runs argv (no shell) with its own object
// as JSON on stdin and becomes ready only when it exits 0; otherwise it stays unready, so its
// rollout stops there, as behind a pod that never passes its readiness probe.

const { spawn } = require('child_process');

const MAX_OUTPUT = 256 * 1024;
const DEFAULT_TIMEOUT_MS = 600000;
const running = new Set(); // every hook child, so reset and shutdown can end them

/** Validates a cluster file's `restart`; returns {argv, timeoutMs} or throws Error(why). */
function parseRestart(r) {
  if (!r || !Array.isArray(r.argv) || !r.argv.length || !r.argv.every((a) => typeof a === 'string' && a)) {
    throw new Error('restart needs "argv": a non-empty list of strings');
  }
  const timeoutMs = r.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : r.timeoutMs;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new Error('restart.timeoutMs must be a positive integer');
  return { argv: r.argv.slice(), timeoutMs };
}

/**
 * Runs entry's hook; calls done(ok) once. Its output becomes the pod's log (every container's),
 * and `entry.hook` records {state: running|ok|failed, exitCode, signal, timedOut, error}.
 * Returns a handle whose kill() ends the hook (its process group) without calling done.
 */
function runHook(cluster, entry, done) {
  const { argv, timeoutMs } = entry.restart;
  const m = entry.obj.metadata;
  const env = Object.assign({}, process.env, cluster.hookEnv || {},
    { KOI_POD_NAMESPACE: m.namespace, KOI_POD_NAME: m.name, KOI_NODE_NAME: entry.obj.spec.nodeName || '' });
  const hook = entry.hook = { state: 'running', argv, exitCode: null, signal: null, timedOut: false };
  let output = '';
  let finished = false;
  let child = null;
  let timer = null;
  const setLogs = () => {
    for (const c of entry.obj.spec.containers) entry.logs[c.name] = output;
  };
  const finish = (code, signal, error) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    running.delete(child);
    Object.assign(hook, { exitCode: code, signal, error: error || undefined });
    hook.state = code === 0 && !hook.timedOut && !error ? 'ok' : 'failed';
    setLogs();
    if (hook.state === 'failed') {
      process.stderr.write(`server.js: restart hook of pod ${m.namespace}/${m.name} failed (${error ||
        (hook.timedOut ? `timed out after ${timeoutMs} ms` : `exit ${code}${signal ? `, ${signal}` : ''}`)}):\n${output}\n`);
    }
    done(hook.state === 'ok');
  };
  entry.logs = Object.assign({}, entry.logs);
  try {
    // Its own process group: a timeout or a reset ends everything it started.
    child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env, detached: true });
  } catch (e) {
    finish(null, null, e.message);
    return { kill() {} };
  }
  running.add(child);
  const collect = (chunk) => {
    if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
    setLogs();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  child.on('error', (e) => finish(null, null, e.message));
  // 'exit', not 'close': a daemon the hook starts may keep a copy of its stdout open.
  child.on('exit', (code, signal) => setTimeout(() => finish(code, signal), 50));
  child.stdin.on('error', () => {});
  child.stdin.end(`${JSON.stringify(entry.obj)}\n`);
  timer = setTimeout(() => {
    hook.timedOut = true;
    killGroup(child, 'SIGKILL');
  }, timeoutMs);
  timer.unref();
  return {
    kill() {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      running.delete(child);
      hook.state = 'killed';
      killGroup(child, 'SIGTERM');
    },
  };
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch (_) {
    // already gone
  }
}

/** Server shutdown: ends every hook still running. */
function killAllHooks() {
  for (const child of running) killGroup(child, 'SIGTERM');
  running.clear();
}

module.exports = { parseRestart, runHook, killAllHooks };
