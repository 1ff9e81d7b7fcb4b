"""The walking skeleton, end to end: intake -> router -> notifier / reporter.

One System (database + four services) serves the whole module. Run from this
directory with Debian's Python:

    LAPOR_BUILD_DIR=$PWD/../../build /usr/bin/python3 -m unittest -v test_slice
"""

import json
import random
import re
import signal
import subprocess
import time
import unittest

from harness import (PROGRAMS, SERVICES, System, SystemTestCase, damm_check_digit, http,
                     wait_until, webhook_signature_ok)

SYSTEM = None
RECEIVER = None

AGENCY = "paser-dinkes"
WEBHOOK_SECRET = "rahasia-dinkes-paser-2025"
DISPOSE_TIMEOUT_S = 30  # received -> disposed, sweeper path included (grace 1 s, sweep 0.3 s)
SETTLE_S = 2.0  # how long to keep watching for a duplicate that should not come

COMPLAINT = {
    "type": "pengaduan",
    "title": "Puskesmas tutup",
    "body": "Puskesmas di desa kami tutup sejak seminggu, warga harus ke kota.",
    "category": "kesehatan",
    "region": "64.01.01.2009",
    "privacy": "public",
    "reporter": {"name": "Siti", "phone": "081234567890"},
}


def setUpModule():
    global SYSTEM, RECEIVER
    SYSTEM = System().__enter__()
    SliceTest.system = SYSTEM
    RECEIVER = SYSTEM.webhook_receiver()


def tearDownModule():
    global SYSTEM
    if SYSTEM is not None:
        SYSTEM.close()
        SYSTEM = None


def complaint(**changes):
    """COMPLAINT with changes, from a reporter of its own (one reporter sending the
    same text twice would be linked as a near-duplicate)."""
    c = json.loads(json.dumps(COMPLAINT))
    if isinstance(c.get("reporter"), dict):
        c["reporter"]["phone"] = "0812" + str(random.randrange(10**7, 10**8))
    c.update(changes)
    return c


def post_complaint(body):
    return http("POST", SYSTEM.intake_url("/api/v1/complaints"), body)


def get_complaint(tracking_id):
    return http("GET", SYSTEM.intake_url(f"/api/v1/complaints/{tracking_id}"))


def disposed(tracking_id):
    """The public view of the complaint once it is disposed, else None."""
    status, _, body = get_complaint(tracking_id)
    if status == 200 and isinstance(body, dict) and body.get("status") == "disposed":
        return body
    return None


def webhooks_for(tracking_id):
    """(record, body) of every webhook about this complaint so far."""
    return [(r, b) for r, b in RECEIVER.json_requests()
            if isinstance(b, dict) and isinstance(b.get("complaint"), dict)
            and b["complaint"].get("tracking_id") == tracking_id]


def stats(group_by):
    status, _, body = http("GET", SYSTEM.reporter_url(f"/api/v1/stats?group_by={group_by}"))
    if status != 200 or not isinstance(body, dict):
        raise AssertionError(f"stats?group_by={group_by} answered {status}: {body!r}")
    return body


def stats_count(group_by, key):
    return {g.get("key"): g.get("count") for g in stats(group_by).get("groups", [])}.get(key, 0)


_HAPPY = {}


def happy_case():
    """Runs the happy path once (webhook configured, one complaint submitted and
    disposed, its webhook received) and returns what it saw. Tests a and e share it."""
    if _HAPPY:
        return _HAPPY
    SYSTEM.laporctl("agency-webhook", "set", AGENCY, RECEIVER.url, WEBHOOK_SECRET)
    status, _, body = post_complaint(complaint())
    assert status == 201, f"POST /api/v1/complaints answered {status}: {body!r}"
    tid = body.get("tracking_id") if isinstance(body, dict) else None
    assert isinstance(tid, str) and re.fullmatch(r"\d{10}", tid), f"bad tracking_id in {body!r}"
    assert body.get("status") == "received", body
    view = wait_until(lambda: disposed(tid), DISPOSE_TIMEOUT_S, f"complaint {tid} to be disposed")
    try:
        hooks = wait_until(lambda: webhooks_for(tid), DISPOSE_TIMEOUT_S, f"the webhook for {tid}")
    except AssertionError as exc:
        got = [(r["method"], r["path"], r["body"][:300]) for r in RECEIVER.requests]
        raise AssertionError(f"{exc}; the receiver got {len(got)} request(s): {got!r}") from None
    time.sleep(SETTLE_S)  # a second delivery would arrive now
    _HAPPY.update(tracking_id=tid, created=body, view=view, hooks=webhooks_for(tid),
                  first_hooks=hooks)
    return _HAPPY


