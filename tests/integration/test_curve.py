"""ZeroMQ with CURVE between the services: the pipeline works encrypted, and a peer
whose public key is not on the allow-list (or that speaks plain ZeroMQ) gets
nothing, and is logged."""

import json
import subprocess
import time
import unittest
from pathlib import Path

import zmq  # Debian's python3-zmq

from harness import System, SystemTestCase, http, wait_until

SYSTEM = None
RECEIVER = None
KEYS = None


def setUpModule():
    global SYSTEM, RECEIVER, KEYS
    import tempfile

    KEYS = Path(tempfile.mkdtemp(prefix="lapor-curve-"))
    allow = KEYS / "allow"
    allow.mkdir()
    subprocess.run([str(System().binary("laporctl")), "curve-keygen", str(KEYS), "intake",
                    "router", "notifier", "reporter", "stranger"], check=True,
                   capture_output=True)
    for name in ("intake", "router", "notifier", "reporter"):
        (allow / f"{name}.pub").write_text((KEYS / f"{name}.pub").read_text())
    SYSTEM = System(extra_env={"LAPOR_CURVE_KEY_FILE": str(KEYS / "{service}.key"),
                               "LAPOR_CURVE_ALLOW_DIR": str(allow)})
    SYSTEM.__enter__()
    RECEIVER = SYSTEM.webhook_receiver()
    SYSTEM.laporctl("agency-webhook", "set", "paser-dinkes", RECEIVER.url,
                    "curve-secret-0123456789")


def tearDownModule():
    if SYSTEM is not None:
        SYSTEM.__exit__(None, None, None)


def submit(i):
    status, _, body = http("POST", SYSTEM.intake_url("/api/v1/complaints"), {
        "title": f"Puskesmas tutup {i}", "body": f"Puskesmas desa tutup sejak pekan lalu ({i}).",
        "category": "kesehatan", "region": "64.01.01.2009"})
    assert status == 201, body
    return body["tracking_id"]


def key_of(name):
    text = (KEYS / f"{name}.key").read_text()
    return {k: v.encode() for k, v in (line.split("=", 1) for line in text.splitlines()
                                       if "=" in line)}


class CurveTest(SystemTestCase):

    def test_pipeline_runs_over_curve(self):
        services = list(SYSTEM.db.services.find({"kind": "intake"}))
        self.assertTrue(services and len(services[0]["curve_public"]) == 40)
        tid = submit(1)
        wait_until(lambda: any(json.loads(r["body"])["complaint"]["tracking_id"] == tid
                               for r in RECEIVER.requests), 30, "the webhook, through CURVE")
        self.assertIn('"event":"bus.curve"', SYSTEM.log_text("router"))

    def test_unknown_key_and_plain_peers_get_nothing(self):
        doc = SYSTEM.db.services.find_one({"kind": "intake"})
        endpoint, server_key = doc["endpoints"]["router_work"], doc["curve_public"].encode()
        ctx = zmq.Context()
        stranger = key_of("stranger")
        spy = ctx.socket(zmq.PULL)  # would take work meant for the routers
        spy.curve_serverkey = server_key
        spy.curve_publickey = stranger["public"]
        spy.curve_secretkey = stranger["secret"]
        spy.connect(endpoint)
        plain = ctx.socket(zmq.PULL)
        plain.connect(endpoint)
        try:
            time.sleep(1)
            tids = [submit(i) for i in range(2, 8)]
            poller = zmq.Poller()
            poller.register(spy, zmq.POLLIN)
            poller.register(plain, zmq.POLLIN)
            got = dict(poller.poll(3000))
            self.assertEqual(got, {}, "a peer that is not allowed received a message")
            # The routers, which are allowed, still got every complaint.
            wait_until(lambda: SYSTEM.db.complaints.count_documents(
                {"tracking_id": {"$in": tids}, "status": "disposed"}) == len(tids), 30,
                "the complaints disposed")
            self.assertIn('"event":"bus.peer_refused"', SYSTEM.log_text("intake"))
        finally:
            spy.close(0)
            plain.close(0)
            ctx.term()


if __name__ == "__main__":
    unittest.main()
