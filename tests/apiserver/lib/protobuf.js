'use strict';
// Request bodies in application/vnd.kubernetes.protobuf, which kubectl's typed clients send (e.g.
// `kubectl certificate approve` PUTs …/approval that way): the "k8s\0" envelope
// (runtime.Unknown: 1 typeMeta {1 apiVersion, 2 kind}, 2 raw) around a CertificateSigningRequest
// (k8s.io/api/certificates/v1/generated.proto), decoded into the JSON object the API would take.
// Only CertificateSigningRequests are decoded; anything else is null (the caller answers 415).

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

function varint(b, i) {
  let x = 0;
  let mul = 1;
  for (;;) {
    if (i >= b.length) throw new Error('truncated varint');
    const c = b[i++];
    x += (c & 0x7f) * mul;
    mul *= 128;
    if (!(c & 0x80)) return [x, i];
  }
}

// Fields of one message: [{f, v}] with v a number (varint) or a Buffer (length-delimited).
function fields(b) {
  const out = [];
  let i = 0;
  while (i < b.length) {
    let key;
    [key, i] = varint(b, i);
    const f = Math.floor(key / 8);
    const t = key % 8;
    if (t === 0) {
      let v;
      [v, i] = varint(b, i);
      out.push({ f, v });
    } else if (t === 2) {
      let len;
      [len, i] = varint(b, i);
      out.push({ f, v: b.subarray(i, i + len) });
      i += len;
    } else if (t === 1) {
      i += 8;
    } else if (t === 5) {
      i += 4;
    } else {
      throw new Error(`unsupported wire type ${t}`);
    }
  }
  return out;
}

const str = (v) => Buffer.from(v).toString('utf8');
const all = (fs, n) => fs.filter((x) => x.f === n).map((x) => x.v);
const one = (fs, n) => {
  const v = all(fs, n);
  return v.length ? v[v.length - 1] : undefined;
};

function time(buf) {
  if (!buf || !buf.length) return undefined;
  const fs = fields(buf);
  const secs = one(fs, 1) || 0;
  return new Date(secs * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function stringMap(list) {
  if (!list.length) return undefined;
  const out = {};
  for (const e of list) {
    const fs = fields(e);
    out[str(one(fs, 1) || '')] = str(one(fs, 2) || '');
  }
  return out;
}

// k8s.io/apimachinery ObjectMeta: 1 name, 3 namespace, 5 uid, 6 resourceVersion, 11 labels, 12 annotations.
function objectMeta(buf) {
  const fs = fields(buf || Buffer.alloc(0));
  const m = {};
  for (const [n, k] of [[1, 'name'], [3, 'namespace'], [5, 'uid'], [6, 'resourceVersion']]) {
    const v = one(fs, n);
    if (v !== undefined && v.length) m[k] = str(v);
  }
  const labels = stringMap(all(fs, 11));
  const annotations = stringMap(all(fs, 12));
  if (labels) m.labels = labels;
  if (annotations) m.annotations = annotations;
  return m;
}

function csr(buf) {
  const fs = fields(buf);
  const spec = fields(one(fs, 2) || Buffer.alloc(0));
  const status = fields(one(fs, 3) || Buffer.alloc(0));
  const obj = { kind: 'CertificateSigningRequest', apiVersion: 'certificates.k8s.io/v1', metadata: objectMeta(one(fs, 1)),
    spec: {}, status: {} };
  const req = one(spec, 1);
  if (req !== undefined) obj.spec.request = Buffer.from(req).toString('base64');
  const signer = one(spec, 7);
  if (signer !== undefined) obj.spec.signerName = str(signer);
  obj.spec.usages = all(spec, 5).map(str);
  const conditions = all(status, 1).map((c) => {
    const cf = fields(c);
    const out = { type: str(one(cf, 1) || ''), status: str(one(cf, 6) || '') };
    const reason = one(cf, 2);
    const message = one(cf, 3);
    if (reason && reason.length) out.reason = str(reason);
    if (message && message.length) out.message = str(message);
    const lu = time(one(cf, 4));
    const lt = time(one(cf, 5));
    if (lu) out.lastUpdateTime = lu;
    if (lt) out.lastTransitionTime = lt;
    return out;
  });
  if (conditions.length) obj.status.conditions = conditions;
  const cert = one(status, 2);
  if (cert !== undefined && cert.length) obj.status.certificate = Buffer.from(cert).toString('base64');
  return obj;
}

/** The JSON form of a protobuf request body, or null when it is not a CertificateSigningRequest. */
function decode(body) {
  try {
    if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) return null;
    const unknown = fields(body.subarray(4));
    const typeMeta = fields(one(unknown, 1) || Buffer.alloc(0));
    const kind = str(one(typeMeta, 2) || '');
    const apiVersion = str(one(typeMeta, 1) || '');
    if (kind !== 'CertificateSigningRequest' || apiVersion !== 'certificates.k8s.io/v1') return null;
    return csr(one(unknown, 2) || Buffer.alloc(0));
  } catch (e) {
    return null;
  }
}

module.exports = { decode };
