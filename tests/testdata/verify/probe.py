#!/usr/bin/env python3
"""One UDP datagram per SIZE to DST port 9 (discard) with DF set, as `verify` could send it from a
node's host network; prints one line per datagram:
  dst=<ip> size=<payload bytes> df=1 send=<ok|EMSGSIZE|...> recv=<ECONNREFUSED|timeout|data|->
send: what send() on the connected socket did (EMSGSIZE: larger than the path MTU the kernel
knows, with IP_MTU_DISCOVER = IP_PMTUDISC_DO nothing is fragmented). recv (1 s): ECONNREFUSED
= the peer's ICMP port unreachable came back (the datagram crossed both ways); timeout =
nothing came back. A new socket per datagram, so one error does not bleed into the next.
usage: probe.py DST SIZE...
"""
import errno
import socket
import sys

IP_MTU_DISCOVER = 10  # <linux/in.h>
IP_PMTUDISC_DO = 2


def probe(dst, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
        s.connect((dst, 9))
        s.settimeout(1.0)
        try:
            s.send(b"\0" * size)
        except OSError as e:
            return errno.errorcode.get(e.errno, str(e.errno)), "-"
        try:
            s.recv(65535)
            return "ok", "data"
        except ConnectionRefusedError:
            return "ok", "ECONNREFUSED"
        except socket.timeout:
            return "ok", "timeout"
        except OSError as e:
            return "ok", errno.errorcode.get(e.errno, str(e.errno))
    finally:
        s.close()


def main():
    dst = sys.argv[1]
    for size in map(int, sys.argv[2:]):
        sent, got = probe(dst, size)
        print(f"dst={dst} size={size} df=1 send={sent} recv={got}", flush=True)


if __name__ == "__main__":
    main()
