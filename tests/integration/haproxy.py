"""A real HAProxy (Debian's haproxy) in front of some intakes of a System, on a free
loopback port, with deploy/haproxy/haproxy.cfg.in rendered for them."""

import subprocess
import time
from pathlib import Path

from harness import REPO, free_port, http, wait_until


class Haproxy:
    def __init__(self, system, intakes, host="127.0.0.1", netns=None):
        self.system = system
        self.port = free_port()
        self.url = f"http://{host}:{self.port}"
        servers = "\n".join(f"    server {name} {system.host_of(name)}:{system.ports[name]} check"
                            for name in intakes)
        text = (REPO / "deploy" / "haproxy" / "haproxy.cfg.in").read_text()
        text = text.replace("@LISTEN@", f"{host}:{self.port}").replace("@SERVERS@", servers)
        self.config = Path(system.tmp) / "haproxy.cfg"
        self.config.write_text(text)
        self._log = open(system.log_path("haproxy"), "ab")
        argv = ["/usr/sbin/haproxy", "-db", "-f", str(self.config)]
        if netns:
            argv = ["ip", "netns", "exec", netns] + argv
        self.proc = subprocess.Popen(argv,
                                     stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        wait_until(self._ready, 15, "haproxy to answer")

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"haproxy exited with {self.proc.returncode}")
        try:
            status, _, _ = http("GET", self.url + "/healthz", timeout=2)
        except OSError:
            return False
        return status == 200

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()
