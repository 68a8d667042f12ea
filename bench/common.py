"""What every part of the bench shares: where the tools are, logging, the
environment the commands it starts get."""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools" / "bin"
COMMAND_TIMEOUT_S = 3600
# What a developer's shell may carry that would change what either provider
# or Terraform does.
SCRUBBED_PREFIXES = ("VI_", "GOVC_", "VSPHERE_", "TF_", "VCURL", "VCDATACENTER", "VCDATASTORE")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_PREFIXES)}
    env.update(extra or {})
    return env


def tail(path, lines=15):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
