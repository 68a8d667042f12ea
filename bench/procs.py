"""Peak memory of the processes the bench starts, from /proc (Linux)."""

import os
import subprocess
import threading
import time

# comm is cut to 15 characters: both providers show as this.
PROVIDER_COMM = "terraform-provi"
SAMPLE_EVERY_S = 0.02


def proc_descendants(pid):
    """Every process below `pid` (Terraform re-executes itself under a
    panic-catching parent, so providers are grandchildren)."""
    out, todo = [], [pid]
    while todo:
        kids = proc_children(todo.pop())
        out += kids
        todo += kids
    return out


def proc_children(pid):
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids.extend(int(x) for x in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return kids


def proc_status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def proc_comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


class ProviderSampler(threading.Thread):
    """Polls the processes below Terraform that are providers and keeps the
    highest VmHWM seen (the kernel's own peak, so a sample just before the
    process exits holds its whole life), and how many were started."""

    def __init__(self, tf_pid):
        super().__init__(daemon=True)
        self.tf_pid = tf_pid
        self.peak_kb = 0
        self.seen = set()
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.sample()
            self.done.wait(SAMPLE_EVERY_S)

    def sample(self):
        for kid in proc_descendants(self.tf_pid):
            if proc_comm(kid) != PROVIDER_COMM:
                continue
            self.seen.add(kid)
            hwm = proc_status_kb(kid, "VmHWM")
            if hwm and hwm > self.peak_kb:
                self.peak_kb = hwm

    def stop(self):
        self.done.set()
        self.join()


def run_measured(cmd, env=None):
    """Runs `cmd`; returns (stdout, stderr, exit code, peak RSS in KiB,
    seconds). The peak is the process's VmHWM, polled until it exits
    (wait4's ru_maxrss would count the forked Python before exec)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    peak = [0]

    def poll():
        while proc.poll() is None:
            hwm = proc_status_kb(proc.pid, "VmHWM")
            if hwm:
                peak[0] = max(peak[0], hwm)
            time.sleep(SAMPLE_EVERY_S / 2)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    poller.join()
    return out.decode(errors="replace"), err.decode(errors="replace"), proc.returncode, peak[0], seconds
