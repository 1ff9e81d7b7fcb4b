"""Three hosts on one machine (network namespaces, deploy/netns/lapor-netns): HAProxy and
two intakes on the edge host, routers and notifiers on the core host, the database and the reporter
on the data host, ZeroMQ between them with CURVE. The core host's link is cut for some
seconds under load, then mended: nothing acknowledged is lost. Needs root (label
chaos); skipped where network namespaces cannot be made."""

import json
import os
import random
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from harness import REPO, System, SystemTestCase, http, wait_until
from haproxy import Haproxy

NETNS = REPO / "deploy" / "netns" / "lapor-netns"
PREFIX = f"lp{random.randrange(1000, 9999)}"
NET = random.randrange(100, 250)
SYSTEM = None
RECEIVER = None
PROXY = None


def ip(host):
    return f"10.{NET}.0.{ {'edge': 10, 'core': 20, 'data': 30, 'this': 1}[host] }"


def setUpModule():
    global SYSTEM, RECEIVER, PROXY
    if os.geteuid() != 0:
        raise unittest.SkipTest("network namespaces need root")
    probe = subprocess.run(["ip", "netns", "add", PREFIX + "-probe"], capture_output=True)
    if probe.returncode != 0:
        raise unittest.SkipTest("ip netns is not available here: " + probe.stderr.decode())
    subprocess.run(["ip", "netns", "del", PREFIX + "-probe"], check=True)
    subprocess.run([str(NETNS), "up", PREFIX, str(NET)], check=True, capture_output=True)
    try:
        keys = Path(tempfile.mkdtemp(prefix="lapor-netns-keys-"))
        allow = keys / "allow"
        allow.mkdir()
        subprocess.run([str(System().binary("laporctl")), "curve-keygen", str(keys), "intake",
                        "router", "notifier", "reporter"], check=True, capture_output=True)
        for name in ("intake", "router", "notifier", "reporter"):
            (allow / f"{name}.pub").write_text((keys / f"{name}.pub").read_text())
        where = {"devdb": "data", "reporter": "data", "router": "core", "notifier": "core",
                 "intake": "edge"}
        SYSTEM = System(hosts={n: ip(h) for n, h in where.items()},
                        netns={n: f"{PREFIX}-{h}" for n, h in where.items()},
                        extra_env={"LAPOR_CURVE_KEY_FILE": str(keys / "{service}.key"),
                                   "LAPOR_CURVE_ALLOW_DIR": str(allow)})
        SYSTEM.__enter__()
        # The edge host: HAProxy in front of two intakes.
        SYSTEM.start("intake-2")
        PROXY = Haproxy(SYSTEM, ["intake", "intake-2"], host=ip("edge"), netns=f"{PREFIX}-edge")
        RECEIVER = SYSTEM.webhook_receiver(ip("this"))
        SYSTEM.laporctl("agency-webhook", "set", "paser-dinkes", RECEIVER.url,
                        "netns-secret-0123456789")
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    global SYSTEM, PROXY
    if PROXY is not None:
        PROXY.close()
        PROXY = None
    if SYSTEM is not None:
        SYSTEM.__exit__(None, None, None)
        SYSTEM = None
    subprocess.run([str(NETNS), "mend", PREFIX, "core"], capture_output=True)
    subprocess.run([str(NETNS), "down", PREFIX], capture_output=True)


def db_status(tid):
    return SYSTEM.db.complaints.find_one({"tracking_id": tid})["status"]


class NetnsTest(SystemTestCase):

    def test_core_link_cut_then_mended(self):
        # The services found each other across the "hosts", with CURVE.
        kinds = {d["kind"]: d for d in SYSTEM.db.services.find()}
        self.assertTrue(kinds["router"]["endpoints"]["notifier_work"].startswith(
            f"tcp://{ip('core')}:"))
        self.assertEqual(len(kinds["intake"]["curve_public"]), 40)
        acked, refused, started = [], 0, time.monotonic()
        for i in range(40):
            if i == 10:
                subprocess.run([str(NETNS), "cut", PREFIX, "core"], check=True)
            if i == 30:
                # The cut was real: what came in meanwhile waits for the routers.
                waiting = db_status(acked[-1])
                subprocess.run([str(NETNS), "mend", PREFIX, "core"], check=True)
                self.assertEqual(waiting, "received")
            status, _, body = http("POST", PROXY.url + "/api/v1/complaints", {
                "title": f"Puskesmas tutup {i}", "body": f"Puskesmas desa tutup ({i}) sejak pekan lalu.",
                "category": "kesehatan", "region": "64.01.01.2009"}, timeout=15)
            if status == 201:
                acked.append(body["tracking_id"])
            else:
                refused += 1
            time.sleep(0.25)
        # The edge and the data host kept talking while the core was away.
        self.assertGreater(len(acked), 35)
        db = SYSTEM.db
        wait_until(lambda: db.complaints.count_documents(
            {"tracking_id": {"$in": acked}, "status": "disposed"}) == len(acked), 180,
            "every acknowledged complaint disposed after the link came back")

        def notified():
            seen = {json.loads(r["body"])["complaint"]["tracking_id"] for r in RECEIVER.requests}
            return set(acked) <= seen

        wait_until(notified, 180, "a webhook for every acknowledged complaint")
        ids = [r["headers"]["webhook-id"] for r in RECEIVER.requests]
        print(f"\n[chaos] netns: core host cut for ~5 s: sent 40, acknowledged {len(acked)}, "
              f"refused {refused}, found {db.complaints.count_documents({'tracking_id': {'$in': acked}})}, "
              f"disposed {len(acked)}, notified {len(set(ids))}, duplicates seen by receivers "
              f"{len(ids) - len(set(ids))}, settled in {time.monotonic() - started:.1f} s",
              flush=True)


if __name__ == "__main__":
    unittest.main()