class SliceTest(SystemTestCase):
    maxDiff = None

    def assertErrorShape(self, body, field=None, what=""):
        self.assertIsInstance(body, dict, f"{what}: error answer is not JSON: {body!r}")
        err = body.get("error")
        self.assertIsInstance(err, dict, f"{what}: no error object in {body!r}")
        self.assertIn("field", err, f"{what}: error without field: {body!r}")
        self.assertIsInstance(err.get("message"), str, f"{what}: error without message: {body!r}")
        self.assertTrue(err["message"], f"{what}: empty error message")
        if field is not None:
            self.assertEqual(err["field"], field, f"{what}: wrong field in {body!r}")

    # a -------------------------------------------------------------------------------
    def test_a_happy_path(self):
        case = happy_case()
        tid = case["tracking_id"]

        view = case["view"]
        self.assertEqual(view.get("tracking_id"), tid)
        self.assertIsInstance(view.get("agency"), dict, view)
        self.assertEqual(view["agency"].get("id"), AGENCY, view)
        self.assertTrue(view.get("deadline_at"), f"no deadline_at: {view!r}")
        history = view.get("history")
        self.assertIsInstance(history, list, view)
        self.assertEqual(len(history), 2, f"history: {history!r}")
        for entry in history:
            self.assertIn("at", entry, entry)
            self.assertIn("status", entry, entry)
        self.assertEqual([h["status"] for h in history], ["received", "disposed"])

        hooks = case["hooks"]
        self.assertEqual(len(hooks), 1, "expected exactly one webhook: "
                         + repr([(r["headers"].get("webhook-id"), b.get("type")) for r, b in hooks]))
        record, payload = hooks[0]
        self.assertEqual(record["method"], "POST")
        for h in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            self.assertIn(h, record["headers"], f"webhook without {h}: {record['headers']!r}")
        self.assertTrue(webhook_signature_ok(WEBHOOK_SECRET, record["headers"], record["body"]),
                        f"signature does not verify: {record['headers']!r}")
        ts = int(record["headers"]["webhook-timestamp"])
        self.assertLess(abs(time.time() - ts), 600, "webhook-timestamp is not the current time")
        self.assertEqual(payload.get("type"), "complaint.disposed", payload)
        self.assertEqual(payload["complaint"].get("tracking_id"), tid, payload)

        db = SYSTEM.db

        def disposed_counted():
            want = db.complaints.count_documents({"status": "disposed"})
            got = stats_count("status", "disposed")
            return want >= 1 and got == want

        wait_until(disposed_counted, DISPOSE_TIMEOUT_S,
                   "stats?group_by=status to count every disposed complaint")
        by_status = stats("status")
        self.assertEqual(by_status.get("group_by"), "status", by_status)
        self.assertIsInstance(by_status.get("groups"), list, by_status)
        for g in by_status["groups"]:
            self.assertIsInstance(g.get("key"), str, g)
            self.assertIsInstance(g.get("count"), int, g)
        self.assertIsInstance(by_status.get("total"), int, by_status)
        self.assertEqual(by_status["total"], sum(g["count"] for g in by_status["groups"]),
                         f"every complaint has one status, so total is the sum: {by_status!r}")

        wait_until(lambda: stats_count("agency", AGENCY) >= 1, DISPOSE_TIMEOUT_S,
                   f"stats?group_by=agency to have {AGENCY}")
        self.assertEqual(stats("agency").get("group_by"), "agency")

    # b -------------------------------------------------------------------------------
    def test_b_bad_input(self):
        db = SYSTEM.db
        before = db.complaints.count_documents({})
        good = json.dumps(complaint())
        utf8_bad = json.dumps(complaint(body="@@BODY@@")).encode("utf-8").replace(
            b"@@BODY@@", b"Jalan rusak \xff\xfe parah")
        cases = [
            # (what, raw body or object, expected status, expected field or None for any)
            ("malformed JSON", good[:-7].encode("utf-8"), 400, None),
            ("top-level array", "[" + good + "]", 400, None),
            ("title as number", complaint(title=42), 400, "title"),
            ("title as operator object", complaint(title={"$gt": ""}), 400, "title"),
            ("missing body", {k: v for k, v in complaint().items() if k != "body"}, 400, "body"),
            ("over-long title", complaint(title="T" * 1000), 400, "title"),
            ("unknown region", complaint(region="64.99.99.9999"), 400, "region"),
            ("unknown category", complaint(category="bukan-kategori"), 400, "category"),
            ("invalid UTF-8 in body", utf8_bad, 400, None),
            ("unknown privacy", complaint(privacy="rahasia-negara"), 400, "privacy"),
            ("body over 64 KiB", complaint(body="x" * (70 * 1024)), 413, None),
        ]
        for what, body, want_status, field in cases:
            with self.subTest(what):
                status, _, answer = post_complaint(body)
                self.assertEqual(status, want_status, f"{what}: {answer!r}")
                self.assertErrorShape(answer, field, what)

        nonexistent = "123456789" + damm_check_digit("123456789")
        for what, tid in (("malformed id", "abc"), ("unknown id", nonexistent),
                          ("id with a wrong check digit", "123456789" +
                           str((int(damm_check_digit("123456789")) + 1) % 10))):
            with self.subTest(what):
                status, _, answer = get_complaint(tid)
                self.assertEqual(status, 404, f"{what}: {answer!r}")
                self.assertErrorShape(answer, None, what)

        self.assertEqual(db.complaints.count_documents({}), before,
                         "a refused request stored a complaint")

    # c -------------------------------------------------------------------------------
    def test_c_anonymous_leaves_no_identity(self):
        canary, phone = "CANARY-Budi-7781", "081277815555"
        status, _, body = post_complaint(complaint(
            privacy="anonymous", title="Jalan desa rusak",
            body="Jalan utama desa berlubang besar, motor sering jatuh.",
            reporter={"name": canary, "phone": phone}))
        self.assertEqual(status, 201, body)
        tid = body["tracking_id"]
        self.assertNotIn(canary, json.dumps(body))
        # Let every stage handle it, so their logs had their chance to leak it.
        view = wait_until(lambda: disposed(tid), DISPOSE_TIMEOUT_S, f"complaint {tid} to be disposed")
        self.assertNotIn(canary, json.dumps(view), "the public view shows the reporter")

        doc = SYSTEM.db.complaints.find_one({"tracking_id": tid})
        self.assertIsNotNone(doc)
        # Only a sealed box (for the notifier) and keyed lookups: no name, no number.
        self.assertEqual(set(doc.get("reporter", {})), {"sealed", "lookup"}, doc.get("reporter"))
        dump = json.dumps(doc, default=repr)
        self.assertNotIn(canary, dump, "the canary is in the complaint document")
        for form in (phone, phone[1:], "62" + phone[1:]):
            self.assertNotIn(form, dump, "the phone number is in the complaint document")
        time.sleep(SETTLE_S)
        for f in SYSTEM.log_files():
            text = f.read_text(encoding="utf-8", errors="replace")
            self.assertNotIn(canary, text, f"the canary is in {f}")
            self.assertNotIn(phone, text, f"the phone number is in {f}")

    # d -------------------------------------------------------------------------------
    def test_d_router_down_delays_only(self):
        db = SYSTEM.db
        ids = []
        n = 120  # more than one bulk (50): the backlog is swept several bulks a sweep
        code = SYSTEM.stop("router")
        try:
            for i in range(n):
                status, _, body = post_complaint(complaint(title=f"Puskesmas tutup {i + 1}"))
                self.assertEqual(status, 201, body)
                ids.append(body["tracking_id"])
            time.sleep(1.2)  # older than the grace (1 s): work for the sweeper
            self.assertEqual(db.complaints.count_documents(
                {"tracking_id": {"$in": ids}, "status": "received"}), n,
                "complaints moved on while no router ran")
        finally:
            seen = len(SYSTEM.log_text("router").splitlines())
            if not SYSTEM.running("router"):
                SYSTEM.start("router")
        self.assertEqual(code, 0, "router did not exit cleanly on SIGTERM")

        def all_disposed():
            return db.complaints.count_documents(
                {"tracking_id": {"$in": ids}, "status": "disposed"}) == n

        wait_until(all_disposed, DISPOSE_TIMEOUT_S + 15,
                   f"the {n} complaints sent while the router was down to be disposed")
        sweeps = [json.loads(line)["events"]
                  for line in SYSTEM.log_text("router").splitlines()[seen:]
                  if '"event":"sweep.handled"' in line]
        self.assertGreater(max(sweeps, default=0), 50,
                           f"the backlog was swept at most one bulk at a time: {sweeps}")

    # e -------------------------------------------------------------------------------
    def test_e_repeated_event_sends_one_webhook(self):
        case = happy_case()
        tid = case["tracking_id"]
        self.assertEqual(len(case["hooks"]), 1)
        webhook_id = case["hooks"][0][0]["headers"].get("webhook-id")
        db = SYSTEM.db
        doc = db.complaints.find_one({"tracking_id": tid})
        events = [e for e in doc.get("events", []) if e.get("type") == "complaint.disposed"]
        self.assertEqual(len(events), 1, f"events: {doc.get('events')!r}")
        event_id = events[0]["id"]

        # The event again, as a writer leaves it: a mark for the notifier (an old
        # one, so no grace period applies), with no message on the bus.
        cid = str(doc["_id"])

        def mark(event, since):
            return {"_id": f"{event}:notifier", "complaint": cid, "event": event,
                    "for": "notifier", "since": since}

        db.outbox.insert_one(mark(event_id, 0))
        wait_until(lambda: db.outbox.count_documents({"complaint": cid}) == 0, DISPOSE_TIMEOUT_S,
                   "the notifier's sweeper to take the event and drop the mark")

        # A mark naming an event the complaint never got (its write failed): kept
        # while the write might still land, dropped once the mark is old.
        db.outbox.insert_one(mark("no-such-event", int(time.time() * 1000)))
        time.sleep(3)  # grace 1 s, sweeps every 0.3 s
        self.assertEqual(db.outbox.count_documents({"_id": "no-such-event:notifier"}), 1,
                         "a young mark's missing event was dropped")
        db.outbox.update_one({"_id": "no-such-event:notifier"},
                             {"$set": {"since": 0}, "$unset": {"lease": ""}})
        wait_until(lambda: db.outbox.count_documents({"complaint": cid}) == 0, DISPOSE_TIMEOUT_S,
                   "the sweeper to drop an old mark's missing event")

        # Work in the forms before (a mark per complaint with a list per stage, a
        # complaint's todo list, an old per-stage mark), as an upgrade finds it:
        # adopted at start.
        db.outbox.insert_one({"_id": cid, "since": 0, "notifier": [event_id],
                              "reporter": ["kept-for-the-reporter"]})
        db.outbox.insert_one({"_id": f"notifier:{cid}", "stage": "notifier",
                              "complaint_id": cid, "since": 0})
        db.complaints.update_one({"_id": doc["_id"]}, {"$addToSet": {"todo.notifier": event_id}})
        # The notifier looked once at its start and noted that nothing was left; a
        # database from before the upgrade has no such note.
        flag = {"_id": "outbox_adopted:notifier"}
        self.assertEqual(db.lapor_meta.count_documents(flag), 1)
        db.lapor_meta.delete_one(flag)
        self.assertEqual(SYSTEM.stop("notifier"), 0, "notifier did not exit cleanly")
        SYSTEM.start("notifier")

        def adopted_and_done():
            d = db.complaints.find_one({"_id": doc["_id"]})
            old = db.outbox.find_one({"_id": cid})
            return (not (d.get("todo") or {}).get("notifier")
                    and old is not None and "notifier" not in old
                    and db.outbox.count_documents({"_id": f"notifier:{cid}"}) == 0
                    and db.outbox.count_documents({"complaint": cid}) == 0)

        wait_until(adopted_and_done, DISPOSE_TIMEOUT_S,
                   "the notifier to adopt the old entries, handle them and drop their marks")
        # The reporter's entry in the old mark is the reporter's to adopt.
        self.assertEqual(db.outbox.find_one({"_id": cid}).get("reporter"),
                         ["kept-for-the-reporter"])
        db.outbox.delete_one({"_id": cid})
        wait_until(lambda: db.lapor_meta.count_documents(flag) == 1, DISPOSE_TIMEOUT_S,
                   "the notifier to note that the adoption is done")
        time.sleep(SETTLE_S)

        same = [r for r in RECEIVER.requests if r["headers"].get("webhook-id") == webhook_id]
        self.assertEqual(len(same), 1, f"webhook {webhook_id} arrived {len(same)} times")
        self.assertEqual(len(webhooks_for(tid)), 1, "a second webhook arrived for the complaint")

        prefix = f"{event_id}:"
        notes = [n for n in db.notifications.find({"channel": "webhook"})
                 if str(n.get("_id")).startswith(prefix) or n.get("event_id") == event_id]
        self.assertEqual(len(notes), 1, f"notifications for event {event_id}: {notes!r}")

    # f -------------------------------------------------------------------------------
    def test_f_help_and_clean_stop(self):
        for prog in PROGRAMS:
            with self.subTest(prog):
                res = subprocess.run([str(SYSTEM.binary(prog)), "--help"], capture_output=True,
                                     text=True, timeout=20, stdin=subprocess.DEVNULL)
                self.assertEqual(res.returncode, 0, f"{prog} --help: {res.stderr}")
                self.assertIn("LAPOR_MONGODB_URI", res.stdout + res.stderr, prog)
        try:
            code = SYSTEM.stop("intake", signal.SIGTERM)
            self.assertEqual(code, 0, "intake did not exit with 0 on SIGTERM")
        finally:
            if not SYSTEM.running("intake"):
                SYSTEM.start("intake")

    # g -------------------------------------------------------------------------------
    def test_g_metrics(self):
        for name in SERVICES:
            with self.subTest(name):
                status, headers, body = http("GET", SYSTEM.url(name, "/metrics"))
                self.assertEqual(status, 200, f"{name} /metrics: {body!r}")
                self.assertIsInstance(body, str)
                self.assertIn("# TYPE", body, f"{name} /metrics is not Prometheus text")

    def test_h_unacknowledged_writes_through_the_devdb_front(self):
        """A w=0 write through lapor-devdb's front is finished, and the next command on
        the same connection gets its own answer (FerretDB answers w=0 writes anyway;
        the front once passed that answer on as the next one's)."""
        import pymongo
        from pymongo.write_concern import WriteConcern
        client = pymongo.MongoClient(SYSTEM.mongodb_uri, maxPoolSize=1,
                                     serverSelectionTimeoutMS=10000)
        try:
            db = client.get_default_database()
            loose = db.get_collection("w0_probe", write_concern=WriteConcern(w=0))
            for i in range(20):
                loose.insert_one({"_id": i, "n": i})
                self.assertEqual(db.w0_probe.find_one({"_id": i}), {"_id": i, "n": i})
            self.assertEqual(db.w0_probe.count_documents({}), 20)
        finally:
            client.get_default_database().w0_probe.drop()
            client.close()

    # i -------------------------------------------------------------------------------
    def test_i_only_unique_indexes_on_the_local_database(self):
        """On FerretDB the services keep only the indexes that guarantee something:
        it never uses the others for a query but updates them on every write."""
        db = SYSTEM.db
        build = db.client.admin.command("buildInfo")
        self.assertIn("ferretdbVersion", build, "the harness runs lapor-devdb (FerretDB)")
        names = set(db.complaints.index_information())
        self.assertEqual(names, {"_id_", "tracking_id_unique"}, names)
        self.assertTrue(db.complaints.index_information()["tracking_id_unique"].get("unique"))
        self.assertLessEqual(set(db.outbox.index_information()), {"_id_"})

    # j -------------------------------------------------------------------------------
    def test_j_large_request_headers(self):
        """A complaint sent with 40 cookies of 4 KiB in all (what other sites of a
        province's domain can leave) is taken: intake keeps a small memory pool per
        connection (lp_http.c), but not too small for that. Headers far over it are
        refused with an HTTP error or a closed connection, and intake goes on
        answering."""
        cookies = "; ".join(f"portal_pref_{i}={'v' * 90}" for i in range(40))
        self.assertGreaterEqual(len(cookies), 4096)
        headers = {"Cookie": cookies, "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) " * 4,
                   "Accept-Language": "id-ID,id;q=0.9,en;q=0.8"}
        status, _, body = http("POST", SYSTEM.intake_url("/api/v1/complaints"), complaint(),
                               headers=headers)
        self.assertEqual(status, 201, body)
        self.assertRegex(body.get("tracking_id", ""), r"^\d{10}$")

        try:
            status, _, _ = http("POST", SYSTEM.intake_url("/api/v1/complaints"), complaint(),
                                headers={"Cookie": "x=" + "y" * (64 * 1024)})
            self.assertTrue(400 <= status < 500, status)
        except (ConnectionError, OSError):
            pass  # MHD may close the connection before the whole request is read
        status, _, _ = http("GET", SYSTEM.intake_url("/healthz"))
        self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
