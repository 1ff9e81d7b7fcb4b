"""Agencies answer, citizens reply: the agency API with keys and portal sessions, who
may see what (another agency's complaint is 404, and logged), the reporter's PIN
(reply, reject, accept with a rating), sessions (CSRF, lockout, logout), canary
identities, and erasure (on request and after the retention time)."""

import json
import time
import unittest
import urllib.request
import uuid

from harness import System, SystemTestCase, http, wait_until
from smtp import SmtpReceiver

SYSTEM = None
SMTP = None
KEYS = {}
A, B = "paser-dinkes", "paser-disdik"
TIMEOUT_S = 30


def setUpModule():
    global SYSTEM, SMTP
    SMTP = SmtpReceiver()
    SYSTEM = System(extra_env={"LAPOR_SMTP_URL": SMTP.url, "LAPOR_RETENTION_DAYS": "30",
                               "LAPOR_DEADLINE_EVERY_MS": "300"})
    SYSTEM.__enter__()
    for agency in (A, B):
        KEYS[agency] = SYSTEM.laporctl("agency-key", "add", agency).stdout.strip()
    SYSTEM.laporctl("user", "add", "siti.dinkes", "staff", "--agency", A,
                    input="kata-sandi-staf-123\n")
    SYSTEM.laporctl("user", "add", "budi.dinkes", "liaison", "--agency", A,
                    input="kata-sandi-penghubung-9\n")
    SYSTEM.laporctl("user", "add", "ana.analis", "analyst", input="kata-sandi-analis-77\n")


def tearDownModule():
    if SYSTEM is not None:
        SYSTEM.__exit__(None, None, None)
    if SMTP is not None:
        SMTP.close()


def agency_api(agency_or_headers, method, path="", body=None):
    headers = agency_or_headers if isinstance(agency_or_headers, dict) else {
        "Authorization": f"Bearer {KEYS[agency_or_headers]}"}
    return http(method, SYSTEM.intake_url("/api/v1/agency/complaints" + path), body, headers)


def citizen(tid, action, body):
    return http("POST", SYSTEM.intake_url(f"/api/v1/complaints/{tid}/{action}"), body)


def submit(privacy="public", name="Siti Warga", email=None, category="kesehatan"):
    email = email or f"w-{uuid.uuid4().hex[:8]}@desa.example"
    status, _, answer = http("POST", SYSTEM.intake_url("/api/v1/complaints"), {
        "title": f"Obat habis {uuid.uuid4().hex[:5]}",
        "body": f"Puskesmas kehabisan obat untuk anak-anak ({uuid.uuid4().hex}).",
        "category": category, "region": "64.01.01.2009", "privacy": privacy,
        "reporter": {"name": name, "email": email}})
    assert status == 201, answer
    return answer["tracking_id"], answer["pin"], email


def doc_of(tid):
    return SYSTEM.db.complaints.find_one({"tracking_id": tid})


def wait_status(tid, status):
    return wait_until(lambda: (d := doc_of(tid)) and d["status"] == status and d, TIMEOUT_S,
                      f"{tid} to be {status}")


def mail_with(to, phrase):
    return wait_until(lambda: [m for m in SMTP.to(to) if phrase in m["Subject"]], TIMEOUT_S,
                      f"a mail to {to} about {phrase!r}")[0]


