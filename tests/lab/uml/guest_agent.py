#!/usr/bin/env python3
"""PID 1 of the UML guest once guest-init is done (docs/reference/lab.md section 14.4).

Starts the unchanged host lab inside the guest (tests/lab/lab up, state in /mnt/lab), writes
its exit code to <share>/ready, then serves the file queue <share>/q until <share>/q/poweroff
appears:
  host writes <id>.req (a sh script; <id>.in = its stdin, optional)
  agent renames it <id>.run, runs `sh <id>.run` in the background with stdout in <id>.out and
  stderr in <id>.err, and when it ends writes its exit code to <id>.rc (atomically).
As PID 1 it also reaps the lab's re-parented daemons, so a stopped daemon never stays a zombie.
Settings come from the kernel command line: KOI_UML_LAB_HOME, KOI_UML_NODES, KOI_UML_LAYOUT,
KOI_UML_CERTS.
"""
import ctypes
import os
import time
import traceback

SHARE = "/mnt/out"
QUEUE = SHARE + "/q"
LAB_DIR = "/mnt/lab"
POLL_SECONDS = 0.1
LINUX_REBOOT_CMD_POWER_OFF = 0x4321FEDC


def log(text):
    with open(SHARE + "/guest.log", "a", encoding="utf-8") as f:
        f.write(f"guest: {time.monotonic():.1f} s: {text}\n")


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.rename(tmp, path)


def spawn(argv, stdin, out, err=None):
    """Starts argv with stdin/stdout/stderr from files (err=None: stderr joins stdout)."""
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, stdin, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    if err is None:
        actions.append((os.POSIX_SPAWN_DUP2, 1, 2))
    else:
        actions.append((os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644))
    return os.posix_spawn(argv[0], argv, os.environ, file_actions=actions, setsid=True)


def exit_code(status):
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


def reap(jobs):
    """Collects every ended child (ours and re-parented ones); calls the job's callback for ours."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        done = jobs.pop(pid, None)
        if done is not None:
            done(exit_code(status))


def start_requests(jobs):
    for name in sorted(os.listdir(QUEUE)):
        if not name.endswith(".req"):
            continue
        rid = os.path.join(QUEUE, name[: -len(".req")])
        os.rename(rid + ".req", rid + ".run")
        stdin = rid + ".in" if os.path.exists(rid + ".in") else "/dev/null"
        # In the background: one request that hangs must not hold up the others.
        pid = spawn(["/bin/sh", rid + ".run"], stdin, rid + ".out", rid + ".err")
        jobs[pid] = lambda code, rid=rid: write_atomic(rid + ".rc", f"{code}\n")


def start_lab(jobs):
    argv = ["/bin/bash", os.environ["KOI_UML_LAB_HOME"] + "/lab", "--dir", LAB_DIR, "up",
            "--nodes", os.environ.get("KOI_UML_NODES", "3"), "--layout", os.environ.get("KOI_UML_LAYOUT", "ovs-ovn")]
    if os.environ.get("KOI_UML_CERTS", "1") == "0":
        argv.append("--no-certs")
    log("starting: " + " ".join(argv[1:]))

    def done(code):
        log(f"lab up exited {code}")
        write_atomic(SHARE + "/ready", f"{code}\n")

    jobs[spawn(argv, "/dev/null", SHARE + "/up.log")] = done


def power_off():
    # Nothing inside the guest outlives it (its state is tmpfs), so no lab teardown is needed.
    log("powering off")
    os.sync()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.reboot(LINUX_REBOOT_CMD_POWER_OFF)
    with open("/proc/sysrq-trigger", "w", encoding="ascii") as f:
        f.write("o")


def main():
    os.makedirs(QUEUE, exist_ok=True)
    jobs = {}
    try:
        start_lab(jobs)
    except Exception:  # the queue must still serve the host (and its poweroff)
        log(traceback.format_exc())
        write_atomic(SHARE + "/ready", "127\n")
    while not os.path.exists(QUEUE + "/poweroff"):
        try:
            reap(jobs)
            start_requests(jobs)
        except Exception:
            log(traceback.format_exc())
        time.sleep(POLL_SECONDS)
    power_off()


if __name__ == "__main__":
    try:
        main()
    finally:
        power_off()
