#!/usr/bin/env node
'use strict';
// A test Kubernetes API server: enough of the real one for kubectl 1.32 and kubectl-ko-ipsec
// (discovery, pods, nodes, namespaces, secrets, exec over WebSocket, apps/v1 workloads with
// rollouts, certificatesigningrequests), plus fault injection.
// Usage and the cluster-file format: README.md. Loopback only; never exposed.

const fs = require('fs');
const https = require('https');
const path = require('path');
const { WebSocketServer } = require('ws');
const { Cluster, ClusterError } = require('./lib/cluster');
const { Control } = require('./lib/control');
const { authenticate, impersonate, allowed, forbidden } = require('./lib/auth');
const { route, MAX_BODY, parsePath } = require('./lib/routes');
const { handleExecUpgrade, killAllSessions } = require('./lib/exec');
const { killAllHooks } = require('./lib/restart_hook');
const { sendJson, sendStatus, failure, noRoute, writeRaw } = require('./lib/status');

const USAGE = 'usage: server.js --cluster FILE --pki DIR [--host 127.0.0.1] [--port 0] [--server-cert NAME] [--ignore-stdin] [--verbose] [--simulate-nodes N]';

function parseArgs(argv) {
  const opts = { host: '127.0.0.1', port: 0, serverCert: 'server', ignoreStdin: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--cluster') opts.cluster = value();
    else if (a === '--pki') opts.pki = value();
    else if (a === '--host') opts.host = value();
    else if (a === '--port') opts.port = Number(value());
    else if (a === '--server-cert') opts.serverCert = value();
    else if (a === '--ignore-stdin') opts.ignoreStdin = true;
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--simulate-nodes') opts.simulateNodes = Number(value());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!opts.cluster || !opts.pki) throw new Error('--cluster and --pki are required');
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error('--port must be 0..65535');
  if (opts.simulateNodes !== undefined && !(Number.isInteger(opts.simulateNodes) && opts.simulateNodes > 0)) {
    throw new Error('--simulate-nodes must be a positive integer');
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(opts.serverCert)) throw new Error('--server-cert must be a plain name (e.g. server, expired)');
  return opts;
}

// Resolves to the body, or null once it exceeds MAX_BODY (the rest is discarded).
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
      } else {
        chunks.push(c);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// "//x" would parse as a protocol-relative URL; requests always carry an absolute path.
function requestUrl(req) {
  return new URL(`https://localhost${req.url.startsWith('/') ? req.url : `/${req.url}`}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function main() {
  let opts;
  let cluster;
  try {
    opts = parseArgs(process.argv.slice(2));
    cluster = new Cluster(path.resolve(opts.cluster), { simulateNodes: opts.simulateNodes });
  } catch (e) {
    process.stderr.write(`server.js: ${e.message}\n${e instanceof ClusterError ? '' : `${USAGE}\n`}`);
    process.exit(2);
  }
  const log = opts.verbose ? (msg) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`) : () => {};
  let control;
  try {
    control = new Control(cluster.initialFaults, cluster);
  } catch (e) {
    process.stderr.write(`server.js: ${opts.cluster}: faults: ${e.message}\n`);
    process.exit(2);
  }
  const pkiFile = (name) => {
    try {
      return fs.readFileSync(path.join(opts.pki, name));
    } catch (e) {
      process.stderr.write(`server.js: cannot read ${path.join(opts.pki, name)} (run gen-pki.sh ${opts.pki}): ${e.message}\n`);
      return process.exit(2);
    }
  };
  const server = https.createServer({
    key: pkiFile(`${opts.serverCert}.key`),
    cert: pkiFile(`${opts.serverCert}.crt`),
    ca: pkiFile('ca.crt'),
    // Ask for a client cert but never fail the handshake: token and basic-auth clients have none.
    requestCert: true,
    rejectUnauthorized: false,
    ALPNProtocols: ['http/1.1'],
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024,
    handleProtocols: (_protocols, req) => req.koiProtocol || false });
  const sockets = new Set();
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', (e) => log(`TLS handshake failed: ${e.message}`));

  // Shared by plain requests and upgrades: log, latency, authentication, impersonation,
  // injected errors. Returns {user, entry} or {entry, error: {code, body, headers}}.
  async function admit(req, url) {
    const entry = control.record({ method: req.method, path: url.pathname, query: url.search.replace(/^\?/, ''),
      accept: req.headers.accept || null, userAgent: req.headers['user-agent'] || null, user: null, groups: null,
      authMethod: null, impersonation: null, code: null });
    log(`${req.method} ${url.pathname}${url.search}`);
    const latency = Number(control.faults.latencyMs) || 0;
    if (latency > 0) await sleep(latency);
    const who = authenticate(req, cluster);
    if (!who) return { entry, error: { code: 401, body: failure(401, 'Unauthorized', 'Unauthorized') } };
    entry.authMethod = who.method;
    const imp = impersonate(req, who, cluster);
    entry.impersonation = imp.impersonation;
    entry.user = who.name;
    if (imp.error) return { entry, error: { code: imp.error.code, body: imp.error } };
    entry.user = imp.user.name;
    entry.groups = imp.user.groups;
    if (imp.user.via) entry.authenticatedAs = imp.user.via;
    const injected = control.takeInjectedError(url.pathname);
    if (injected) {
      entry.injected = injected.code;
      return { entry, error: { code: injected.code, headers: injected.headers,
        body: failure(injected.code, injected.message, injected.reason, injected.details) } };
    }
    return { user: imp.user, entry };
  }

  server.on('request', async (req, res) => {
    try {
      const url = requestUrl(req);
      const body = await readBody(req);
      if (body === null) {
        res.on('finish', () => req.socket.destroy());
        return sendStatus(res, 413, 'the request body is larger than 3 MiB', 'RequestEntityTooLarge', null,
          { Connection: 'close' });
      }
      if (url.pathname.startsWith('/_test/')) {
        const who = authenticate(req, cluster);
        if (!who) return sendJson(res, 401, failure(401, 'Unauthorized', 'Unauthorized'));
        return control.handle(req, res, url, who, body);
      }
      const { user, entry, error } = await admit(req, url);
      res.on('finish', () => { entry.code = res.statusCode; });
      const drip = control.faults.dripBody;
      if (drip && (!drip.pathRegex || new RegExp(drip.pathRegex).test(url.pathname))) {
        res.koiDripMs = Number(drip.intervalMs) || 1000; // sendJson then writes the body a byte at a time
      }
      if (error) return sendJson(res, error.code, error.body, error.headers);
      return route({ req, res, url, user, body, cluster, entry, port: server.address().port });
    } catch (e) {
      log(`internal error: ${e.stack}`);
      return sendStatus(res, 500, `Internal error occurred: ${e.message}`, 'InternalError');
    }
  });

  server.on('upgrade', async (req, socket, head) => {
    socket.on('error', () => {});
    try {
      const url = requestUrl(req);
      const { user, entry, error } = await admit(req, url);
      if (error) {
        entry.code = error.code;
        return writeRaw(socket, error.code, error.body, error.headers);
      }
      const p = parsePath(url.pathname);
      if (!p || p.resource !== 'pods' || !p.ns || !p.name || p.sub !== 'exec') {
        entry.code = 404;
        return writeRaw(socket, 404, noRoute());
      }
      // WebSocket upgrades are GETs (RBAC verb get); kubectl's SPDY fallback POSTs (verb create).
      const verb = req.method === 'POST' ? 'create' : 'get';
      if (!allowed(user, verb, 'pods/exec')) {
        entry.code = 403;
        return writeRaw(socket, 403, forbidden(user, verb, 'pods/exec', p.ns, p.name));
      }
      return handleExecUpgrade({ req, socket, head, url, cluster, control, entry, ns: p.ns, name: p.name }, wss);
    } catch (e) {
      log(`internal error on upgrade: ${e.stack}`);
      return writeRaw(socket, 500, failure(500, `Internal error occurred: ${e.message}`, 'InternalError'));
    }
  });

  let stopping = false;
  function shutdown(why) {
    if (stopping) return;
    stopping = true;
    log(`shutting down: ${why}`);
    server.close();
    killAllSessions();
    killAllHooks();
    for (const ws of wss.clients) ws.terminate();
    for (const s of sockets) s.destroy();
    setTimeout(() => process.exit(0), 50).unref();
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (!opts.ignoreStdin) {
    // The harness holds our stdin open; EOF means it is gone, so a crashed test never leaks us.
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.on('error', () => shutdown('stdin error'));
    process.stdin.resume();
  }
  // A bug in one handler must not take down the server that a whole test run depends on.
  process.on('uncaughtException', (e) => process.stderr.write(`server.js: uncaught: ${e.stack}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`server.js: unhandled: ${e && e.stack}\n`));

  server.on('error', (e) => {
    process.stderr.write(`server.js: cannot listen on ${opts.host}:${opts.port}: ${e.message}\n`);
    process.exit(1);
  });
  server.listen(opts.port, opts.host, () => {
    // Restart hooks (lib/restart_hook.js) reach this server as the first admin with a token.
    const admin = cluster.users.find((u) => u.role === 'admin' && u.token);
    const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    cluster.hookEnv = { KOI_APISERVER: `https://${host}:${server.address().port}`,
      KOI_APISERVER_CA: path.resolve(opts.pki, 'ca.crt'), KOI_APISERVER_TOKEN: admin ? admin.token : '' };
    process.stdout.write(`LISTENING ${server.address().port}\n`);
  });
}

main();
