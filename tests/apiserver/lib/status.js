'use strict';
// metav1.Status bodies shaped exactly like the real API server's, and the HTTP plumbing to send
// them. Clients (kubectl, the plugin) key off `reason` and `message`, so these strings matter.

const REASONS = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/** A `kind: Status` failure body; `details` is omitted when null (as the real server does). */
function failure(code, message, reason, details) {
  const body = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: reason || REASONS[code] || '',
  };
  if (details) body.details = details;
  body.code = code;
  return body;
}

/** Writes `obj` as JSON with `code`; extra headers optional. Safe on a finished response. */
function sendJson(res, code, obj, headers) {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(obj);
  res.writeHead(code, Object.assign({
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  }, headers || {}));
  if (!(res.koiDripMs > 0)) {
    res.end(text);
    return;
  }
  // dripBody: a server that never stalls long enough for a per-read timeout, yet never finishes.
  const buf = Buffer.from(text);
  let i = 0;
  const timer = setInterval(() => {
    if (res.writableEnded || res.destroyed) return clearInterval(timer);
    if (i >= buf.length) {
      clearInterval(timer);
      return res.end();
    }
    res.write(buf.subarray(i, i + 1));
    i += 1;
    return undefined;
  }, res.koiDripMs);
  timer.unref();
  res.on('close', () => clearInterval(timer));
}

/** Sends a Status failure (the common error path). */
function sendStatus(res, code, message, reason, details, headers) {
  sendJson(res, code, failure(code, message, reason, details), headers);
}

function notFound(resource, name) {
  return failure(404, `${resource} "${name}" not found`, 'NotFound', { name, kind: resource });
}

// The generic 404 the real server gives for a path no handler owns.
function noRoute() {
  return failure(404, 'the server could not find the requested resource', 'NotFound', {});
}

/**
 * An HTTP error answer on a raw socket: used for upgrade requests, which never get an
 * http.ServerResponse. An empty `body` gives the bare 403 that a refused subprotocol produces.
 */
function writeRaw(socket, code, body, headers) {
  if (socket.destroyed) return;
  const text = body === '' || body == null ? '' : JSON.stringify(body);
  const lines = [`HTTP/1.1 ${code} ${STATUS_TEXT[code] || 'Error'}`, 'Connection: close',
    `Content-Length: ${Buffer.byteLength(text)}`];
  if (text) lines.push('Content-Type: application/json');
  for (const [k, v] of Object.entries(headers || {})) lines.push(`${k}: ${v}`);
  socket.end(lines.join('\r\n') + '\r\n\r\n' + text);
}

const STATUS_TEXT = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

// The request body as a JSON object; on anything else a 400 Status is sent and null returned.
function parseBody(ctx) {
  try {
    const obj = JSON.parse(ctx.body.toString('utf8'));
    if (obj && typeof obj === 'object' && !Array.isArray(obj)) return obj;
  } catch (e) {
    sendStatus(ctx.res, 400, `the body of the request was in an unknown format - accepted media types include: application/json: ${e.message}`, 'BadRequest');
    return null;
  }
  sendStatus(ctx.res, 400, 'the body of the request must be a JSON object', 'BadRequest');
  return null;
}

module.exports = { parseBody, failure, sendJson, sendStatus, notFound, noRoute, writeRaw, REASONS };
