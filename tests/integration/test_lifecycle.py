"""The complaint's life after submission: the classifier, the triage desk, "not our
authority", escalation on a missed deadline (placed in the past, across Idul Fitri),
the verification deadline, and automatic closure."""

import datetime
import json
import shutil
import tempfile
import time
import unittest
from pathlib import Path

from harness import REPO, System, SystemTestCase, http, wait_until

SYSTEM = None
KEY = None
SECRET = "lifecycle-secret-0123456789"
WITA = datetime.timezone(datetime.timedelta(hours=8))


def ms(dt):
    return int(dt.timestamp() * 1000)


def setUpModule():
    global SYSTEM, KEY
    SYSTEM = System(extra_env={"LAPOR_DEADLINE_EVERY_MS": "300",
                               "LAPOR_REFDATA_EVERY_MS": "1000"})
    SYSTEM.__enter__()
    KEY = SYSTEM.laporctl("admin-key", "add", "Koordinator Uji").stdout.strip()


def tearDownModule():
    if SYSTEM is not None:
        SYSTEM.__exit__(None, None, None)


def submit(title, body, region="64.01.01.2009", category=None):
    doc = {"title": title, "body": body, "region": region}
    if category:
        doc["category"] = category
    status, _, answer = http("POST", SYSTEM.intake_url("/api/v1/complaints"), doc)
    assert status == 201, answer
    return answer["tracking_id"]


def doc_of(tid):
    return SYSTEM.db.complaints.find_one({"tracking_id": tid})


def admin(method, path, body=None, key=None):
    headers = {"Authorization": f"Bearer {key or KEY}"}
    return http(method, SYSTEM.intake_url("/api/v1/admin/" + path), body, headers)


def wait_status(tid, status, timeout=20):
    return wait_until(lambda: (d := doc_of(tid)) and d["status"] == status and d, timeout,
                      f"{tid} to become {status}")


def wait_triage(tid):
    return wait_until(lambda: (d := doc_of(tid)) and "triage" in d and d, 20,
                      f"{tid} to reach the triage desk")


