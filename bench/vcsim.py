"""vcsim for the bench: a fresh simulator per measurement, and the SOAP
calls its -trace file records."""

import collections
import re
import subprocess
import threading
import time

from common import TOOLS


class Vcsim:
    """vcsim on a free port with the default inventory; killed by stop()."""

    def __init__(self, work, delay_ms, trace=True, tag="vcsim"):
        self.trace = work / f"{tag}.trace" if trace else None
        args = [str(TOOLS / "vcsim"), "-l", "127.0.0.1:0", "-E", "-", "-delay", str(delay_ms)]
        if self.trace:
            args += ["-trace", "-trace-file", str(self.trace)]
        self.stderr = open(work / f"{tag}.log", "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL)
        url = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline().decode(errors="replace")
            if not line:
                break
            m = re.search(r"GOVC_URL=(\S+)", line)
            if m:
                url = m.group(1).strip("'\"")
                break
        if not url:
            self.stop()
            raise RuntimeError(f"vcsim printed no GOVC_URL; see {work / (tag + '.log')}")
        # Keep draining stdout so vcsim never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        m = re.match(r"https://([^:@/]+):([^@/]+)@([^/]+)/sdk", url)
        if not m:
            self.stop()
            raise RuntimeError(f"unexpected GOVC_URL {url}")
        self.user, self.password, self.addr = m.group(1), m.group(2), m.group(3)
        self.sdk_url = f"https://{self.addr}/sdk"

    def trace_offset(self):
        try:
            return self.trace.stat().st_size
        except (AttributeError, FileNotFoundError):
            return 0

    def soap_calls_since(self, offset):
        """Requests by method written to the trace after `offset`."""
        if not self.trace or not self.trace.exists():
            return collections.Counter()
        with open(self.trace, "rb") as f:
            f.seek(offset)
            return count_soap_requests(f)

    def remove_trace(self):
        if self.trace:
            self.trace.unlink(missing_ok=True)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()


SOAP_BODY_CHILD = re.compile(rb"<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)")
TRACE_REQUEST = b"Request: "
# The method element follows the envelope's start within a few hundred bytes.
METHOD_WITHIN = 4096


def count_soap_requests(lines):
    """vcsim's -trace holds `Request: <envelope>` then `Response: …`, each
    spanning lines (clients differ in where they break them). `lines` is an
    iterable of bytes lines (a file opened "rb"): traces of 1,000 VMs run to
    hundreds of MB, so they are read a line at a time, not whole."""
    counts = collections.Counter()
    pending = None  # the start of a request, until its method is in view

    def close(text):
        body = SOAP_BODY_CHILD.search(text, 0, METHOD_WITHIN)
        counts[body.group(1).decode(errors="replace") if body else "?"] += 1

    for line in lines:
        if line.startswith(TRACE_REQUEST):
            if pending is not None:
                close(pending)
            pending = line[len(TRACE_REQUEST) :]
        elif pending is not None:
            pending += line[: METHOD_WITHIN - len(pending) + 1]
        if pending is not None and len(pending) >= METHOD_WITHIN:
            close(pending)
            pending = None
    if pending is not None:
        close(pending)
    return counts
