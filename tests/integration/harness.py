"""Integration harness: starts a private lapor (database + services) on free ports.

Run with Debian's /usr/bin/python3 (standard library + python3-pymongo).

    with System() as s:
        status, headers, body = http("POST", s.url("intake", "/api/v1/complaints"), {...})

System takes the build directory from LAPOR_BUILD_DIR (ctest passes it), keeps
everything in a temporary directory (kept when LAPOR_KEEP_TMP=1) and stops every
process it started, by pid, even when a test fails.
"""

import atexit
import base64
import hashlib
import hmac
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "router", "notifier", "reporter")
PROGRAMS = ("lapor-intake", "lapor-router", "lapor-notifier", "lapor-reporter", "laporctl")

START_TIMEOUT_S = 30  # database port / one service's /healthz
STOP_TIMEOUT_S = 15  # SIGTERM to exit, before SIGKILL
DB_NAME = "lapor_test"


def _ephemeral_start():
    """The first port the kernel hands out for a bind to port 0."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_GIVEN = set()


def free_port():
    """A loopback TCP port that was free a moment ago, chosen below the kernel's
    ephemeral range: the services bind their ZeroMQ sockets to port 0 (any free
    port), and a port picked from that same range (bind to 0, release) was once
    taken by one of them before the service meant to listen on it started. Not
    below 10100: Chromium refuses to open some ports (10080 is the highest of them,
    ERR_UNSAFE_PORT), and the browser tests open the services' pages."""
    top = max(_ephemeral_start() - 1, 10101)
    rnd = random.Random()
    for _ in range(500):
        port = rnd.randrange(10100, top)
        if port in _GIVEN:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _GIVEN.add(port)
        return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(pred, timeout=30.0, what="the condition", interval=0.1):
    """Calls pred until it returns something truthy and returns that; fails the test
    with a message naming `what` after `timeout` seconds. An exception from pred
    counts as "not yet" and is shown if time runs out."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            value = pred()
            if value:
                return value
            last_exc = None
        except Exception as exc:  # noqa: BLE001 - reported below
            last_exc = exc
        if time.monotonic() >= deadline:
            msg = f"timed out after {timeout:g}s waiting for {what}"
            if last_exc is not None:
                msg += f" (last error: {type(last_exc).__name__}: {last_exc})"
            raise AssertionError(msg)
        time.sleep(interval)


def http(method, url, body=None, headers=None, timeout=10.0):
    """One HTTP request. body: bytes/str sent as is, anything else as JSON.
    Returns (status, headers with lower-case names, parsed JSON or text).
    4xx and 5xx answers are returned, not raised."""
    hdrs = dict(headers or {})
    data = None
    if body is not None:
        if isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = json.dumps(body).encode("utf-8")
        if not any(k.lower() == "content-type" for k in hdrs):
            hdrs["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, rhdrs, raw = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        status, rhdrs, raw = err.code, err.headers, err.read()
    out_headers = {k.lower(): v for k, v in rhdrs.items()}
    text = raw.decode("utf-8", errors="replace")
    try:
        parsed = json.loads(text) if text.strip() else text
    except ValueError:
        parsed = text
    return status, out_headers, parsed


def webhook_key(secret):
    """Signing key of a webhook secret: Standard Webhooks' "whsec_<base64>" is decoded,
    any other secret is used as its UTF-8 bytes."""
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_"):])
    return secret.encode("utf-8")


def webhook_signature_ok(secret, headers, body):
    """True when one of the space-separated "v1,<base64>" signatures in
    webhook-signature is HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")."""
    h = {k.lower(): v for k, v in headers.items()}
    wid, ts, sigs = h.get("webhook-id"), h.get("webhook-timestamp"), h.get("webhook-signature")
    if not (wid and ts and sigs):
        return False
    if isinstance(body, str):
        body = body.encode("utf-8")
    mac = hmac.new(webhook_key(secret), f"{wid}.{ts}.".encode("utf-8") + body, hashlib.sha256)
    expected = base64.b64encode(mac.digest()).decode("ascii")
    for sig in sigs.split():
        version, _, value = sig.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