class LifecycleTest(SystemTestCase):
    def test_classifier_disposes_free_text(self):
        tid = submit("jln rusak parah", "Jalan rusak dan berlubang di desa kami, aspal hancur.")
        d = wait_status(tid, "disposed")
        self.assertEqual(d["category"], "infrastruktur")
        self.assertEqual(d["category_source"], "classifier")
        self.assertEqual(d["agency"]["id"], "paser-dpupr")

    def test_triage_desk(self):
        tid = submit("Pertanyaan warga", "Saya ingin menyampaikan sesuatu kepada pemerintah.")
        d = wait_triage(tid)
        self.assertEqual(d["status"], "received")
        self.assertNotIn("agency", d)

        # Without a coordinator key: 401, and nothing changes.
        for key in ("lpk_" + "x" * 43, "nonsense"):
            status, _, body = admin("GET", "triage", key=key)
            self.assertEqual(status, 401, body)
            self.assertEqual(body["error"]["field"], "Authorization")
        status, _, body = http("POST", SYSTEM.intake_url(f"/api/v1/admin/complaints/{tid}/dispose"),
                               {"category": "kesehatan"})
        self.assertEqual(status, 401, body)

        status, _, body = admin("GET", "triage")
        self.assertEqual(status, 200, body)
        self.assertIn(tid, [c["tracking_id"] for c in body["complaints"]])

        # Bad input to the desk is refused with the field named.
        for payload, field in (({"category": "sihir"}, "category"),
                               ({"category": {"$gt": ""}}, "category"),
                               ({"agency_id": "no-such-agency", "category": "kesehatan"},
                                "agency_id"),
                               ({"priority": "high"}, "priority")):
            status, _, body = admin("POST", f"complaints/{tid}/dispose", payload)
            self.assertEqual(status, 400, body)
            self.assertEqual(body["error"]["field"], field, body)
        self.assertEqual(doc_of(tid)["status"], "received")

        status, _, body = admin("POST", f"complaints/{tid}/dispose", {"category": "kesehatan"})
        self.assertEqual(status, 200, body)
        d = doc_of(tid)
        self.assertEqual((d["status"], d["agency"]["id"], d["category"]),
                         ("disposed", "paser-dinkes", "kesehatan"))
        self.assertNotIn("triage", d)
        self.assertEqual(d["history"][-1]["actor"], "triage:Koordinator Uji")
        # Disposing again is a conflict, not a second disposition.
        status, _, body = admin("POST", f"complaints/{tid}/dispose", {"category": "kesehatan"})
        self.assertEqual(status, 409, body)
        self.assertEqual(sum(h["status"] == "disposed" for h in doc_of(tid)["history"]), 1)

    def test_postpone_and_archive(self):
        a = submit("Pertanyaan pertama", "Mohon informasi mengenai hal yang saya alami.")
        b = submit("Pertanyaan kedua", "Mohon informasi mengenai hal lain yang saya alami.")
        wait_triage(a)
        wait_triage(b)
        status, _, body = admin("POST", f"complaints/{a}/postpone", {"question": "x"})
        self.assertEqual((status, body["error"]["field"]), (400, "question"))
        status, _, body = admin("POST", f"complaints/{a}/postpone",
                                {"question": "Di desa mana kejadiannya, dan kapan?"})
        self.assertEqual(status, 200, body)
        d = doc_of(a)
        self.assertEqual(d["status"], "postponed")
        self.assertEqual(d["question"]["text"], "Di desa mana kejadiannya, dan kapan?")

        status, _, body = admin("POST", f"complaints/{b}/archive", {"reason": "boring"})
        self.assertEqual((status, body["error"]["field"]), (400, "reason"))
        status, _, body = admin("POST", f"complaints/{b}/archive", {"reason": "spam"})
        self.assertEqual(status, 200, body)
        self.assertEqual((doc_of(b)["status"], doc_of(b)["archive_reason"]), ("archived", "spam"))
        status, _, body = admin("POST", "complaints/1234567890/archive", {"reason": "spam"})
        self.assertEqual(status, 404, body)

    def test_not_our_authority_redisposes_elsewhere(self):
        tid = submit("Puskesmas tutup", "Puskesmas di desa kami tutup sejak seminggu lalu.",
                     category="kesehatan")
        wait_status(tid, "disposed")
        self.assertEqual(doc_of(tid)["agency"]["id"], "paser-dinkes")
        status, _, body = admin("POST", f"complaints/{tid}/not-authority",
                                {"reason": "Puskesmas ini dikelola provinsi"})
        self.assertEqual(status, 200, body)
        d = wait_until(lambda: (d := doc_of(tid)) and d["status"] == "disposed" and
                       d["agency"]["id"] != "paser-dinkes" and d, 20, "a new disposition")
        self.assertIn("paser-dinkes", d["excluded_agencies"])
        self.assertEqual([h["status"] for h in d["history"]],
                         ["received", "disposed", "received", "disposed"])
        # Its own fallback at the next level covers the category: never paser-dinkes again.
        self.assertIn(d["agency"]["id"], ("paser-diskominfo", "kaltim-dinkes"))

    def test_escalation_across_idul_fitri(self):
        receiver = SYSTEM.webhook_receiver()
        for agency in ("paser-dinsos", "kaltim-dinsos"):
            SYSTEM.laporctl("agency-webhook", "set", agency, receiver.url, SECRET)
        tid = submit("Bansos tidak cair", "Bantuan sosial PKH keluarga kami tidak cair.",
                     category="bansos")
        wait_status(tid, "disposed")
        # Place the disposition in the past: Tuesday 17 March 2026, 09:00 WITA. Idul
        # Fitri leave closes 18-24 March, so 5 working days end Tuesday 31 March.
        disposed_at = datetime.datetime(2026, 3, 17, 9, 0, tzinfo=WITA)
        deadline = datetime.datetime(2026, 3, 31, 23, 59, 59, 999000, tzinfo=WITA)
        SYSTEM.db.complaints.update_one({"tracking_id": tid}, {"$set": {
            "disposed_at": ms(disposed_at), "deadline_at": ms(deadline)}})
        d = wait_until(lambda: (d := doc_of(tid)) and d.get("escalation_level") == 1 and d, 20,
                       "the escalation")
        self.assertEqual(d["agency"]["id"], "kaltim-dinsos")
        self.assertEqual(d["status"], "disposed")
        self.assertGreater(d["deadline_at"], int(time.time() * 1000))
        self.assertEqual(d["events"][-1]["type"], "complaint.deadline_missed")
        # Both agencies hear of it, once each.
        hooks = wait_until(lambda: (h := [json.loads(r["body"]) for r in receiver.requests
                                          if json.loads(r["body"])["type"] ==
                                          "complaint.deadline_missed"]) and len(h) >= 2 and h,
                           20, "two escalation webhooks")
        time.sleep(1)
        hooks = [json.loads(r["body"]) for r in receiver.requests
                 if json.loads(r["body"])["type"] == "complaint.deadline_missed"]
        self.assertEqual(len(hooks), 2, hooks)
        self.assertEqual(hooks[0]["escalation"]["from"], "paser-dinsos")
        self.assertEqual(hooks[0]["escalation"]["to"], "kaltim-dinsos")
        self.assertEqual(hooks[0]["escalation"]["missed_deadline_at"], "2026-03-31T15:59:59Z")
        recipients = {n["recipient"]["id"] for n in SYSTEM.db.notifications.find(
            {"type": "complaint.deadline_missed", "tracking_id": tid})}
        self.assertEqual(recipients, {"paser-dinsos", "kaltim-dinsos"})
        # Escalated once: the new deadline is in the future, so no second escalation.
        time.sleep(1.5)
        self.assertEqual(doc_of(tid)["escalation_level"], 1)

    def test_verification_overdue_is_flagged(self):
        tid = submit("Hal lain lagi", "Saya ingin menyampaikan pendapat saya tentang desa.")
        wait_triage(tid)
        SYSTEM.db.complaints.update_one({"tracking_id": tid},
                                        {"$set": {"dispose_by": ms(datetime.datetime(
                                            2026, 3, 20, tzinfo=WITA))}})
        d = wait_until(lambda: (d := doc_of(tid)) and d.get("dispose_overdue") and d, 20,
                       "the overdue flag")
        self.assertEqual(d["status"], "received")
        self.assertEqual(d["events"][-1]["type"], "complaint.deadline_missed")

    def test_auto_close_after_ten_working_days(self):
        fresh = submit("Lampu jalan mati", "Lampu penerangan jalan utama mati sebulan.",
                       category="infrastruktur")
        old = submit("Jembatan retak", "Jembatan kayu di dusun kami retak dan berbahaya.",
                     category="infrastruktur")
        for tid in (fresh, old):
            wait_status(tid, "disposed")
        now = datetime.datetime.now(WITA)
        # As if the agency had resolved them: one today, one 20 calendar days ago.
        for tid, when in ((fresh, now), (old, now - datetime.timedelta(days=20))):
            SYSTEM.db.complaints.update_one({"tracking_id": tid}, {"$set": {
                "status": "resolved", "resolved_at": ms(when)}})
        d = wait_status(old, "closed")
        self.assertIn("10 hari kerja", d["history"][-1]["note"])
        self.assertEqual(d["events"][-1]["type"], "complaint.status")
        time.sleep(1)
        self.assertEqual(doc_of(fresh)["status"], "resolved")

    def test_village_funds_go_to_the_village_government(self):
        tid = submit("Dana desa", "Penggunaan dana desa tahun ini tidak diumumkan.",
                     category="dana-desa")
        d = wait_status(tid, "disposed")
        self.assertEqual(d["agency"]["id"], "desa-64-01-01-2009")
        self.assertEqual(d["agency"]["name"], "Pemerintah Desa Samurangau")


