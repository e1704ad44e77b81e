'use strict';
// The "simulate" object of a cluster file (README "Simulated Kube-OVN cluster"): its validation
// and defaults, and the deterministic names, system-ids and IPs derived from node indexes.

const crypto = require('crypto');

const LAYOUTS = ['ovs-ovn', 'kube-ovn-cni'];
const SAS = ['none', 'installed', 'larval'];
const FOLLOWER = ['fail', 'hang'];
const SB_CHASSIS = ['ok', 'fail', 'garbage'];
const SPEC_KEYS = ['nodes', 'namePrefix', 'layout', 'enableOvnIpsec', 'ipsec', 'centralReplicas', 'configureDelayMs',
  'configureJitterMs', 'execLatencyMs', 'sas', 'notReadyNodes', 'missingPodNodes', 'stoppedMonitorNodes',
  'garbageNodes', 'followerNbctl', 'sbChassis', 'helm', 'startActions', 'csrPollMs', 'csrTimeoutMs'];
const SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789'; // what Kubernetes' name generator draws from

class SimError extends Error {}

function digest(text) {
  return crypto.createHash('sha1').update(text).digest();
}

// A pod-name suffix like the ReplicaSet/DaemonSet controllers make, derived from `seed`.
function suffix(seed, length) {
  const d = digest(seed);
  let out = '';
  for (let i = 0; i < length; i++) out += SUFFIX_CHARS[d[i] % SUFFIX_CHARS.length];
  return out;
}

// UUID-shaped system-id whose first 6 hex digits are a bijection of the index (an odd
// multiplier mod 2^24), so tunnel ports ovn-<6 hex>-0 are unique for up to 16M nodes.
function systemId(index, name) {
  const head = ((index * 0x9e3779 + 0x5a17c3) % 0x1000000).toString(16).padStart(6, '0');
  const h = digest(`chassis/${name}`).toString('hex');
  return `${head}${h.slice(0, 2)}-${h.slice(2, 6)}-4${h.slice(6, 9)}-8${h.slice(9, 12)}-${h.slice(12, 24)}`;
}

function nodeIP(index) {
  const n = index + 2; // 172.18.0.2 upwards, as kind numbers its nodes
  return `172.18.${Math.floor(n / 256)}.${n % 256}`;
}

function hashInt(text) {
  return digest(text).readUInt32BE(0);
}

/** Validates the "simulate" object and fills in the defaults; throws SimError naming the bad key. */
function normalize(spec) {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new SimError('must be a JSON object');
  for (const k of Object.keys(spec)) {
    if (!SPEC_KEYS.includes(k)) throw new SimError(`unknown key "${k}" (known: ${SPEC_KEYS.join(', ')})`);
  }
  const o = Object.assign({ nodes: 3, namePrefix: 'node', layout: 'ovs-ovn', ipsec: false, configureDelayMs: 0,
    configureJitterMs: 0, execLatencyMs: 0, sas: 'none', notReadyNodes: [], missingPodNodes: [],
    stoppedMonitorNodes: [], garbageNodes: [], followerNbctl: 'fail', sbChassis: 'ok', helm: false, startActions: false,
    csrPollMs: 1000, csrTimeoutMs: 300000 }, spec);
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > 5000) throw new SimError('nodes must be an integer 1..5000');
  if (o.centralReplicas === undefined) o.centralReplicas = Math.min(3, o.nodes);
  if (!Number.isInteger(o.centralReplicas) || o.centralReplicas < 1 || o.centralReplicas > o.nodes) {
    throw new SimError('centralReplicas must be an integer 1..nodes');
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.namePrefix)) throw new SimError('namePrefix must be a DNS label');
  if (!LAYOUTS.includes(o.layout)) throw new SimError(`layout must be one of ${LAYOUTS.join(', ')}`);
  if (!SAS.includes(o.sas)) throw new SimError(`sas must be one of ${SAS.join(', ')}`);
  if (!FOLLOWER.includes(o.followerNbctl)) throw new SimError(`followerNbctl must be one of ${FOLLOWER.join(', ')}`);
  if (!SB_CHASSIS.includes(o.sbChassis)) throw new SimError(`sbChassis must be one of ${SB_CHASSIS.join(', ')}`);
  if (typeof o.ipsec !== 'boolean') throw new SimError('ipsec must be true or false');
  if (o.enableOvnIpsec !== undefined && typeof o.enableOvnIpsec !== 'boolean') throw new SimError('enableOvnIpsec must be true or false');
  if (o.enableOvnIpsec !== undefined && o.layout !== 'kube-ovn-cni') {
    throw new SimError('enableOvnIpsec needs layout "kube-ovn-cni" (Kube-OVN <= 1.12 has no such flag)');
  }
  // The chart's func.ENABLE_OVN_IPSEC default (charts/kube-ovn/values.yaml): always rendered.
  if (o.layout === 'kube-ovn-cni' && o.enableOvnIpsec === undefined) o.enableOvnIpsec = false;
  if (o.helm !== false && o.helm !== true && !(o.helm && typeof o.helm === 'object' && !Array.isArray(o.helm) &&
      Object.keys(o.helm).every((k) => ['release', 'namespace', 'chart'].includes(k)))) {
    throw new SimError('helm must be true, false or {"release", "namespace", "chart"}');
  }
  if (o.helm && o.layout !== 'kube-ovn-cni') throw new SimError('helm needs layout "kube-ovn-cni"');
  if (typeof o.startActions !== 'boolean') throw new SimError('startActions must be true or false');
  if (o.startActions && o.layout !== 'kube-ovn-cni') throw new SimError('startActions needs layout "kube-ovn-cni"');
  for (const k of ['csrPollMs', 'csrTimeoutMs']) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new SimError(`${k} must be an integer >= 1`);
  }
  for (const k of ['configureDelayMs', 'configureJitterMs', 'execLatencyMs']) {
    if (!Number.isInteger(o[k]) || o[k] < 0) throw new SimError(`${k} must be an integer >= 0`);
  }
  return o;
}

module.exports = { SimError, normalize, suffix, systemId, nodeIP, hashInt, SAS, FOLLOWER, SB_CHASSIS };
