"""The reporter: roll-ups equal a recount after a random workload (and after
`laporctl stats rebuild`), the CSV says what the JSON says, the open-data export and
the analysts' feed carry no identity and no confidential content, a late feed
subscriber sees its gap, and the outreach visits, kit (a QR code that decodes) and
impact figures."""

import collections
import csv
import datetime
import io
import json
import random
import re
import shutil
import struct
import subprocess
import tempfile
import time
import unittest
import uuid
import zlib
from pathlib import Path

from harness import System, SystemTestCase, http, wait_until

SYSTEM = None
ADMIN_KEY = None
AGENCY_KEYS = {}
WITA = datetime.timezone(datetime.timedelta(hours=8))
TIMEOUT_S = 60

# (region, category) -> the agency the routing rules pick (see test_scale.py)
CASES = [("64.01.01.2009", "kesehatan"), ("64.72.01.1001", "kesehatan"),
         ("64.01.01.2009", "infrastruktur")]
AGENCIES = ("paser-dinkes", "samarinda-dinkes", "paser-dpupr")
CANARY = f"KANARI{uuid.uuid4().hex[:8].upper()}"
SECRET_MARK = f"RAHASIA{uuid.uuid4().hex[:8].upper()}"
DIMENSIONS = ("status", "agency", "category", "regency", "district", "village", "type",
              "channel", "privacy", "day")


def setUpModule():
    global SYSTEM, ADMIN_KEY
    SYSTEM = System(extra_env={"LAPOR_DEADLINE_EVERY_MS": "300"})
    SYSTEM.__enter__()
    ADMIN_KEY = SYSTEM.laporctl("admin-key", "add", "Koordinator Statistik").stdout.strip()
    for agency in AGENCIES:
        AGENCY_KEYS[agency] = SYSTEM.laporctl("agency-key", "add", agency).stdout.strip()


def tearDownModule():
    if SYSTEM is not None:
        SYSTEM.__exit__(None, None, None)


def reporter(path, headers=None):
    return http("GET", SYSTEM.reporter_url(path), headers=headers)


def day_of(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, WITA).strftime("%Y-%m-%d")


def recount(db, dim):
    """What the roll-ups must say for one dimension, counted from the complaints."""
    def key(d):
        code = d["region"]["code"]
        return {
            "status": d["status"], "agency": (d.get("agency") or {}).get("id", ""),
            "category": d.get("category", ""), "regency": ".".join(code.split(".")[:2]),
            "district": ".".join(code.split(".")[:3]), "village": code, "type": d["type"],
            "channel": d["channel"], "privacy": d["privacy"], "day": day_of(d["created_at"]),
        }[dim]
    return dict(collections.Counter(key(d) for d in db.complaints.find({}, {"reporter": 0})))


def stats(dim, extra=""):
    status, _, body = reporter(f"/api/v1/stats?group_by={dim}{extra}")
    assert status == 200, body
    return body


def counts(dim, extra=""):
    return {g["key"]: g["count"] for g in stats(dim, extra)["groups"]}


def agency(method, agency_id, path, body=None):
    return http(method, SYSTEM.intake_url("/api/v1/agency/complaints" + path), body,
                {"Authorization": f"Bearer {AGENCY_KEYS[agency_id]}"})


def admin(path, body):
    return http("POST", SYSTEM.intake_url("/api/v1/admin/" + path), body,
                {"Authorization": f"Bearer {ADMIN_KEY}"})


def png_of(matrix, scale=4):
    """A grey PNG of a module matrix (True = dark), written with zlib only."""
    size = len(matrix) * scale
    rows = b""
    for row in matrix:
        line = b"\x00" + bytes(0 if dark else 255 for dark in row for _ in range(scale))
        rows += line * scale

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def qr_matrix(svg):
    """The module matrix drawn by the kit's QR SVG (viewBox in modules, M x y h1v1h-1z)."""
    box = int(re.search(r'class="qr"[^>]*viewBox="0 0 (\d+) \d+"', svg).group(1))
    matrix = [[False] * box for _ in range(box)]
    path = re.search(r'<path fill="#000" d="([^"]*)"', svg).group(1)
    for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", path):
        matrix[int(y)][int(x)] = True
    return matrix


