"""The SMS channel end to end with a real Kannel: citizens' SMS through bearerbox's
fake SMSC and smsbox into intake's /sms/inbound, answers through the notifier,
Kannel's sendsms and back to fakesmsc. Needs the Debian packages kannel and
kannel-extras (ctest label `kannel`)."""

import json
import os
import secrets
import shutil
import tempfile
import time
import unittest
import urllib.parse
import uuid

import kannel as kannel_mod
from harness import System, SystemTestCase, http, wait_until

SYSTEM = None
KANNEL = None
TMP = None
KEY = None
TOKEN = secrets.token_hex(12)
SENDER = "1708"


def setUpModule():
    global SYSTEM, KANNEL, TMP, KEY
    if not kannel_mod.available():
        raise unittest.SkipTest("Kannel is not installed (apt-get install kannel kannel-extras)")
    TMP = tempfile.mkdtemp(prefix="lapor-sms-")
    KANNEL = kannel_mod.Kannel(TMP, intake_url="", token=TOKEN, sender=SENDER)
    SYSTEM = System(extra_env={
        "LAPOR_SMS_SENDSMS_URL": KANNEL.sendsms_url,
        "LAPOR_SMS_USERNAME": KANNEL.username,
        "LAPOR_SMS_PASSWORD": KANNEL.password,
        "LAPOR_SMS_SENDER": SENDER,
        "LAPOR_SMS_INBOUND_TOKEN": TOKEN,
        "LAPOR_NOTIFY_BACKOFF_MS": "500",
    })
    SYSTEM.__enter__()
    try:
        KANNEL.intake_url = SYSTEM.intake_url("").rstrip("/")
        KANNEL.start()
        KEY = SYSTEM.laporctl("admin-key", "add", "Koordinator SMS").stdout.strip()
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    if KANNEL is not None:
        KANNEL.close()
    if SYSTEM is not None:
        SYSTEM.__exit__(None, None, None)
    if TMP and os.environ.get("LAPOR_KEEP_TMP") != "1":
        shutil.rmtree(TMP, ignore_errors=True)


def phone():
    """A fresh mobile number: (as typed "08..", normalised "+628..")."""
    digits = "81" + "".join(secrets.choice("0123456789") for _ in range(9))
    return "0" + digits, "+62" + digits


def inbound(sender, text, sms_id=None, token=TOKEN):
    """Calls intake's /sms/inbound as smsbox does; returns (status, body, id)."""
    sms_id = sms_id or str(uuid.uuid4())
    query = urllib.parse.urlencode({"from": sender, "to": SENDER, "text": text, "id": sms_id,
                                    "ts": "2026-11-28 08:00:00", "token": token})
    status, _, body = http("GET", SYSTEM.intake_url("/sms/inbound?" + query))
    return status, body, sms_id


def inbound_raw(sender, raw_text_query, sms_id=None):
    sms_id = sms_id or str(uuid.uuid4())
    query = (f"from={urllib.parse.quote(sender)}&to={SENDER}&text={raw_text_query}"
             f"&id={sms_id}&token={TOKEN}")
    status, _, body = http("GET", SYSTEM.intake_url("/sms/inbound?" + query))
    return status, body, sms_id


def sms_to(number, contains, timeout=30):
    return KANNEL.wait_for(lambda m: m.to == number and contains in m.text, timeout,
                           f"an SMS to {number} containing {contains!r}")


def complaint_by_text(text):
    return SYSTEM.db.complaints.find_one({"body": text})


def wait_complaint(text):
    return wait_until(lambda: complaint_by_text(text), 30, f"a complaint with body {text!r}")


