"""A private Kannel for SMS tests: bearerbox with a fake SMSC, smsbox, and fakesmsc.

    k = Kannel(tmp_dir, intake_url="http://127.0.0.1:8080", token="t")
    k.start()
    k.inject("081234567890", "STATUS 4821093756")      # an SMS from a citizen (MO)
    k.wait_for(lambda m: m.to == "+6281234567890")     # a reply Kannel sent (MT)
    k.close()

The configuration is deploy/kannel/kannel.conf.in rendered with free loopback ports.
bearerbox's fake SMSC serves one fakesmsc connection at a time, so exactly one
fakesmsc runs: it sends the injected message and then stays connected to receive
every reply, printing "Got message N: <from to text msg>" (or "udh <udh> data
<url-encoded>" for one part of a concatenated reply). inject() stops the current
fakesmsc and starts the next one; replies sent meanwhile wait in bearerbox.
Every process is stopped by its pid.
"""

import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import urllib.parse
from collections import namedtuple
from pathlib import Path

from harness import REPO, free_port, port_open, wait_until

BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
TEMPLATE = REPO / "deploy" / "kannel" / "kannel.conf.in"

# "Got message 3: <1708 +6281234567890 text Halo>"; "udh %05%00%03%01%02%01 data a+b".
_GOT = re.compile(r"Got message (\d+): <(\S+) (\S+) (text|udh|data|ucs2) (.*)>\s*$")
_UDH_CONCAT = re.compile(r"^%05%00%03%([0-9A-F]{2})%([0-9A-F]{2})%([0-9A-F]{2})$", re.I)

# One SMS as fakesmsc saw it. parts: 1, or the number of concatenated parts it was
# joined from (text is then the whole message).
Sms = namedtuple("Sms", "sender to text parts")


def available():
    """True when Kannel's programs are installed (packages kannel, kannel-extras)."""
    return all(os.access(p, os.X_OK) for p in (BEARERBOX, SMSBOX, FAKESMSC))


def render(template_text, values):
    """Replaces every @NAME@ of the template; fails when one is left."""
    out = template_text
    for key, value in values.items():
        out = out.replace(f"@{key}@", str(value))
    left = re.findall(r"@[A-Z_]+@", out)
    if left:
        raise ValueError(f"kannel template: no value for {', '.join(sorted(set(left)))}")
    return out


