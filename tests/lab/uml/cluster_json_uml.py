#!/usr/bin/env python3
"""Writes the test API server's cluster description for the UML lab: the same pods as the host
lab's (tests/lab/lib/cluster_json.py, whose options it takes), but each exec's "run" prefix is
`bash lab-uml --dir <host dir> exec <member> --`, which sends the command through the guest's
file queue, so the real command runs in that member inside the guest.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))

import cluster_json  # noqa: E402  (the host lab's generator, found through the path above)


def in_guest_member(args, member):
    return {"run": ["/bin/bash", os.path.join(HERE, "lab-uml"), "--dir", args.dir, "exec", member, "--"]}


if __name__ == "__main__":
    cluster_json.in_member = in_guest_member
    if "--prefix" not in sys.argv:
        sys.argv += ["--prefix", "lab"]  # required by the host generator, unused with this "run"
    cluster_json.main()