class WebhookReceiver:
    """An HTTP server on a free loopback port, in a thread, that records every request
    (method, path, headers with lower-case names, body bytes, the client's address
    and port as `peer`: one per connection) and answers `status` (settable) after
    `delay` seconds. It keeps connections open between requests (HTTP/1.1)."""

    def __init__(self, host="127.0.0.1"):
        self.status = 200
        self.delay = 0.0
        self._requests = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                record = {
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                    "peer": self.client_address,
                    "at": time.time(),
                }
                with receiver._lock:
                    receiver._requests.append(record)
                    status, delay = receiver.status, receiver.delay
                if delay:
                    time.sleep(delay)
                reply = b'{"ok":true}' if status < 400 else b'{"ok":false}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_POST = do_PUT = do_GET = do_PATCH = do_DELETE = _handle

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://{host}:{self.port}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook-receiver",
                                        daemon=True)
        self._thread.start()

    def answer(self, status, delay=0.0):
        """From now on, answer every request with `status` after `delay` seconds."""
        with self._lock:
            self.status, self.delay = status, delay

    @property
    def requests(self):
        with self._lock:
            return list(self._requests)

    def json_requests(self):
        """(record, parsed JSON body or None) for every request so far."""
        out = []
        for r in self.requests:
            try:
                out.append((r, json.loads(r["body"].decode("utf-8"))))
            except (ValueError, UnicodeDecodeError):
                out.append((r, None))
        return out

    def clear(self):
        with self._lock:
            self._requests.clear()

    def close(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


class System:
    """A private lapor: lapor-devdb and the services on free ports, in a temp dir."""

    def __init__(self, services=SERVICES, import_data=True, extra_env=None, hosts=None,
                 netns=None):
        """hosts: the address each program listens on (default 127.0.0.1); netns: the
        network namespace each runs in (ip netns exec; default none). Keys are
        "devdb" and service names ("router" also covers "router-2", ...)."""
        self.build_dir = Path(os.environ.get("LAPOR_BUILD_DIR") or REPO / "build").resolve()
        self.services = tuple(services)
        self.import_data = import_data
        self.extra_env = dict(extra_env or {})
        self.tmp = None
        self.procs = {}
        self.ports = {}
        self.receivers = []
        self.hosts = dict(hosts or {})
        self.netns = dict(netns or {})
        self._client = None
        self._log_handles = {}
        self._old_sigterm = None

    # -- paths and addresses ----------------------------------------------------------

    def binary(self, name):
        if name == "devdb":
            return self.build_dir / "lapor-devdb"
        if name in ("laporctl", "ctl"):
            return self.build_dir / "services" / "laporctl" / "laporctl"
        name = name[len("lapor-"):] if name.startswith("lapor-") else name
        return self.build_dir / "services" / name / f"lapor-{name}"

    @property
    def mongodb_uri(self):
        return f"mongodb://{self.host_of('devdb')}:{self.ports['devdb']}/{DB_NAME}"

    def url(self, service, path="/"):
        return f"http://{self.host_of(service)}:{self.ports[service]}{path}"

    def host_of(self, name):
        return self.hosts.get(name, self.hosts.get(name.split("-", 1)[0], "127.0.0.1"))

    def intake_url(self, path="/"):
        return self.url("intake", path)

    def reporter_url(self, path="/"):
        return self.url("reporter", path)

    def router_url(self, path="/"):
        return self.url("router", path)

    def notifier_url(self, path="/"):
        return self.url("notifier", path)

    def log_path(self, name):
        return Path(self.tmp) / "logs" / f"{name}.log"

    @property
    def env(self):
        """The environment every lapor program of this system runs with."""
        # The caller's LAPOR_* settings must not leak in (LAPOR_LOG_LEVEL may, for debugging).
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("LAPOR_") or k == "LAPOR_LOG_LEVEL"}
        env.update({
            "LAPOR_MONGODB_URI": self.mongodb_uri,
            "LAPOR_INTAKE_LISTEN": f"{self.host_of('intake')}:{self.ports['intake']}",
            "LAPOR_REPORTER_LISTEN": f"{self.host_of('reporter')}:{self.ports['reporter']}",
            "LAPOR_ROUTER_LISTEN": f"{self.host_of('router')}:{self.ports['router']}",
            "LAPOR_NOTIFIER_LISTEN": f"{self.host_of('notifier')}:{self.ports['notifier']}",
            "LAPOR_IDENTITY_SEAL_FILE": str(Path(self.tmp) / "keys" / "identity.seal"),
            "LAPOR_IDENTITY_OPEN_FILE": str(Path(self.tmp) / "keys" / "identity.secret"),
            "LAPOR_GRACE_MS": "1000",
            "LAPOR_SWEEP_MS": "300",
            "LAPOR_LEASE_MS": "5000",
            # Every test client is 127.0.0.1: rate limits are tested in test_ratelimit.
            "LAPOR_RATE_IP_PER_MINUTE": "0",
            "LAPOR_RATE_PHONE_PER_HOUR": "0",
        })
        env.update(self.extra_env)
        return env

    @property
    def db(self):
        """A pymongo handle on the test database."""
        if self._client is None:
            import pymongo  # Debian's python3-pymongo: run with /usr/bin/python3

            self._client = pymongo.MongoClient(self.mongodb_uri, serverSelectionTimeoutMS=10000)
        return self._client[DB_NAME]

    # -- life cycle -------------------------------------------------------------------

    def __enter__(self):
        try:
            self.start_all()
        except BaseException:
            self.dump_logs()
            self.close()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.dump_logs()
        self.close()
        return False

    def start_all(self):
        missing = [str(self.binary(n)) for n in ("devdb",) + self.services
                   if not os.access(self.binary(n), os.X_OK)]
        if self.import_data and not os.access(self.binary("laporctl"), os.X_OK):
            missing.append(str(self.binary("laporctl")))
        if missing:
            raise RuntimeError("not built (run deploy/lapor build): " + ", ".join(missing))
        self.tmp = tempfile.mkdtemp(prefix="lapor-it-")
        (Path(self.tmp) / "logs").mkdir()
        for name in ("devdb",) + SERVICES:
            self.ports[name] = free_port()
        self._install_sigterm_handler()
        atexit.register(self.close)
        keys = Path(self.tmp) / "keys"
        keys.mkdir()
        subprocess.run([str(self.binary("laporctl")), "identity-keygen", str(keys)], check=True,
                       capture_output=True, stdin=subprocess.DEVNULL)
        self.start("devdb")
        if self.import_data:
            self.laporctl("import", "--data", str(REPO / "deploy" / "data"))
        for name in self.services:
            self.start(name)

    def _install_sigterm_handler(self):
        # ctest or a person stopping the run must not leave processes behind.
        if threading.current_thread() is not threading.main_thread():
            return

        def on_term(signum, frame):
            raise KeyboardInterrupt(f"signal {signum}")

        self._old_sigterm = signal.signal(signal.SIGTERM, on_term)

    def start(self, name):
        """Starts one program (devdb or a service) and waits until it answers. A name
        such as "router-2" starts one more instance of that service on its own port,
        with no change to the running ones."""
        proc = self.procs.get(name)
        if proc is not None and proc.poll() is None:
            raise AssertionError(f"{name} is already running (pid {proc.pid})")
        service = name.split("-", 1)[0]
        env = self.env
        if name == "devdb":
            argv = [str(self.binary("devdb")), f"{self.host_of('devdb')}:{self.ports['devdb']}",
                    str(Path(self.tmp) / "db")]
        else:
            argv = [str(self.binary(service))]
            if name != service:
                self.ports.setdefault(name, free_port())
                env[f"LAPOR_{service.upper()}_LISTEN"] = f"{self.host_of(name)}:{self.ports[name]}"
        if self.host_of(name) != "127.0.0.1":
            env["LAPOR_BUS_BIND"] = f"tcp://{self.host_of(name)}:*"
        # LAPOR_VALGRIND=intake,notifier runs those services under valgrind (memcheck;
        # errors and definite leaks make the program exit with 99, which stop()
        # reports): slow, for a by-hand run of one test module.
        if name != "devdb" and service in os.environ.get("LAPOR_VALGRIND", "").split(","):
            argv = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
                    "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite"] + argv
        ns = self.netns.get(name, self.netns.get(service))
        if ns:
            argv = ["ip", "netns", "exec", ns] + argv
        log = open(self.log_path(name), "ab")
        log.write(f"--- harness: starting {' '.join(argv)}\n".encode())
        log.flush()
        self._log_handles.setdefault(name, []).append(log)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env=env, cwd=self.tmp)
        self.procs[name] = proc

        def ready():
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with code {proc.returncode} while starting; "
                                     f"log: {self.log_path(name)}\n{self.log_tail(name)}")
            if name == "devdb":
                return port_open(self.ports["devdb"], self.host_of("devdb"))
            try:
                status, _, _ = http("GET", self.url(name, "/healthz"), timeout=2)
            except OSError:
                return False
            return status == 200

        deadline = time.monotonic() + START_TIMEOUT_S * (5 if argv[0] == "valgrind" else 1)
        while not ready():
            if time.monotonic() >= deadline:
                raise AssertionError(f"{name} not ready after {START_TIMEOUT_S}s; "
                                     f"log: {self.log_path(name)}\n{self.log_tail(name)}")
            time.sleep(0.1)
        return proc

    def running(self, name):
        proc = self.procs.get(name)
        return proc is not None and proc.poll() is None

    def stop(self, name, sig=signal.SIGTERM, timeout=STOP_TIMEOUT_S):
        """Sends sig to one program and waits for it to exit; returns its exit code
        (negative: killed by that signal). Kills it and fails after `timeout`."""
        proc = self.procs.get(name)
        if proc is None:
            raise AssertionError(f"{name} was never started")
        if proc.poll() is not None:
            return proc.returncode
        proc.send_signal(sig)
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
            raise AssertionError(f"{name} (pid {proc.pid}) did not exit within {timeout}s of "
                                 f"signal {int(sig)}; killed it")

    def kill(self, name):
        """SIGKILL, no grace."""
        proc = self.procs.get(name)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)
        return proc.returncode if proc is not None else None

    def laporctl(self, *args, check=True, timeout=60, input=None):
        """Runs laporctl --mongodb-uri <this system> ARGS; output goes to its log and
        is returned (CompletedProcess with text stdout/stderr)."""
        argv = [str(self.binary("laporctl")), "--mongodb-uri", self.mongodb_uri, *args]
        res = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=timeout,
                             **({"input": input} if input is not None
                                else {"stdin": subprocess.DEVNULL}))
        with open(self.log_path("laporctl"), "a", encoding="utf-8") as log:
            log.write(f"--- harness: {' '.join(argv)} -> exit {res.returncode}\n")
            log.write(res.stdout)
            log.write(res.stderr)
        if check and res.returncode != 0:
            raise AssertionError(f"laporctl {' '.join(args)} exited {res.returncode}:\n"
                                 f"{res.stdout}{res.stderr}")
        return res

    def webhook_receiver(self, host="127.0.0.1"):
        """A new WebhookReceiver, closed with the system."""
        r = WebhookReceiver(host)
        self.receivers.append(r)
        return r

    def close(self):
        """Stops every process this system started (SIGTERM, SIGKILL after a bound),
        then removes the temp dir unless LAPOR_KEEP_TMP=1."""
        # Services before the database, so they do not log a storm of lost connections.
        names = [n for n in self.procs if n != "devdb"] + (["devdb"] if "devdb" in self.procs else [])
        for name in names:
            proc = self.procs[name]
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for name in names:
            proc = self.procs[name]
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"harness: {name} (pid {proc.pid}) ignored SIGTERM; killing it", file=sys.stderr)
                proc.kill()
                proc.wait(10)
        for r in self.receivers:
            r.close()
        self.receivers = []
        if self._client is not None:
            self._client.close()
            self._client = None
        for handles in self._log_handles.values():
            for h in handles:
                h.close()
        self._log_handles = {}
        if self._old_sigterm is not None:
            signal.signal(signal.SIGTERM, self._old_sigterm)
            self._old_sigterm = None
        if self.tmp:
            if os.environ.get("LAPOR_KEEP_TMP") == "1":
                print(f"harness: kept {self.tmp} (LAPOR_KEEP_TMP=1)", file=sys.stderr)
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    # -- logs -------------------------------------------------------------------------

    def log_files(self):
        if not self.tmp:
            return []
        return sorted((Path(self.tmp) / "logs").glob("*.log"))

    def log_text(self, name):
        try:
            return self.log_path(name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, name, lines=40):
        return "\n".join(self.log_text(name).splitlines()[-lines:])

    def dump_logs(self, lines=60):
        """Prints the tail of every log to stderr."""
        for f in self.log_files():
            text = f.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            print(f"\n===== last {len(text)} lines of {f} =====", file=sys.stderr)
            print("\n".join(text), file=sys.stderr)
        sys.stderr.flush()


class SystemTestCase(unittest.TestCase):
    """A TestCase that prints the tail of every log of `system` when it fails."""

    system = None

    def run(self, result=None):
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if self.system is not None and len(result.failures) + len(result.errors) > before:
            print(f"\n{self.id()} failed; logs follow", file=sys.stderr)
            self.system.dump_logs()
        return out


def damm_check_digit(digits):
    """The Damm check digit of a digit string (the tracking ID's check digit)."""
    table = (
        (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
        (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
        (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
        (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
        (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
        (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
        (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
        (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
        (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
        (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
    )
    interim = 0
    for ch in digits:
        interim = table[interim][int(ch)]
    return str(interim)


if __name__ == "__main__":
    # A private lapor to poke at by hand: prints its addresses, runs until Ctrl-C.
    with System() as s:
        print(f"database  {s.mongodb_uri}")
        for n in SERVICES:
            print(f"{n:<9} {s.url(n)}")
        print(f"logs      {Path(s.tmp) / 'logs'}\nCtrl-C stops everything.", flush=True)
        try:
            while all(s.running(n) for n in ("devdb",) + SERVICES):
                time.sleep(0.5)
            print("a process exited; stopping", file=sys.stderr)
        except KeyboardInterrupt:
            pass
