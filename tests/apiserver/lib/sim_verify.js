'use strict';
// `kubectl ko ipsec verify` in a simulated node's pod. The facts as a Kube-OVN node has them:
// ovn-encap-ip = the node IP; ovn0 = the node's address in the join subnet (100.64.0.0/16,
// kubeovn/kube-ovn pkg/controller/node.go allocates it; pkg/daemon/ovs_linux.go configures
// ovn0); MTU 1400 = 1500 - 100 for Geneve (pkg/util/const.go GeneveHeaderLength, v1.10-v1.16).
// The probe's answer is the summary the real probe prints (src/ipsec/verify_scripts.cpp: SA
// lines, echo and mtu lines, capture counts), derived from the node's state: IPsec shown with SAs
// installed → ESP to each peer; IPsec off → Geneve in the clear; IPsec on without SAs → nothing
// leaves (the kernel holds packets matching the policy until an SA exists). It is answered by a
// real `sleep` of the probe's window (plus its 1.3 s of capture start and MTU probe), so many
// nodes probing at once cost what they cost on a cluster.

const { SimError } = require('./sim_spec');

const GAP_S = 1.3;

function ovn0IP(index) {
  const n = index + 2;
  return `100.64.${Math.floor(n / 256)}.${n % 256}`;
}

class SimVerify {
  constructor(sim) {
    this.sim = sim;
    this.probes = 0;
    this.mtuPassing = 1400;
  }

  reset() {
    this.probes = 0;
    this.mtuPassing = 1400;
  }

  /** The answer to `argv` in `node`'s pod, or null when it is not one of verify's commands. */
  answer(node, argv) {
    if (argv.length < 4 || argv[0] !== 'sh' || argv[1] !== '-c') return null;
    if (argv[3] === 'koi-verify-facts') {
      return { stdout: `encap-ip "${node.ip}"\novn0 7: ovn0    inet ${ovn0IP(node.index)}/16 brd 100.64.255.255 ` +
        'scope global ovn0\\       valid_lft forever preferred_lft forever\nmtu 1400\n' };
    }
    if (argv[3] !== 'koi-verify' || argv.length < 10) return null;
    this.probes += 1;
    const windowS = Number(argv[7]) || 0;
    const text = this.probeText(node, argv.slice(10), windowS);
    const seconds = (windowS + GAP_S).toFixed(1);
    return { spawn: (start) => start(['sh', '-c', 'sleep "$1"; printf "%s" "$2"', 'sim-verify', seconds, text]) };
  }

  probeText(node, peerIPs, windowS) {
    const sim = this.sim;
    const on = sim.visibleFlag(node, Date.now());
    const mode = !on ? 'clear' : sim.sas === 'installed' ? 'esp' : 'held';
    const sent = Math.max(1, Math.round(windowS / 0.2));
    const byOvn0 = new Map(sim.nodes.map((n) => [ovn0IP(n.index), n]));
    let before = '@sa-before\nsa-rc 0\n';
    let after = '@sa-after\nsa-rc 0\n';
    let echo = '@echo\n';
    let capture = '@capture 0\n';
    for (const ip of peerIPs) {
      const peer = byOvn0.get(ip);
      if (!peer) {
        echo += `echo ${ip} ${sent} 0\nmtu ${ip} 1400 lost 0\n`;
        continue;
      }
      const spi = `0xc${String(peer.index).padStart(7, '0')}`;
      const mtu = this.mtuPassing >= 1400 ? 'ok 1400' : `lost ${this.mtuPassing}`;
      if (mode === 'esp') {
        before += `sa ${node.ip} ${peer.ip} ${spi} 4200 30\n`;
        after += `sa ${node.ip} ${peer.ip} ${spi} ${4200 + 140 * (sent + 1)} ${30 + sent + 1}\n`;
        capture += `esp ${peer.ip} ${sent + 1}\n`;
        echo += `echo ${ip} ${sent} ${sent}\nmtu ${ip} 1400 ${mtu}\n`;
      } else if (mode === 'clear') {
        capture += `clear ${peer.ip} ${sent + 1}\n`;
        capture += `example ${peer.ip} eth0  Out IP ${node.ip}.49152 > ${peer.ip}.6081: Geneve, Flags [C], vni 0x1\n`;
        echo += `echo ${ip} ${sent} ${sent}\nmtu ${ip} 1400 ${mtu}\n`;
      } else {
        echo += `echo ${ip} ${sent} 0\nmtu ${ip} 1400 lost 0\n`;
      }
    }
    capture += 'capture-stderr listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n';
    return `${before}${echo}${capture}${after}@done\n`;
  }

  state() {
    return { probes: this.probes, mtuPassing: this.mtuPassing };
  }
}

const VERIFY_UPDATES = {
  verifyMtuPassing: (v, value) => {
    if (!Number.isInteger(value) || value < 68 || value > 9000) throw new SimError('verifyMtuPassing must be an integer 68..9000');
    v.mtuPassing = value;
  },
};

module.exports = { SimVerify, VERIFY_UPDATES, ovn0IP };