class SmsTest(SystemTestCase):
    system = None

    def setUp(self):
        SmsTest.system = SYSTEM

    def tearDown(self):
        # Intake and notifier must still be alive after whatever a test sent.
        for name in ("intake", "notifier"):
            self.assertTrue(SYSTEM.running(name), f"{name} died")

    # -- complaints ---------------------------------------------------------------------

    def test_free_text_becomes_a_sealed_complaint_and_the_id_comes_back(self):
        typed, number = phone()
        text = "Jalan di desa Samurangau rusak parah dan berlubang sejak banjir"
        KANNEL.inject(typed, text)
        doc = wait_complaint(text)
        self.assertEqual(doc["channel"], "sms")
        self.assertEqual(doc["type"], "pengaduan")
        self.assertEqual(doc["region"]["code"], "64.01.01.2009")
        self.assertTrue(doc["title"].startswith("Jalan di desa Samurangau"))
        self.assertIsInstance(doc["reporter"]["sealed"], bytes)
        self.assertEqual(len(doc["reporter"]["lookup"]["phone"]), 64)
        # The number is nowhere in clear: not in the complaint, not in the outbox.
        self.assertNotIn(number[3:], repr(doc))
        for note in SYSTEM.db.notifications.find({"tracking_id": doc["tracking_id"]}):
            self.assertNotIn(number[3:], repr(note))
        sms = sms_to(number, doc["tracking_id"])
        self.assertEqual(sms.sender, SENDER)
        self.assertIn("diterima", sms.text)

    def test_type_words_and_unknown_places(self):
        typed, number = phone()
        text = "tolong bangun taman bermain untuk anak-anak di kampung kami"
        KANNEL.inject(typed, "ASPIRASI " + text)
        doc = wait_complaint(text)
        self.assertEqual(doc["type"], "aspirasi")
        self.assertEqual(doc["region"]["code"], "64")
        sms_to(number, doc["tracking_id"])

    def test_same_kannel_id_twice_is_one_complaint(self):
        typed, number = phone()
        text = "Lampu penerangan jalan mati total di kecamatan Batu Sopang"
        status1, body1, sms_id = inbound(typed, text)
        status2, body2, _ = inbound(typed, text, sms_id)
        self.assertEqual((status1, body1), (200, ""))
        self.assertEqual((status2, body2), (200, ""))
        docs = list(SYSTEM.db.complaints.find({"body": text}))
        self.assertEqual(len(docs), 1)
        self.assertEqual(docs[0]["region"]["code"], "64.01.01")
        # And a repeated STATUS queues one answer.
        tid = docs[0]["tracking_id"]
        _, _, sid = inbound(typed, f"STATUS {tid}")
        inbound(typed, f"STATUS {tid}", sid)
        self.assertEqual(SYSTEM.db.notifications.count_documents({"_id": f"sms:{sid}:reply"}), 1)

    def test_phone_formats_are_one_reporter(self):
        typed, number = phone()
        digits = number[3:]
        texts = ["Sampah menumpuk di pasar dan tidak diangkut seminggu",
                 "Air PDAM mati tiga hari berturut-turut di rumah kami",
                 "Sekolah dasar kekurangan guru kelas sejak awal semester"]
        for sender, text in zip(("0" + digits, "62" + digits, "+62" + digits), texts):
            self.assertEqual(inbound(sender, text)[0], 200)
        lookups = {wait_complaint(t)["reporter"]["lookup"]["phone"] for t in texts}
        self.assertEqual(len(lookups), 1)
        for t in texts:
            sms_to(number, wait_complaint(t)["tracking_id"])

    def test_long_multipart_sms_is_joined(self):
        typed, number = phone()
        part1 = ("Jembatan kayu penghubung dua dusun di desa Samurangau sudah lapuk dan "
                 "papan lantainya banyak yang patah sehingga anak sekolah harus ")
        part2 = "memutar jauh lewat jalan tambang yang berbahaya setiap pagi."
        KANNEL.inject_parts(typed, [part1, part2], ref=secrets.randbelow(200) + 1)
        joined = part1 + part2
        doc = wait_until(lambda: SYSTEM.db.complaints.find_one(
            {"body": {"$regex": "memutar jauh lewat jalan tambang"}}), 40, "the joined complaint")
        self.assertEqual(" ".join(doc["body"].split()), " ".join(joined.split()))
        sms_to(number, doc["tracking_id"])

    # -- commands ----------------------------------------------------------------------

    def test_status_answers_in_plain_words(self):
        typed, number = phone()
        text = "Puskesmas di desa Samurangau tutup sejak seminggu, warga harus ke kota"
        KANNEL.inject(typed, text)
        tid = wait_complaint(text)["tracking_id"]
        sms_to(number, tid)
        KANNEL.inject(typed, f"status {tid[:4]}-{tid[4:]}")
        sms = sms_to(number, f"LAPOR {tid}:")
        self.assertTrue("diterima" in sms.text or "diteruskan" in sms.text, sms.text)
        self.assertLessEqual(len(sms.text), 160)
        # A wrong ID gets a polite SMS.
        KANNEL.inject(typed, "STATUS 1234567890")
        sms_to(number, "tidak kami temukan")

    def test_bantuan_explains_the_service(self):
        typed, number = phone()
        KANNEL.inject(typed, "BANTUAN")
        sms = sms_to(number, "BALAS <nomor lacak>")
        self.assertIn("STATUS <nomor lacak>", sms.text)
        self.assertGreaterEqual(sms.parts, 2)  # joined from Kannel's concatenated parts
        KANNEL.inject(typed, "info")
        wait_until(lambda: len([m for m in KANNEL.messages_to(number)
                                if "BALAS <nomor lacak>" in m.text]) >= 2, 30, "a second help")

    def test_balas_answers_a_postponed_complaint(self):
        typed, number = phone()
        text = "Saya ingin menyampaikan sesuatu kepada pemerintah daerah kami."
        KANNEL.inject(typed, text)
        doc = wait_complaint(text)
        tid = doc["tracking_id"]
        wait_until(lambda: "triage" in complaint_by_text(text), 30, "the triage desk")
        status, _, answer = http("POST",
                                 SYSTEM.intake_url(f"/api/v1/admin/complaints/{tid}/postpone"),
                                 {"question": "Di mana tepatnya lokasinya?"},
                                 {"Authorization": f"Bearer {KEY}"})
        self.assertEqual(status, 200, answer)
        sms_to(number, "BALAS")  # the question reaches the reporter

        # Someone else cannot answer for the reporter.
        other_typed, other = phone()
        KANNEL.inject(other_typed, f"BALAS {tid} ini bukan pengaduan saya")
        sms_to(other, "tidak kami temukan")
        self.assertEqual(complaint_by_text(text)["status"], "postponed")

        # The reporter answers, from the same phone written another way.
        KANNEL.inject("62" + number[3:], f"BALAS {tid} Lokasinya di RT 05 dekat masjid")
        sms_to(number, "jawaban Anda sudah kami teruskan")
        doc = complaint_by_text(text)
        self.assertIn(doc["status"], ("received", "disposed"))
        self.assertNotIn("question", doc)
        self.assertEqual(doc["reporter_replies"][-1]["text"], "Lokasinya di RT 05 dekat masjid")
        self.assertEqual(doc["reporter_replies"][-1]["channel"], "sms")
        self.assertIn("reporter:sms", [h["actor"] for h in doc["history"]])
        # Writing again adds information to the open complaint.
        KANNEL.inject(typed, f"BALAS {tid} tambahan: dekat sekolah dasar")
        wait_until(lambda: len(complaint_by_text(text)["reporter_replies"]) == 2, 30,
                   "the added information")
        self.assertIn("Pelapor menambahkan keterangan",
                      [h.get("note") for h in complaint_by_text(text)["history"]])

    def test_terima_and_tolak(self):
        typed, number = phone()
        text = "Lampu penerangan jalan di desa Samurangau mati sejak sebulan lalu."
        KANNEL.inject(typed, text)
        doc = wait_complaint(text)
        tid = doc["tracking_id"]
        now_ms = int(time.time() * 1000)
        resolved = {"$set": {"status": "resolved", "resolved_at": now_ms,
                             "agency": {"id": "paser-dpupr", "name": "Dinas PUPR Paser"}}}
        wait_until(lambda: complaint_by_text(text)["status"] != "received" or
                   "triage" in complaint_by_text(text), 30, "the router to look at it")
        SYSTEM.db.complaints.update_one({"tracking_id": tid}, resolved)
        # Someone else cannot reject it.
        other_typed, other = phone()
        KANNEL.inject(other_typed, f"TOLAK {tid} bukan saya")
        sms_to(other, "tidak kami temukan")
        KANNEL.inject(typed, f"TOLAK {tid} lampunya masih mati")
        sms_to(number, "dibuka kembali")
        doc = complaint_by_text(text)
        self.assertEqual(doc["status"], "reopened")
        self.assertEqual(doc["reopen_reason"], "lampunya masih mati")
        self.assertGreater(doc["deadline_at"], now_ms)
        SYSTEM.db.complaints.update_one({"tracking_id": tid}, resolved)
        KANNEL.inject("+62" + number[3:], f"TERIMA {tid} 4")
        sms_to(number, "pengaduan ditutup")
        doc = complaint_by_text(text)
        self.assertEqual((doc["status"], doc["rating"]["score"]), ("closed", 4))
        # Accepting again is refused politely.
        KANNEL.inject(typed, f"TERIMA {tid}")
        sms_to(number, "belum dapat diterima")

    # -- bad input ---------------------------------------------------------------------

    def test_bad_input_gets_a_polite_sms(self):
        typed, number = phone()
        KANNEL.inject(typed, "")
        sms_to(number, "BALAS <nomor lacak>")  # empty: how to use the service
        KANNEL.inject(typed, "$gt")
        sms_to(number, "terlalu pendek")
        KANNEL.inject_data(typed, "jalan \udcff\udcfe rusak".encode("utf-8", "surrogateescape"))
        sms_to(number, "tidak terbaca")
        before = SYSTEM.db.complaints.count_documents({})
        # Straight to intake: 2 KB of noise, invalid UTF-8, operators, no token.
        garbage = "".join(secrets.choice("abc{}$<>%&;'\"\\ ") for _ in range(2048))
        self.assertEqual(inbound(typed, garbage)[0], 200)
        self.assertEqual(inbound_raw(typed, "%FF%FE%00%C0%AF")[0], 200)
        self.assertEqual(inbound_raw(typed, "x&text[$gt]=1")[0], 200)
        self.assertEqual(inbound(typed, "STATUS", token="wrong")[0], 403)
        self.assertEqual(http("GET", SYSTEM.intake_url("/sms/inbound?from=0812&text=hi"))[0], 403)
        self.assertEqual(inbound("not-a-phone", "Jalan rusak parah sekali di desa")[0], 200)
        sms_to(number, "terlalu panjang")
        self.assertEqual(SYSTEM.db.complaints.count_documents({}), before)
        # Query-shaped text is stored as the text it is.
        self.assertEqual(inbound(typed, '{"$gt": ""} jalan rusak')[0], 200)
        doc = wait_complaint('{"$gt": ""} jalan rusak')
        self.assertEqual(doc["channel"], "sms")

    # -- delivery ----------------------------------------------------------------------

    def test_without_gateway_sms_wait_then_go(self):
        env = SYSTEM.extra_env
        SYSTEM.stop("notifier")
        saved = env.pop("LAPOR_SMS_SENDSMS_URL")
        try:
            SYSTEM.start("notifier")
            typed, number = phone()
            _, _, sid = inbound(typed, "BANTUAN")
            note_id = f"sms:{sid}:reply"
            note = wait_until(lambda: (n := SYSTEM.db.notifications.find_one({"_id": note_id}))
                              and n.get("last_error") and n, 20, "the SMS to wait")
            self.assertEqual(note["state"], "pending")
            self.assertEqual(note["attempts"], 0)
            self.assertIn("LAPOR_SMS_SENDSMS_URL", note["last_error"])
        finally:
            SYSTEM.stop("notifier")
            env["LAPOR_SMS_SENDSMS_URL"] = saved
            SYSTEM.start("notifier")
        sms_to(number, "BALAS <nomor lacak>")
        wait_until(lambda: SYSTEM.db.notifications.find_one({"_id": note_id})["state"] == "sent",
                   20, "the SMS to be sent")

    def test_kannel_down_is_retried_and_delivered_once(self):
        typed, number = phone()
        KANNEL.stop_smsbox()
        try:
            _, _, sid = inbound(typed, "help")
            note_id = f"sms:{sid}:reply"
            note = wait_until(lambda: (n := SYSTEM.db.notifications.find_one({"_id": note_id}))
                              and n["state"] == "failed" and n, 20, "a failed attempt")
            self.assertIn("Kannel", note["last_error"])
            self.assertGreaterEqual(note["attempts"], 1)
        finally:
            KANNEL.start_smsbox()
        sms_to(number, "BALAS <tracking ID>", timeout=40)
        wait_until(lambda: SYSTEM.db.notifications.find_one({"_id": note_id})["state"] == "sent",
                   20, "the SMS to be sent")
        time.sleep(2)
        self.assertEqual(len([m for m in KANNEL.messages_to(number) if "LAPOR!" in m.text]), 1)


if __name__ == "__main__":
    unittest.main()