def login(user, password):
    """(status, cookie header value or None, body)"""
    req = urllib.request.Request(SYSTEM.intake_url("/api/v1/session"), method="POST",
                                 data=json.dumps({"username": user, "password": password}).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            cookie = resp.headers.get("Set-Cookie")
            return resp.status, cookie, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, None, json.loads(err.read())


class AgencyTest(SystemTestCase):

    def test_a_the_whole_conversation(self):
        tid, pin, email = submit()
        self.assertRegex(pin, r"^\d{6}$")
        received = mail_with(email, "diterima")
        self.assertIn(f"PIN: {pin}", received.get_body(("plain",)).get_content())
        self.assertNotIn(pin, json.dumps(list(SYSTEM.db.notifications.find(
            {"tracking_id": tid}, {"recipient": 0})), default=str), "the PIN is stored")
        wait_status(tid, "disposed")

        # The agency's queue has it; the other agency's has not.
        status, _, queue = agency_api(A, "GET", "?status=disposed&per_page=100")
        self.assertEqual(status, 200, queue)
        self.assertIn(tid, [c["tracking_id"] for c in queue["complaints"]])
        status, _, other = agency_api(B, "GET", "?per_page=100")
        self.assertNotIn(tid, [c["tracking_id"] for c in other["complaints"]])

        # Follow-up, then a question to the reporter.
        status, _, body = agency_api(A, "POST", f"/{tid}/followups",
                                     {"text": "Obat sudah dipesan dari gudang farmasi."})
        self.assertEqual((status, body.get("status")), (200, "in_progress"), body)
        mail_with(email, "ditindaklanjuti")
        status, _, body = agency_api(A, "POST", f"/{tid}/question",
                                     {"question": "Obat apa yang paling dibutuhkan?"})
        self.assertEqual((status, body.get("status")), (200, "postponed"), body)
        question = mail_with(email, "Pertanyaan")
        self.assertIn("Obat apa yang paling dibutuhkan?",
                      question.get_body(("plain",)).get_content())

        # The reporter answers with the PIN (a wrong one is refused).
        status, _, body = citizen(tid, "reply", {"pin": "000000" if pin != "000000" else "111111",
                                                 "text": "Paracetamol sirup."})
        self.assertEqual((status, body["error"]["field"]), (403, "pin"), body)
        status, _, body = citizen(tid, "reply", {"pin": pin, "text": "Paracetamol sirup anak."})
        self.assertEqual((status, body.get("status")), (200, "in_progress"), body)

        # Staff may not resolve; the liaison (and a key) may.
        session = self.session("siti.dinkes", "kata-sandi-staf-123")
        status, _, body = agency_api(session, "POST", f"/{tid}/status",
                                     {"status": "resolved", "text": "Sudah tersedia."})
        self.assertEqual(status, 403, body)
        status, _, body = agency_api(A, "POST", f"/{tid}/status",
                                     {"status": "resolved", "text": "Obat sudah tersedia lagi."})
        self.assertEqual((status, body.get("status")), (200, "resolved"), body)
        resolved = mail_with(email, "selesai")
        self.assertIn("Obat sudah tersedia lagi.", resolved.get_body(("plain",)).get_content())

        # The reporter disagrees: back to the same agency with a new deadline.
        hook = SYSTEM.webhook_receiver()
        SYSTEM.laporctl("agency-webhook", "set", A, hook.url, "rahasia-dinkes-0123456789")
        status, _, body = citizen(tid, "reject", {"pin": pin, "reason": "Di desa kami belum ada."})
        self.assertEqual((status, body.get("status")), (200, "reopened"), body)
        doc = doc_of(tid)
        self.assertGreater(doc["deadline_at"], int(time.time() * 1000))
        self.assertEqual(doc["agency"]["id"], A)
        wait_until(lambda: [r for r in hook.requests
                            if json.loads(r["body"])["complaint"]["tracking_id"] == tid],
                   TIMEOUT_S, "the agency's webhook about the reopening")
        mail_with(email, "dibuka kembali")
        SYSTEM.laporctl("agency-webhook", "clear", A)

        # Resolved again, accepted with a rating: closed.
        agency_api(A, "POST", f"/{tid}/status", {"status": "resolved", "text": "Obat dikirim."})
        status, _, body = citizen(tid, "accept", {"pin": pin, "rating": 5, "comment": "Terima kasih"})
        self.assertEqual((status, body.get("status")), (200, "closed"), body)
        self.assertEqual(doc_of(tid)["rating"]["score"], 5)
        status, _, body = citizen(tid, "rate", {"pin": pin, "rating": 4})
        self.assertEqual((status, body["error"]["field"]), (409, "rating"), body)  # rated once
        status, _, body = citizen(tid, "accept", {"pin": pin, "rating": 9})
        self.assertEqual(status, 409, body)  # closed already
        # The rating reached the statistics through the event.
        def rated():
            status, _, body = http("GET", SYSTEM.reporter_url(
                f"/api/v1/stats?group_by=none&agency={A}"))
            return status == 200 and any(g.get("rating", {}).get("count", 0) >= 1
                                         for g in body.get("groups", []))
        wait_until(rated, TIMEOUT_S, "the rating in the statistics")

        # The agency that had it can still read it; its view holds no contact.
        status, _, view = agency_api(A, "GET", f"/{tid}")
        self.assertEqual(status, 200, view)
        self.assertEqual(view["reporter"], {"name": "Siti Warga"})
        self.assertNotIn(email, json.dumps(view))

    def test_b_another_agency_gets_404_everywhere(self):
        tid, _, _ = submit()
        wait_status(tid, "disposed")
        for method, path, body in (("GET", f"/{tid}", None),
                                   ("POST", f"/{tid}/followups", {"text": "bukan milik kami"}),
                                   ("POST", f"/{tid}/question", {"question": "siapa Anda?"}),
                                   ("POST", f"/{tid}/status", {"status": "resolved",
                                                               "text": "selesai saja"})):
            status, _, answer = agency_api(B, method, path, body)
            self.assertEqual(status, 404, (method, path, answer))
        self.assertEqual(doc_of(tid)["status"], "disposed")
        self.assertIn('"agency.not_theirs"', SYSTEM.log_text("intake"))
        # Without any key or session: 401; an analyst: 403 (aggregates only).
        status, _, _ = agency_api({}, "GET", "")
        self.assertEqual(status, 401)
        analyst = self.session("ana.analis", "kata-sandi-analis-77")
        status, _, _ = agency_api(analyst, "GET", f"?agency={A}")
        self.assertEqual(status, 403)
        # A staff session may not reach the coordinators' triage desk.
        staff = self.session("siti.dinkes", "kata-sandi-staf-123")
        status, _, _ = http("GET", SYSTEM.intake_url("/api/v1/admin/triage"), None, staff)
        self.assertEqual(status, 401)

    def test_c_sessions_csrf_lockout_logout(self):
        status, cookie, body = login("budi.dinkes", "kata-sandi-penghubung-9")
        self.assertEqual(status, 200, body)
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        token = cookie.split(";")[0]
        tid, _, _ = submit()
        wait_status(tid, "disposed")
        # A POST without the CSRF token is refused, with it accepted.
        status, _, body = agency_api({"Cookie": token}, "POST", f"/{tid}/followups",
                                     {"text": "Sedang kami periksa."})
        self.assertEqual((status, body["error"]["field"]), (403, "csrf"), body)
        status, _, body = agency_api({"Cookie": token, "X-CSRF-Token": "x" * 43}, "POST",
                                     f"/{tid}/followups", {"text": "Sedang kami periksa."})
        self.assertEqual(status, 403, body)
        good = {"Cookie": token, "X-CSRF-Token": login_csrf(body=None, token=token)}
        status, _, body = agency_api(good, "POST", f"/{tid}/followups",
                                     {"text": "Sedang kami periksa."})
        self.assertEqual(status, 200, body)
        # Logout ends the session.
        status, _, _ = http("DELETE", SYSTEM.intake_url("/api/v1/session"), None,
                            {"Cookie": token})
        self.assertEqual(status, 200)
        status, _, _ = agency_api({"Cookie": token}, "GET", "")
        self.assertEqual(status, 401)
        # Five wrong passwords lock the account, even against the right one.
        for _ in range(5):
            status, _, _ = login("siti.dinkes", "salah-salah-salah")
        self.assertEqual(status, 429)
        status, _, body = login("siti.dinkes", "kata-sandi-staf-123")
        self.assertEqual(status, 429, body)
        SYSTEM.db.users.update_one({"_id": "siti.dinkes"}, {"$set": {"locked_until": 0}})

    def test_d_canary_identity_reaches_no_agency(self):
        canary_name = f"Kanari-{uuid.uuid4().hex[:6]}"
        canary_mail = f"kanari-{uuid.uuid4().hex[:6]}@rahasia.example"
        hook = SYSTEM.webhook_receiver()
        SYSTEM.laporctl("agency-webhook", "set", A, hook.url, "rahasia-dinkes-0123456789")
        try:
            tids = [submit(privacy=p, name=canary_name, email=canary_mail)[0]
                    for p in ("anonymous", "confidential")]
            for tid in tids:
                wait_status(tid, "disposed")
                agency_api(A, "POST", f"/{tid}/followups", {"text": "Kami tindak lanjuti."})
            wait_until(lambda: len(hook.requests) >= 2, TIMEOUT_S, "webhooks")
            answers = [agency_api(A, "GET", f"/{t}")[2] for t in tids]
            answers.append(agency_api(A, "GET", "?per_page=100")[2])
            answers.extend(http("GET", SYSTEM.intake_url(f"/api/v1/complaints/{t}"))[2]
                           for t in tids)
            text = json.dumps(answers) + "".join(r["body"].decode() for r in hook.requests)
            time.sleep(1)
            for f in SYSTEM.log_files():
                text += f.read_text(encoding="utf-8", errors="replace")
            self.assertNotIn(canary_name, text)
            self.assertNotIn(canary_mail, text)
            # Confidential: the content is the agency's, never the public's.
            public = http("GET", SYSTEM.intake_url(f"/api/v1/complaints/{tids[1]}"))[2]
            self.assertNotIn("body", public)
            self.assertIn("body", answers[1])
        finally:
            SYSTEM.laporctl("agency-webhook", "clear", A)

    def test_e_erasure_on_request_and_after_retention(self):
        tid, _, email = submit()
        wait_status(tid, "disposed")
        self.assertEqual(recent_entries(doc_of(tid)["_id"]), 1)
        SYSTEM.laporctl("erase", tid)
        doc = doc_of(tid)
        self.assertEqual(recent_entries(doc["_id"]), 0)  # the near-duplicate index too
        self.assertNotIn("sealed", doc["reporter"])
        self.assertNotIn("name", doc["reporter"])
        self.assertIn("erased_at", doc["reporter"])
        self.assertIn("dihapus atas permintaan", doc["history"][-1]["note"])
        self.assertIn("holds no reporter details", SYSTEM.laporctl("erase", tid).stdout)
        # A complaint closed long ago loses its reporter's details by itself.
        old, _, _ = submit()
        wait_status(old, "disposed")
        long_ago = int(time.time() * 1000) - 40 * 86400 * 1000
        SYSTEM.db.complaints.update_one({"tracking_id": old},
                                        {"$set": {"status": "closed", "updated_at": long_ago}})
        erased = wait_until(lambda: "erased_at" in doc_of(old)["reporter"] and doc_of(old),
                            TIMEOUT_S, "the router to erase the old reporter's details")
        self.assertNotIn("sealed", erased["reporter"])
        self.assertEqual(erased["status"], "closed")
        self.assertEqual(recent_entries(erased["_id"]), 0)

    # -- helpers ----------------------------------------------------------------------

    def session(self, user, password):
        status, cookie, body = login(user, password)
        self.assertEqual(status, 200, body)
        return {"Cookie": cookie.split(";")[0], "X-CSRF-Token": body["csrf"]}


def recent_entries(oid):
    """How many of the near-duplicate index's day documents name complaint oid."""
    return sum(1 for day in SYSTEM.db.reporter_recent.find({})
               for entry in day.get("complaints", []) if entry["id"] == oid)


def login_csrf(body, token):
    """The CSRF token of a session, as the portal page would embed it."""
    import hashlib
    doc = SYSTEM.db.sessions.find_one(
        {"_id": hashlib.sha256(token.split("=", 1)[1].encode()).hexdigest()})
    return doc["csrf"]


if __name__ == "__main__":
    unittest.main()