class ReferenceDataTest(SystemTestCase):
    def test_new_holidays_apply_without_a_restart(self):
        def dispose_by():
            tid = submit("Puskesmas tutup", "Puskesmas di desa kami tutup sejak kemarin.",
                         category="kesehatan")
            return doc_of(tid)["dispose_by"]

        before = dispose_by()
        # Declare the next five weekdays holidays, as a new decree imported later would.
        day, added = datetime.datetime.now(WITA).date(), 0
        while added < 5:
            day += datetime.timedelta(days=1)
            if day.weekday() < 5:
                SYSTEM.db.holidays.update_one({"_id": day.isoformat()}, {"$set": {
                    "name": "Libur uji", "kind": "cuti_bersama"}}, upsert=True)
                added += 1
        try:
            # A reload may fall between two of the writes above: wait for all five.
            after = wait_until(lambda: (v := dispose_by()) >= before + 7 * 86400000 and v, 20,
                               "intake to use the new holidays")
            self.assertLess(after - before, 9 * 86400000)
        finally:
            SYSTEM.db.holidays.delete_many({"name": "Libur uji"})

    def test_export_round_trip(self):
        out = Path(tempfile.mkdtemp(prefix="lapor-export-"))
        try:
            SYSTEM.laporctl("export", "--data", str(out))
            data = REPO / "deploy" / "data"
            for f in ("wilayah-64-kaltim.csv", "categories.csv", "keywords.csv",
                      "agencies.csv", "routing_rules.csv", "libur-nasional-2025-2027.csv"):
                got = (out / f).read_text(encoding="utf-8").splitlines()
                want = (data / f).read_text(encoding="utf-8").splitlines()
                self.assertEqual(got[0], want[0], f"{f}: header")
                self.assertEqual(sorted(got[1:]), sorted(want[1:]), f"{f}: rows")
            self.assertNotIn("webhook", (out / "agencies.csv").read_text())
            before = {c: SYSTEM.db[c].count_documents({}) for c in ("regions", "agencies")}
            SYSTEM.laporctl("import", "--data", str(out))  # idempotent: nothing new
            self.assertEqual(before, {c: SYSTEM.db[c].count_documents({}) for c in before})
        finally:
            shutil.rmtree(out, ignore_errors=True)

    def test_bad_rows_are_refused_with_the_line(self):
        bad = Path(tempfile.mkdtemp(prefix="lapor-bad-"))
        try:
            for f in (REPO / "deploy" / "data").glob("*.csv"):
                shutil.copy(f, bad / f.name)
            with open(bad / "agencies.csv", "a", encoding="utf-8") as out:
                out.write("new-office,Kantor Baru,regency,64.99,kesehatan,kaltim-dinkes,,\n")
                out.write("other-office,Kantor Lain,galaxy,64.01,sihir,nobody,,\n")
            res = SYSTEM.laporctl("import", "--data", str(bad), check=False)
            self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
            lines = len((bad / "agencies.csv").read_text().splitlines())
            self.assertIn(f"agencies.csv:{lines - 1}: region_prefix", res.stderr)
            self.assertIn(f"agencies.csv:{lines}: level", res.stderr)
            self.assertIsNone(SYSTEM.db.agencies.find_one({"_id": "new-office"}),
                              "a file with errors was partly imported")
        finally:
            shutil.rmtree(bad, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