class ReportingTest(SystemTestCase):
    system = property(lambda self: SYSTEM)

    @classmethod
    def setUpClass(cls):
        """A random workload: submissions of several regions, categories, types and
        privacy levels, then triage and agency actions, with the feed started late."""
        rng = random.Random(8)
        cls.tids, cls.confidential = [], []
        for i in range(18):
            region, category = CASES[i % len(CASES)]
            privacy = rng.choice(["public", "anonymous", "confidential"])
            title = f"Keluhan {i} {SECRET_MARK if privacy == 'confidential' else 'umum'}"
            status, _, body = http("POST", SYSTEM.intake_url("/api/v1/complaints"), {
                "type": rng.choice(["pengaduan", "aspirasi", "informasi"]),
                "title": title, "body": f"Isi laporan nomor {i} {title} {uuid.uuid4().hex} {rng.random()}.",
                "category": category, "region": region, "privacy": privacy,
                "reporter": {"name": f"{CANARY} Nama", "phone": f"08129876{i:04d}",
                             "email": f"{CANARY.lower()}{i}@desa.example"}})
            assert status == 201, body
            cls.tids.append((body["tracking_id"], body.get("pin")))
            if privacy == "confidential":
                cls.confidential.append(body["tracking_id"])
        db = SYSTEM.db
        wait_until(lambda: db.complaints.count_documents({"status": "disposed"}) == 18, TIMEOUT_S,
                   "every complaint to be disposed")
        # The analysts' feed subscriber joins late: it must report the events it missed.
        cls.feed_out = tempfile.TemporaryFile()
        cls.feed_err = tempfile.TemporaryFile()
        cls.feed = subprocess.Popen(
            [str(SYSTEM.binary("laporctl")), "--mongodb-uri", SYSTEM.mongodb_uri, "feed",
             "--seconds", "300"], stdout=cls.feed_out, stderr=cls.feed_err,
            stdin=subprocess.DEVNULL, env=SYSTEM.env)
        def connected():
            cls.feed_err.seek(0)
            return b"connected to" in cls.feed_err.read()
        wait_until(connected, 20, "laporctl feed to find the reporter's feed")
        time.sleep(1)  # the subscription travels to the publisher
        actions = list(cls.tids)
        rng.shuffle(actions)
        for n, (tid, pin) in enumerate(actions[:12]):
            doc = db.complaints.find_one({"tracking_id": tid})
            ag = doc["agency"]["id"]
            if n % 4 == 0:
                status, _, body = agency("POST", ag, f"/{tid}/followups",
                                         {"text": "Sedang kami periksa di lapangan."})
                assert status == 200, body
            elif n % 4 == 1:
                agency("POST", ag, f"/{tid}/followups", {"text": "Tim sudah turun."})
                status, _, body = agency("POST", ag, f"/{tid}/status",
                                         {"status": "resolved", "text": "Sudah diperbaiki."})
                assert status == 200, body
            elif n % 4 == 2:
                status, _, body = agency("POST", ag, f"/{tid}/status",
                                         {"status": "resolved", "text": "Sudah selesai."})
                assert status == 200, body
                if pin:
                    http("POST", SYSTEM.intake_url(f"/api/v1/complaints/{tid}/accept"),
                         {"pin": pin, "rating": 4})
            else:
                status, _, body = admin(f"complaints/{tid}/not-authority",
                                        {"reason": "Bukan kewenangan instansi ini."})
                assert status in (200, 409), body

    @classmethod
    def tearDownClass(cls):
        if cls.feed.poll() is None:
            cls.feed.terminate()
            cls.feed.wait(10)
        cls.feed_out.close()
        cls.feed_err.close()

    def wait_rollups_equal_recount(self):
        db = SYSTEM.db
        for dim in DIMENSIONS:
            wait_until(lambda: counts(dim) == recount(db, dim), TIMEOUT_S,
                       f"stats by {dim} to equal the recount")

    def start_reporter_and_submit(self, n, title, body_text):
        """Starts the (stopped) reporter, submits n complaints once it listens and
        waits until it has recorded their submitted and disposed events in the
        ledger, unfolded. Returns the complaints' ids."""
        db = SYSTEM.db
        SYSTEM.start("reporter")
        time.sleep(2.5)  # it subscribes
        tids = []
        for i in range(n):
            region, category = CASES[i % len(CASES)]
            status, _, body = http("POST", SYSTEM.intake_url("/api/v1/complaints"), {
                "title": f"{title} {i}", "category": category, "region": region,
                "body": f"{body_text} {uuid.uuid4().hex}."})
            self.assertEqual(status, 201, body)
            tids.append(body["tracking_id"])
        ids = [str(d["_id"]) for d in db.complaints.find({"tracking_id": {"$in": tids}})]
        wait_until(lambda: db.stats_ledger.count_documents(
            {"complaint_id": {"$in": ids}, "batch": 0}) >= 2 * n, TIMEOUT_S,
            f"the submitted and disposed events of the {n} complaints in the ledger")
        return ids

    def test_a_rollups_equal_recount(self):
        db = SYSTEM.db
        # Let the sweeper settle every pending event first.
        wait_until(lambda: db.outbox.count_documents({"for": "reporter"})
                   == 0, TIMEOUT_S, "the reporter to take every event")
        self.wait_rollups_equal_recount()
        resolved_ever = sum(1 for d in db.complaints.find({}, {"history": 1})
                            if any(h["status"] == "resolved" for h in d["history"]))
        done = {}
        for d in db.complaints.find({}, {"reporter": 0}):
            a = (d.get("agency") or {}).get("id", "")
            done[a] = done.get(a, 0) + (d["status"] in ("resolved", "closed"))
        by_agency = {g["key"]: g for g in stats("agency")["groups"]}
        self.assertEqual({k: g["resolved"] for k, g in by_agency.items()}, done)
        total = stats("none")["groups"][0]
        self.assertEqual(total["durations_hours"]["resolve"]["count"], resolved_ever)
        self.assertEqual(total["on_time"] + total["late"], resolved_ever)
        self.assertEqual(total["durations_hours"]["dispose"]["count"], total["count"])
        self.assertIsNotNone(total["durations_hours"]["dispose"]["median"])

        # The rebuild from the complaints reaches the very same figures.
        before = {dim: stats(dim)["groups"] for dim in DIMENSIONS}
        res = SYSTEM.laporctl("stats", "rebuild")
        self.assertIn("rebuilt the statistics: 18 complaints", res.stdout)
        self.assertIn("complaints to read", res.stderr)
        after = {dim: stats(dim)["groups"] for dim in DIMENSIONS}
        self.assertEqual(after, before)
        # A later event is still counted once (its ledger entry is not marked).
        tid, _ = self.tids[-1]
        doc = db.complaints.find_one({"tracking_id": tid})
        if doc["status"] == "disposed":
            agency("POST", doc["agency"]["id"], f"/{tid}/followups", {"text": "Lanjut diperiksa."})
        self.wait_rollups_equal_recount()

    def test_b_filters_csv_and_bad_parameters(self):
        db = SYSTEM.db
        self.wait_rollups_equal_recount()
        paser = sum(1 for d in db.complaints.find({"region.code": {"$regex": r"^64\.01\."}}))
        self.assertEqual(stats("agency", "&region=64.01")["total"], paser)
        kes = db.complaints.count_documents({"category": "kesehatan"})
        self.assertEqual(stats("regency", "&category=kesehatan")["total"], kes)
        today = day_of(time.time() * 1000)
        self.assertEqual(stats("status", f"&from={today}&to={today}")["total"], 18)
        self.assertEqual(stats("status", "&to=2001-01-01")["total"], 0)
        self.assertEqual(stats("region", "&level=desa")["level"], "desa")
        self.assertEqual(counts("region", "&level=kecamatan"), recount(db, "district"))

        # CSV (by ?format and by Accept) parses back to the JSON figures.
        for extra, headers in (("&format=csv", None), ("", {"Accept": "text/csv"})):
            status, hdrs, text = reporter(f"/api/v1/stats?group_by=agency{extra}", headers)
            self.assertEqual(status, 200)
            self.assertTrue(hdrs["content-type"].startswith("text/csv"))
            rows = list(csv.DictReader(io.StringIO(text)))
            groups = stats("agency")["groups"]
            self.assertEqual(len(rows), len(groups))
            for row, g in zip(rows, groups):
                self.assertEqual(row["key"], g["key"])
                self.assertEqual(int(row["count"]), g["count"])
                self.assertEqual(int(row["resolved"]), g["resolved"])
                self.assertAlmostEqual(float(row["resolution_rate"]), g["resolution_rate"], 3)
                med = g["durations_hours"]["dispose"]["median"]
                self.assertAlmostEqual(float(row["dispose_median_h"] or -1),
                                       med if med is not None else -1, 2)

        for query, field in (("group_by=nope", "group_by"), ("from=2025-13-01", "from"),
                             ("to=yesterday", "to"), ("region=64..01", "region"),
                             ("channel=fax", "channel"), ("type=keluhan", "type"),
                             ("agency=%3Cscript%3E", "agency"), ("format=xml", "format"),
                             ("group_by=status&level=desa", "level"),
                             ("from=2025-02-01&to=2025-01-01", "to")):
            status, _, body = reporter(f"/api/v1/stats?{query}")
            self.assertEqual(status, 400, query)
            self.assertEqual(body["error"]["field"], field, query)

    def test_c_export_without_identity_or_secrets(self):
        status, hdrs, text = reporter("/api/v1/export.ndjson")
        self.assertEqual(status, 200)
        self.assertIn("ndjson", hdrs["content-type"])
        rows = [json.loads(line) for line in text.splitlines()]
        self.assertEqual(len(rows), 18)
        self.assertNotIn(CANARY, text)
        self.assertNotIn(CANARY.lower(), text)
        self.assertNotIn("08129876", text)
        self.assertNotIn(SECRET_MARK, text)
        self.assertNotIn("reporter", rows[0])
        for r in rows:
            if r["tracking_id"] in self.confidential:
                self.assertEqual((r["title"], r["body"]), ("", ""))
        status, _, text = reporter("/api/v1/export.csv?region=64.72")
        self.assertEqual(status, 200)
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(len(rows), SYSTEM.db.complaints.count_documents(
            {"region.code": {"$regex": r"^64\.72\."}}))
        self.assertTrue(all(r["region_code"].startswith("64.72.") for r in rows))
        self.assertNotIn(CANARY, text)
        self.assertNotIn(SECRET_MARK, text)
        status, _, body = reporter("/api/v1/export.csv?from=bad")
        self.assertEqual((status, body["error"]["field"]), (400, "from"))

    def test_d_feed_reports_the_gap_and_no_identity(self):
        db = SYSTEM.db

        def lines():
            self.feed_out.seek(0)
            return [json.loads(line) for line in self.feed_out.read().decode().splitlines()]

        # Every action after the subscriber joined arrives; the submissions before it
        # are reported as one gap from seq 1.
        self.feed_err.seek(0)
        wait_until(lambda: len([x for x in lines() if "event_id" in x]) >= 8, TIMEOUT_S,
                   "the feed to print the later events; its stderr: "
                   + self.feed_err.read().decode() + f"; stdout: {lines()}")
        out = lines()
        gaps = [x["gap"] for x in out if "gap" in x]
        self.assertTrue(gaps, out[:5])
        self.assertEqual(gaps[0]["from"], 1)
        self.assertGreaterEqual(gaps[0]["missed"], 1)
        events = [x for x in out if "event_id" in x]
        by_producer = collections.defaultdict(list)
        for e in events:
            by_producer[e["producer"]].append(e["seq"])
        for seqs in by_producer.values():
            self.assertEqual(seqs, list(range(seqs[0], seqs[0] + len(seqs))))
        ids = {e["event_id"] for e in events}
        stored = {e["id"] for d in db.complaints.find({}, {"events.id": 1}) for e in d["events"]}
        self.assertTrue(ids <= stored)
        text = json.dumps(out)
        self.assertNotIn(CANARY, text)
        self.assertNotIn(CANARY.lower(), text)
        self.assertNotIn("08129876", text)
        self.assertNotIn(SECRET_MARK, text)
        # What the gap missed can be fetched from the export by time.
        first = min(e["occurred_at_ms"] for e in events)
        status, _, text = reporter(f"/api/v1/export.ndjson?updated_since={first}")
        self.assertEqual(status, 200)
        self.assertGreater(len(text.splitlines()), 0)

    def test_e_outreach_visits_kit_and_impact(self):
        db = SYSTEM.db
        url = SYSTEM.reporter_url("/api/v1/outreach/visits")
        today = datetime.datetime.now(WITA).date()
        visit = {"village": "64.01.01.2009", "date": today.isoformat(), "people": 48,
                 "note": "Balai desa <b>ramai</b>"}
        status, _, body = http("POST", url, visit)
        self.assertEqual(status, 401, body)
        auth = {"Authorization": f"Bearer {ADMIN_KEY}"}
        status, _, body = http("POST", url, dict(visit, village="64.01"), auth)
        self.assertEqual((status, body["error"]["field"]), (400, "village"))
        status, _, body = http("POST", url, dict(visit, date="kemarin"), auth)
        self.assertEqual((status, body["error"]["field"]), (400, "date"))
        status, _, body = http("POST", url, visit, auth)
        self.assertEqual(status, 201, body)
        visit_id = body["id"]
        later = (today + datetime.timedelta(days=7)).isoformat()
        res = SYSTEM.laporctl("outreach", "add", "64.72.01.1001", later, "52", "Kelurahan kota")
        second_id = res.stdout.strip()
        self.assertRegex(second_id, r"^[0-9a-f]{24}$")
        listed = SYSTEM.laporctl("outreach", "list", "--json").stdout
        self.assertEqual({v["id"] for v in json.loads(listed)}, {visit_id, second_id})
        status, _, body = http("GET", url)
        self.assertEqual(len(body["visits"]), 2)

        # The kit: the SMS number and keywords, three web steps, a QR code that decodes
        # to the form with the village chosen.
        status, hdrs, page = http("GET", SYSTEM.reporter_url(f"/outreach/visits/{visit_id}/kit"))
        self.assertEqual(status, 200)
        self.assertIn("default-src 'none'", hdrs["content-security-policy"])
        for phrase in ("1708", "ketik keluhan Anda", "STATUS &lt;nomor&gt;", "BANTUAN", "@media print"):
            self.assertIn(phrase, page)
        self.assertEqual(page.count("<li>"), 6)
        want = f"http://127.0.0.1:8080/lapor?wilayah=64.01.01.2009&kunjungan={visit_id}"
        self.assertIn(want.replace("&", "&amp;"), page)
        matrix = qr_matrix(page)
        self.assertTrue(matrix[4][4] and matrix[4][10] and not matrix[0][0])  # finder, quiet zone
        if shutil.which("zbarimg"):
            with tempfile.NamedTemporaryFile(suffix=".png") as f:
                f.write(png_of(matrix))
                f.flush()
                decoded = subprocess.run(["zbarimg", "--raw", "-q", f.name], capture_output=True,
                                         text=True, timeout=30)
            self.assertEqual(decoded.stdout.strip(), want)
        status, _, _ = http("GET", SYSTEM.reporter_url("/outreach/visits/ffffffffffffffffffffffff/kit"))
        self.assertEqual(status, 404)

        # Impact: everything was submitted today, so the first visit (today) sees it
        # after, the second (in a week) before.
        status, _, impact = http("GET", SYSTEM.reporter_url("/api/v1/outreach/impact"))
        self.assertEqual(status, 200, impact)
        village_a = db.complaints.count_documents({"region.code": "64.01.01.2009"})
        village_b = db.complaints.count_documents({"region.code": "64.72.01.1001"})
        resolved_a = db.complaints.count_documents({"region.code": "64.01.01.2009",
                                                    "status": {"$in": ["resolved", "closed"]}})
        v = {x["id"]: x for x in impact["visits"]}
        self.assertEqual(v[visit_id]["after"]["submitted"], village_a)
        self.assertEqual(v[visit_id]["after"]["resolved"], resolved_a)
        self.assertEqual(v[visit_id]["before"]["submitted"], 0)
        self.assertEqual(v[second_id]["before"]["submitted"], village_b)
        self.assertEqual(v[second_id]["after"]["submitted"], 0)
        self.assertEqual(v[visit_id]["from_kit"], 0)
        self.assertEqual(impact["target"], {"regencies": 5, "villages": 10, "people": 500})
        self.assertEqual(impact["reached"], {"regencies": 2, "villages": 2, "people": 100,
                                             "visits": 2})
        paser = [r for r in impact["regencies"] if r["code"] == "64.01"][0]
        self.assertEqual((paser["villages_visited"], paser["people_reached"],
                          paser["target_villages"], paser["target_people"]), (1, 48, 2, 100))
        self.assertEqual(paser["after"]["submitted"], village_a)

    def test_f_dashboard(self):
        status, hdrs, page = http("GET", SYSTEM.reporter_url("/dasbor"))
        self.assertEqual(status, 200)
        self.assertTrue(hdrs["content-type"].startswith("text/html"))
        self.assertIn("default-src 'none'", hdrs["content-security-policy"])
        self.assertEqual(hdrs["x-content-type-options"], "nosniff")
        self.assertLess(len(page.encode()), 100 * 1024)
        self.assertIn('<html lang="id">', page)
        self.assertGreaterEqual(page.count("<svg"), 5)
        self.assertIn("Kabupaten Paser", page)
        self.assertIn("Pengaduan terbuka yang paling lama", page)
        self.assertNotIn(CANARY, page)
        self.assertNotIn(SECRET_MARK, page)
        self.assertNotIn("<b>ramai</b>", page)
        status, _, page = http("GET", SYSTEM.reporter_url("/?lang=en"))
        self.assertEqual(status, 200)
        self.assertIn("Slowest open complaints", page)

    def test_f_repeat_after_fold_neither_counted_nor_published(self):
        """An event heard again after its entry was folded (and left the ledger)
        meets its fold record: not counted twice, not published twice."""
        db = SYSTEM.db

        def published():
            self.feed_out.seek(0)
            return [json.loads(line) for line in self.feed_out.read().decode().splitlines()
                    if '"event_id"' in line]

        wait_until(lambda: published(), TIMEOUT_S, "the feed to print an event")
        event_id = published()[0]["event_id"]
        doc = db.complaints.find_one({"events.id": event_id}, {"_id": 1})
        wait_until(lambda: db.stats_folded.count_documents({"_id": event_id}) == 1
                   and db.stats_ledger.count_documents({"_id": event_id}) == 0, TIMEOUT_S,
                   "the event to be folded and its entry to leave the ledger")
        # The event again, as a sweeper hands it over when an acknowledgement was lost.
        db.outbox.insert_one({"_id": f"{event_id}:reporter", "complaint": str(doc["_id"]),
                              "event": event_id, "for": "reporter", "since": 0})
        wait_until(lambda: db.outbox.count_documents({"_id": f"{event_id}:reporter"}) == 0,
                   TIMEOUT_S, "the reporter's sweeper to take the event")
        wait_until(lambda: db.stats_ledger.count_documents({"_id": event_id}) == 0, TIMEOUT_S,
                   "the next fold to delete the repeated entry")
        time.sleep(1)
        self.assertEqual([e["event_id"] for e in published()].count(event_id), 1,
                         "the repeated event was published again")
        self.assertEqual(db.stats_folded.count_documents({"_id": event_id}), 1)
        self.wait_rollups_equal_recount()

    def test_g_compactor_replays_an_open_batch(self):
        """A compactor that died in the middle of a batch (the batch and its ids
        recorded, a fold record written for some of its entries, some tagged the
        way entries were before fold records) is replayed by _id by the next one:
        counted once, every entry recorded as folded by that batch, and nothing of
        it left in the ledger afterwards."""
        db = SYSTEM.db
        env = SYSTEM.extra_env
        # A reporter that records events but does not fold (no sweep for an hour).
        self.assertEqual(SYSTEM.stop("reporter"), 0)
        env["LAPOR_SWEEP_MS"] = "3600000"
        try:
            ids = self.start_reporter_and_submit(6, "Keluhan ulang", "Uji pemulihan pemadat")
            self.assertEqual(SYSTEM.stop("reporter"), 0)
        finally:
            env.pop("LAPOR_SWEEP_MS", None)
        # The stopped reporter's unfolded entries (it keeps them in memory only).
        marks = [d["_id"] for d in db.stats_ledger.find(
            {"complaint_id": {"$in": ids}, "batch": 0})]
        self.assertGreaterEqual(len(marks), 12)
        meta = db.stats_meta.find_one({"_id": "compactor"})
        b = meta["next_batch"]
        quarter = len(marks) // 4
        recorded, tagged = marks[:quarter], marks[quarter:2 * quarter]
        db.stats_folded.insert_many([{"_id": m, "batch": b} for m in recorded])
        db.stats_ledger.update_many({"_id": {"$in": tagged}}, {"$set": {"batch": b}})
        db.stats_meta.update_one({"_id": "compactor"}, {"$set": {
            "open_batch": b, "next_batch": b + 1, "open_ids": marks,
            "lease": {"owner": "reporter-that-died", "until": 0}}})
        SYSTEM.start("reporter")
        # The replay writes the fold records the crash did not, adds the batch's sums,
        # deletes its entries and closes the batch last.
        wait_until(lambda: db.stats_meta.find_one({"_id": "compactor"})["open_batch"] == 0,
                   TIMEOUT_S, "the replayed batch to be closed")
        self.assertEqual(db.stats_folded.count_documents({"_id": {"$in": marks}, "batch": b}),
                         len(marks))
        self.assertEqual(db.stats_ledger.count_documents({"_id": {"$in": marks}}), 0)
        self.wait_rollups_equal_recount()

    def test_h_entry_held_in_memory_and_folded_elsewhere_is_not_counted(self):
        """A reporter folds the entries it wrote from the copies it keeps, without
        reading them back; one that another compactor folded meanwhile (its fold
        record written, its entry gone) is not counted again."""
        db = SYSTEM.db
        env = SYSTEM.extra_env

        def total():
            return sum(counts("day").values())

        self.wait_rollups_equal_recount()
        before = total()
        self.assertEqual(SYSTEM.stop("reporter"), 0)
        # Its first sweep (a scan of the ledger) 8 s after start, the next (its own
        # entries, from memory) 8 s later.
        env["LAPOR_SWEEP_MS"] = "8000"
        try:
            started = time.monotonic()
            ids = self.start_reporter_and_submit(4, "Keluhan dilipat", "Uji lipatan di tempat lain")
            # Another compactor folds them now: records first, then the entries go.
            entries = [d["_id"] for d in db.stats_ledger.find({"complaint_id": {"$in": ids}})]
            meta = db.stats_meta.find_one_and_update(
                {"_id": "compactor"}, {"$inc": {"next_batch": 1}})
            db.stats_folded.insert_many([{"_id": e, "batch": meta["next_batch"]}
                                         for e in entries])
            db.stats_ledger.delete_many({"_id": {"$in": entries}})
            self.assertLess(time.monotonic() - started, 7.5,
                            "too slow: the reporter's first sweep may have folded them")
            time.sleep(max(0.0, started + 19 - time.monotonic()))  # both sweeps done
            # That compactor's sums are not in the roll-ups (this test wrote none):
            # counted by this reporter, the four complaints would show.
            self.assertEqual(total(), before)
        finally:
            self.assertEqual(SYSTEM.stop("reporter"), 0)
            env.pop("LAPOR_SWEEP_MS", None)
            SYSTEM.start("reporter")
            SYSTEM.laporctl("stats", "rebuild")
        self.wait_rollups_equal_recount()


if __name__ == "__main__":
    unittest.main()
