"""Rate limits of intake's write paths: 429 with Retry-After and a JSON error,
per client address, behind a trusted proxy's X-Forwarded-For.

Only the database and intake run. Each test restarts intake with its own settings,
so every test starts with full buckets. Run from this directory with Debian's Python:

    LAPOR_BUILD_DIR=$PWD/../../build /usr/bin/python3 -m unittest -v test_ratelimit
"""

from http.client import HTTPConnection
import json
import re
import time
import unittest

from harness import System, SystemTestCase, http

SYSTEM = None

PER_MINUTE = 30  # one token back every 2 s
BURST = 3

COMPLAINT = {
    "type": "pengaduan",
    "title": "Jalan berlubang",
    "body": "Jalan di depan sekolah berlubang besar sejak musim hujan.",
    "region": "64.01.01.2009",
    "privacy": "anonymous",
}


def setUpModule():
    global SYSTEM
    SYSTEM = System(services=("intake",), extra_env={
        "LAPOR_RATE_IP_PER_MINUTE": str(PER_MINUTE),
        "LAPOR_RATE_IP_BURST": str(BURST),
    }).__enter__()


def tearDownModule():
    if SYSTEM is not None:
        SYSTEM.__exit__(None, None, None)


def post(path="/api/v1/complaints", body=None, forwarded=()):
    """POSTs with one X-Forwarded-For header per entry of `forwarded` (http.client,
    because urllib folds repeated headers into one)."""
    conn = HTTPConnection("127.0.0.1", SYSTEM.ports["intake"], timeout=10)
    try:
        conn.putrequest("POST", path)
        data = (body if body is not None else json.dumps(COMPLAINT)).encode()
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(data)))
        for value in forwarded:
            conn.putheader("X-Forwarded-For", value)
        conn.endheaders()
        conn.send(data)
        resp = conn.getresponse()
        raw = resp.read().decode()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw
    finally:
        conn.close()


class RateLimitTest(SystemTestCase):
    system = None

    def restart_intake(self, **env):
        """Restarts intake with extra settings (fresh buckets)."""
        if SYSTEM.running("intake"):
            self.assertEqual(SYSTEM.stop("intake"), 0)
        SYSTEM.extra_env.pop("LAPOR_TRUSTED_PROXIES", None)
        SYSTEM.extra_env.update(env)
        SYSTEM.start("intake")

    def setUp(self):
        self.system = SYSTEM

    def tearDown(self):
        # Whatever was thrown at it, intake is still up and healthy.
        self.assertTrue(SYSTEM.running("intake"), "intake died")
        status, _, _ = http("GET", SYSTEM.intake_url("/healthz"))
        self.assertEqual(status, 200)

    def assert_limited(self, status, headers, raw):
        self.assertEqual(status, 429, raw)
        self.assertIn("retry-after", headers)
        self.assertRegex(headers["retry-after"], r"^[0-9]+$")
        wait = int(headers["retry-after"])
        self.assertTrue(1 <= wait <= 60 // PER_MINUTE, wait)
        self.assertTrue(headers.get("content-type", "").startswith("application/json"))
        body = json.loads(raw)
        self.assertIsNone(body["error"]["field"])
        self.assertIn("too many requests", body["error"]["message"])
        return wait

    def test_limit_then_retry_after(self):
        self.restart_intake()
        for i in range(BURST):
            status, _, raw = post()
            self.assertEqual(status, 201, raw)
        wait = self.assert_limited(*post())
        # Bad bodies are refused before they are parsed: no free retries.
        self.assert_limited(*post(body="{not json"))
        # Reading is not limited.
        status, _, _ = http("GET", SYSTEM.intake_url("/"))
        self.assertEqual(status, 200)
        time.sleep(wait)
        status, _, raw = post()
        self.assertEqual(status, 201, raw)
        self.assert_limited(*post())
        status, _, text = http("GET", SYSTEM.intake_url("/metrics"))
        m = re.search(r'^lapor_rate_limited_total\{by="ip"\} ([0-9]+)$', text, re.M)
        self.assertIsNotNone(m, text)
        self.assertGreaterEqual(int(m.group(1)), 3)

    def test_admin_posts_are_limited(self):
        self.restart_intake()
        path = "/api/v1/admin/complaints/LPR-0000000000/dispose"
        for i in range(BURST):
            status, _, raw = post(path, body="{}")
            self.assertEqual(status, 401, raw)
        self.assert_limited(*post(path, body="{}"))

    def test_trusted_proxy_forwards_two_clients(self):
        self.restart_intake(LAPOR_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")
        a, b = "203.0.113.7", "198.51.100.20"
        for i in range(BURST):
            status, _, raw = post(forwarded=[a])
            self.assertEqual(status, 201, raw)
        self.assert_limited(*post(forwarded=[a]))
        # Client a cannot escape by writing its own header before the proxy's, nor
        # behind a second trusted proxy.
        self.assert_limited(*post(forwarded=[f"192.0.2.1, {a}"]))
        self.assert_limited(*post(forwarded=["192.0.2.1", a]))
        self.assert_limited(*post(forwarded=[f"{a}, 10.1.2.3"]))
        # Client b has a bucket of its own.
        for i in range(BURST):
            status, _, raw = post(forwarded=[b])
            self.assertEqual(status, 201, raw)
        self.assert_limited(*post(forwarded=[b]))
        # The proxy itself (no header) is a third client.
        status, _, raw = post()
        self.assertEqual(status, 201, raw)

    def test_untrusted_forwarded_for_is_ignored(self):
        self.restart_intake()  # no trusted proxies: the header is anyone's word
        for i in range(BURST):
            status, _, raw = post(forwarded=[f"203.0.113.{i + 1}"])
            self.assertEqual(status, 201, raw)
        self.assert_limited(*post(forwarded=["203.0.113.99"]))


if __name__ == "__main__":
    unittest.main()