class Kannel:
    def __init__(self, tmp, intake_url, token="", sender="1708"):
        self.dir = Path(tmp) / "kannel"
        self.intake_url = intake_url.rstrip("/")
        self.token = token
        self.sender = sender
        self.username = "lapor"
        self.password = secrets.token_hex(8)
        self.ports = {name: free_port() for name in ("admin", "smsbox", "fake", "sendsms")}
        self.procs = {}
        self._fake_outputs = []  # every fakesmsc's output file, in order
        self._fake_seq = 0
        self._handles = []

    # -- addresses --------------------------------------------------------------------

    @property
    def sendsms_url(self):
        return f"http://127.0.0.1:{self.ports['sendsms']}/cgi-bin/sendsms"

    @property
    def conf_path(self):
        return self.dir / "kannel.conf"

    def write_config(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        text = render(TEMPLATE.read_text(encoding="utf-8"), {
            "ADMIN_PORT": self.ports["admin"],
            "ADMIN_PASSWORD": secrets.token_hex(8),
            "SMSBOX_PORT": self.ports["smsbox"],
            "FAKE_SMSC_PORT": self.ports["fake"],
            "SENDSMS_PORT": self.ports["sendsms"],
            "SENDSMS_USERNAME": self.username,
            "SENDSMS_PASSWORD": self.password,
            "SENDER": self.sender,
            "INTAKE_URL": self.intake_url,
            "INBOUND_TOKEN": self.token,
            "LOG_DIR": self.dir,
            "STATE_DIR": self.dir,
        })
        self.conf_path.write_text(text, encoding="utf-8")

    # -- processes ----------------------------------------------------------------------

    def _spawn(self, name, argv):
        log = open(self.dir / f"{name}.out", "ab")
        self._handles.append(log)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                cwd=self.dir)
        self.procs[name] = proc
        return proc

    def _stop(self, name, timeout=15):
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def start(self):
        self.write_config()
        self.start_bearerbox()
        self._spawn("smsbox", [SMSBOX, str(self.conf_path)])
        wait_until(lambda: self._alive("smsbox") and port_open(self.ports["sendsms"]), 20,
                   "smsbox's sendsms port")
        self._start_fakesmsc(None)
        return self

    def start_bearerbox(self):
        self._spawn("bearerbox", [BEARERBOX, str(self.conf_path)])
        wait_until(lambda: self._alive("bearerbox") and port_open(self.ports["fake"])
                   and port_open(self.ports["smsbox"]), 20, "bearerbox's ports")

    def stop_bearerbox(self):
        """Stops bearerbox (smsbox then answers sendsms with an error or not at all)."""
        self._stop("bearerbox")

    def stop_smsbox(self):
        """Stops smsbox: sendsms calls are refused (connection refused)."""
        self._stop("smsbox")

    def start_smsbox(self):
        self._spawn("smsbox", [SMSBOX, str(self.conf_path)])
        wait_until(lambda: self._alive("smsbox") and port_open(self.ports["sendsms"]), 20,
                   "smsbox's sendsms port")

    def _alive(self, name):
        proc = self.procs.get(name)
        if proc is None:
            return False
        if proc.poll() is not None:
            raise AssertionError(f"{name} exited with {proc.returncode}:\n{self.tail(name)}")
        return True

    def _start_fakesmsc(self, message):
        """Starts the one fakesmsc: it sends message (when given) and then receives."""
        self._stop("fakesmsc")
        self._fake_seq += 1
        out = self.dir / f"fakesmsc-{self._fake_seq}.out"
        self._fake_outputs.append(out)
        argv = [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.ports["fake"]), "-i", "0.1"]
        if message is None:
            argv += ["-m", "0", f"{self.sender} {self.sender} text nop"]
        else:
            argv += ["-m", "1", message]
        with open(out, "ab") as f:
            self.procs["fakesmsc"] = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f,
                                                      stderr=subprocess.STDOUT, cwd=self.dir)
        if message is not None:
            wait_until(lambda: "sent message 1" in out.read_text(errors="replace"), 15,
                       "fakesmsc to send the message")

    def inject(self, sender, text, to=None):
        """One SMS from sender (as a phone would send it) to the service number."""
        text = text.replace("\n", " ")
        if not text.strip():
            # fakesmsc cannot send an empty text; "data" with an empty body can.
            self._start_fakesmsc(f"{sender} {to or self.sender} data ")
        else:
            self._start_fakesmsc(f"{sender} {to or self.sender} text {text}")

    def inject_data(self, sender, raw, to=None):
        """One 8-bit SMS whose bytes are raw (any bytes, not necessarily UTF-8)."""
        self._start_fakesmsc(f"{sender} {to or self.sender} data "
                             f"{urllib.parse.quote_plus(raw)}")

    def inject_parts(self, sender, parts, ref=0x2A):
        """A concatenated SMS: each part carries the concatenation UDH, so bearerbox
        must join them before smsbox calls intake."""
        for i, part in enumerate(parts, 1):
            udh = "%05%00%03" + "".join(f"%{b:02X}" for b in (ref, len(parts), i))
            self._start_fakesmsc(f"{sender} {self.sender} udh {udh} "
                                 f"{urllib.parse.quote_plus(part)}")

    # -- what fakesmsc received -------------------------------------------------------

    def received(self):
        """Every MT message fakesmsc printed so far, concatenated parts joined."""
        singles, pending = [], {}
        for path in self._fake_outputs:
            try:
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            for line in lines:
                m = _GOT.search(line)
                if not m:
                    continue
                sender, to, kind, rest = m.group(2), m.group(3), m.group(4), m.group(5)
                if kind == "text":
                    singles.append(Sms(sender, to, rest, 1))
                    continue
                if kind == "udh":
                    udh, _, rest = rest.partition(" ")
                    kind, _, data = rest.partition(" ")
                    text = urllib.parse.unquote_to_bytes(data.replace("+", " "))
                    text = text.decode("utf-16-be" if kind == "ucs2" else "utf-8", "replace")
                    c = _UDH_CONCAT.match(udh)
                    if not c:
                        singles.append(Sms(sender, to, text, 1))
                        continue
                    ref, total, seq = (int(c.group(i), 16) for i in (1, 2, 3))
                    parts = pending.setdefault((sender, to, ref, total), {})
                    parts[seq] = text
                    if len(parts) == total:
                        whole = "".join(parts[i] for i in range(1, total + 1))
                        singles.append(Sms(sender, to, whole, total))
                        del pending[(sender, to, ref, total)]
                    continue
                data = urllib.parse.unquote_to_bytes(rest.replace("+", " "))
                singles.append(Sms(sender, to, data.decode(
                    "utf-16-be" if kind == "ucs2" else "utf-8", "replace"), 1))
        return singles

    def messages_to(self, number):
        return [m for m in self.received() if m.to == number]

    def wait_for(self, pred, timeout=30, what="an SMS at fakesmsc"):
        """Waits for an SMS that satisfies pred and returns it."""
        return wait_until(lambda: next((m for m in self.received() if pred(m)), None), timeout,
                          what)

    # -- logs and stop ----------------------------------------------------------------

    def tail(self, name, lines=30):
        path = self.dir / f"{name}.out"
        if name in ("bearerbox", "smsbox"):
            path = self.dir / f"{name}.log"
        try:
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def close(self):
        for name in ("fakesmsc", "smsbox", "bearerbox"):
            self._stop(name)
        for h in self._handles:
            h.close()
        self._handles = []
