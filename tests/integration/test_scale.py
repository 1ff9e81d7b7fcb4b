"""Several instances of every service side by side: nothing disposed or notified twice,
nothing lost, and the reporter's roll-ups equal a recount from the complaints."""

import collections
import csv
import io
import json
import threading
import time
import unittest

from harness import System, SystemTestCase, http, wait_until

SECRET = "scale-secret-0123456789"
N = 60
# (region, category, agency that must get it)
CASES = [("64.01.01.2009", "kesehatan", "paser-dinkes"),
         ("64.72.01.1001", "kesehatan", "samarinda-dinkes"),
         ("64.01.01.2009", "infrastruktur", "paser-dpupr")]

SYSTEM = None


def setUpModule():
    global SYSTEM
    SYSTEM = System()
    SYSTEM.__enter__()


def tearDownModule():
    if SYSTEM is not None:
        SYSTEM.__exit__(None, None, None)


class ScaleTest(SystemTestCase):
    def test_two_of_everything(self):
        s = SYSTEM
        receiver = s.webhook_receiver()
        for _, _, agency in CASES:
            s.laporctl("agency-webhook", "set", agency, receiver.url, SECRET)
        # A second instance of each service, started by one command each, changing
        # nothing in the running ones: the routers and notifiers find each other.
        for name in ("intake-2", "router-2", "notifier-2", "reporter-2"):
            s.start(name)
        time.sleep(3)  # one discovery round (2 s) so every peer is connected

        results, lock = [], threading.Lock()

        def submit(i):
            region, category, _ = CASES[i % len(CASES)]
            intake = "intake" if i % 2 == 0 else "intake-2"
            status, _, body = http("POST", s.url(intake, "/api/v1/complaints"), {
                "title": f"Keluhan nomor {i}", "body": "Uji beban dengan beberapa instans.",
                "category": category, "region": region})
            with lock:
                results.append((i, status, body))

        threads = [threading.Thread(target=submit, args=(i,)) for i in range(N)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(st for _, st, _ in results), [201] * N, results)
        expected = {b["tracking_id"]: CASES[i % len(CASES)][2] for i, _, b in results}

        db = s.db
        wait_until(lambda: db.complaints.count_documents({"status": "disposed"}) == N, 60,
                   "every complaint to be disposed")
        for doc in db.complaints.find({}):
            tid = doc["tracking_id"]
            disposed = [h for h in doc["history"] if h["status"] == "disposed"]
            self.assertEqual(len(disposed), 1, f"{tid} disposed {len(disposed)} times")
            self.assertEqual([e["type"] for e in doc["events"]],
                             ["complaint.submitted", "complaint.disposed"], tid)
            self.assertEqual(doc["agency"]["id"], expected[tid], tid)
            self.assertEqual(doc["v"], 2, tid)

        # Exactly one webhook per complaint, whichever notifier sent it.
        def all_hooks():
            by_tid = collections.Counter(
                json.loads(r["body"])["complaint"]["tracking_id"] for r in receiver.requests)
            return by_tid if len(by_tid) == N else None

        by_tid = wait_until(all_hooks, 90, "one webhook per complaint")
        time.sleep(2)  # a duplicate would arrive within a sweep or two
        by_tid = collections.Counter(
            json.loads(r["body"])["complaint"]["tracking_id"] for r in receiver.requests)
        self.assertEqual(set(by_tid), set(expected))
        self.assertEqual(max(by_tid.values()), 1, f"duplicates: {by_tid.most_common(3)}")
        self.assertEqual(db.notifications.count_documents({"state": "sent", "channel": "webhook"}), N)

        # The work was shared: each router disposed some of it.
        for router in ("router", "router-2"):
            self.assertIn('"event":"complaint.disposed"', s.log_text(router),
                          f"{router} disposed nothing")

        # Roll-ups equal a recount from the complaints themselves.
        def stats(group_by, extra=""):
            status, _, body = http("GET", s.url("reporter-2",
                                                f"/api/v1/stats?group_by={group_by}{extra}"))
            self.assertEqual(status, 200, body)
            return {g["key"]: g["count"] for g in body["groups"]}

        recount = {
            "status": collections.Counter(d["status"] for d in db.complaints.find()),
            "agency": collections.Counter(d["agency"]["id"] for d in db.complaints.find()),
            "category": collections.Counter(d["category"] for d in db.complaints.find()),
            "region": collections.Counter(".".join(d["region"]["code"].split(".")[:2])
                                          for d in db.complaints.find()),
        }
        for group_by, want in recount.items():
            wait_until(lambda: stats(group_by) == dict(want), 30,
                       f"stats by {group_by} to equal the recount {dict(want)}")

        # The CSV form carries the same figures.
        status, headers, text = http("GET", s.url("reporter", "/api/v1/stats?group_by=agency"
                                                              "&format=csv"))
        self.assertEqual(status, 200)
        rows = csv.DictReader(io.StringIO(text))
        self.assertEqual({r["key"]: int(r["count"]) for r in rows}, dict(recount["agency"]))

    def test_z_instances_dead_for_a_day_are_forgotten(self):
        """An instance that died without withdrawing its entry in `services` is deleted
        by the next instance that starts once it has been silent for a day; one that
        died ten minutes ago stays (an operator may still want to see it)."""
        s = SYSTEM
        now = int(time.time() * 1000)
        day = 24 * 3600 * 1000
        s.db.services.insert_many([
            {"_id": "router-dead-long-ago", "kind": "router", "host": "gone", "pid": 1,
             "heartbeat_at": now - day - 60_000, "endpoints": {}},
            {"_id": "router-dead-lately", "kind": "router", "host": "gone", "pid": 2,
             "heartbeat_at": now - 600_000, "endpoints": {}}])
        s.start("router-3")
        try:
            wait_until(lambda: s.db.services.find_one({"_id": "router-dead-long-ago"}) is None,
                       15, "the entry silent for a day to be deleted")
            self.assertIsNotNone(s.db.services.find_one({"_id": "router-dead-lately"}))
            self.assertIsNotNone(s.db.services.find_one({"kind": "router",
                                                         "heartbeat_at": {"$gte": now}}))
        finally:
            self.assertEqual(s.stop("router-3"), 0)
            s.db.services.delete_one({"_id": "router-dead-lately"})


if __name__ == "__main__":
    unittest.main()
