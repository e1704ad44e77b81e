'use strict';
// What a simulated node's ovs-monitor-ipsec answers: `tunnels/show` text in the exact OVS 3.1
// format of the lab captures (tests/testdata/tunnels-show/*.B-*, *.C-*, the Kube-OVN docs sample
// for installed SAs), generated from the simulation's state. Output is produced in chunks so a
// 1000-node full mesh (~1.2 MB per node) never has to exist as one string.

const GENEVE_PORT = 6081;
const NO_TUNNELS = 'No tunnels configured with IPsec\n';
const TUNNELS_PER_CHUNK = 48; // ~58 KB of text per chunk
const RUNDIR = '/var/run/openvswitch';

/** The tunnel port ovn-controller names after a remote chassis: ovn-<first 6 chars>-0. */
function tunnelPortName(chassis) {
  return `ovn-${chassis.slice(0, 6)}-0`;
}

// A stable "ephemeral" source port for a larval ACQUIRE state (lab state C), per node pair.
function ephemeralPort(local, remote) {
  return 32768 + ((local.index * 7919 + remote.index * 104729) % 28000);
}

// The "Kernel security associations installed:" lines for one tunnel.
function saLines(l, r, sas, local, remote) {
  if (sas === 'installed') {
    // Lab state E / the Kube-OVN docs: both CHILD_SAs, one SA per direction each, no `dev`.
    return `  sel src ${l}/32 dst ${r}/32 proto udp sport ${GENEVE_PORT}\n` +
      `  sel src ${r}/32 dst ${l}/32 proto udp dport ${GENEVE_PORT}\n` +
      `  sel src ${l}/32 dst ${r}/32 proto udp dport ${GENEVE_PORT}\n` +
      `  sel src ${r}/32 dst ${l}/32 proto udp sport ${GENEVE_PORT}\n`;
  }
  if (sas === 'larval') {
    return `  sel src ${l}/32 dst ${r}/32 proto udp sport ${ephemeralPort(local, remote)} dport ${GENEVE_PORT} dev eth0\n`;
  }
  return '';
}

// The certificate paths the monitor prints: other_config's (`paths`, Kube-OVN's files) or the
// plugin's init layout under /etc/ipsec.d.
function defaultPaths(local) {
  return { cert: `/etc/ipsec.d/certs/${local.chassis}-cert.pem`, key: `/etc/ipsec.d/private/${local.chassis}-privkey.pem`,
    ca: '/etc/ipsec.d/cacerts/cacert.pem' };
}

// One tunnel's block; the monitor prints each kernel policy twice (reference §5), so do we.
function tunnelBlock(local, remote, ofport, sas, paths) {
  const l = local.ip;
  const r = remote.ip;
  return `Interface name: ${remote.port} v1 (CONFIGURED)\n` +
    '  Tunnel Type:    geneve\n' +
    `  Local IP:       ${l}\n` +
    `  Remote IP:      ${r}\n` +
    '  Address Family: IPv4\n' +
    '  SKB mark:       None\n' +
    `  Local cert:     ${paths.cert}\n` +
    `  Local name:     ${local.chassis}\n` +
    `  Local key:      ${paths.key}\n` +
    '  Remote cert:    None\n' +
    `  Remote name:    ${remote.chassis}\n` +
    `  CA cert:        ${paths.ca}\n` +
    '  PSK:            None\n' +
    '  Custom Options: {}\n' +
    `  Ofport:         ${ofport}\n` +
    '  CFM state:      Disabled\n' +
    'Kernel policies installed:\n' +
    `  src ${l}/32 dst ${r}/32 proto udp dport ${GENEVE_PORT}\n` +
    `  src ${l}/32 dst ${r}/32 proto udp dport ${GENEVE_PORT}\n` +
    `  src ${l}/32 dst ${r}/32 proto udp sport ${GENEVE_PORT}\n` +
    `  src ${l}/32 dst ${r}/32 proto udp sport ${GENEVE_PORT}\n` +
    'Kernel security associations installed:\n' +
    saLines(l, r, sas, local, remote) +
    'IPsec connections that are active:\n' +
    '\n';
}

/**
 * `tunnels/show` of `local` ({index, ip, chassis}) with a tunnel to each of `peers` (each also
 * {index, ip, chassis, port}), in order; an empty list (IPsec off) gives the one-line answer.
 * `sas` is "none" | "installed" | "larval"; `paths` ({cert, key, ca}) the node's other_config
 * when Kube-OVN set it, else null. Yields strings of at most ~60 KB.
 */
function* tunnelsShow(local, peers, sas, paths) {
  if (peers.length === 0) {
    yield NO_TUNNELS;
    return;
  }
  const p = paths || defaultPaths(local);
  // join() of small parts gives a flat string: cheaper to encode than a long chain of `+=`.
  let parts = [];
  for (let k = 0; k < peers.length; k++) {
    parts.push(tunnelBlock(local, peers[k], k + 1, sas, p));
    if (parts.length === TUNNELS_PER_CHUNK) {
      yield parts.join('');
      parts = [];
    }
  }
  if (parts.length) yield parts.join('');
}

/** ovs-appctl's answer when ovs-monitor-ipsec is not running: no pidfile (utilities/ovs-appctl.c). */
function monitorNotRunning(now) {
  const stamp = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const pidfile = `${RUNDIR}/ovs-monitor-ipsec.pid`;
  return { exitCode: 1, stdout: '',
    stderr: `${stamp}|00001|daemon_unix|WARN|${pidfile}: open: No such file or directory\n` +
      `ovs-appctl: cannot read pidfile "${pidfile}" (No such file or directory)\n` };
}

/** Deterministic junk for a node whose monitor answers with something that is not tunnels/show. */
function garbage(node) {
  const lines = ['Interface name: (((', '\u0001\u0002 not a tunnel \u0003'];
  for (let i = 0; i < 4; i++) lines.push(`#${node.index}:${i} ${node.chassis.split('').reverse().join('')} ::: ???`);
  return lines.join('\n') + '\n';
}

module.exports = { tunnelsShow, tunnelPortName, monitorNotRunning, garbage, NO_TUNNELS };
