"""The agencies' portal pages (/portal) and the reporter's forms on the tracking page.

Plain HTTP with a cookie jar (no browser): login and logout, wrong password and
lockout, CSRF refusal on every portal POST, one agency trying another's complaint
(404), staff trying to resolve (403) and the triage desk, canary identities never on
a portal page, and the whole conversation by forms with the status checked in the
database. tests/browser/portal.test.js drives a real Chromium.

    LAPOR_BUILD_DIR=$PWD/../../build /usr/bin/python3 -m unittest -v test_portal
"""

import html
import http.cookiejar as cookiejar
import re
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid

from harness import System, SystemTestCase, http, wait_until

SYSTEM = None
A, B = "paser-dinkes", "paser-disdik"
MAX_PAGE = 50 * 1024
PASSWORDS = {
    "siti.staf": ("staff", A, "kata-sandi-staf-123"),
    "budi.penghubung": ("liaison", A, "kata-sandi-penghubung-9"),
    "dewi.disdik": ("liaison", B, "kata-sandi-disdik-456"),
    "kiki.koordinator": ("coordinator", None, "kata-sandi-koordinator-1"),
    "ana.analis": ("analyst", None, "kata-sandi-analis-77"),
    "kunci.saya": ("staff", A, "kata-sandi-kunci-000"),
}
CANARY_NAME = "Kanari Rahasia Zqx"
CANARY_PHONE = "081299887766"
CANARY_EMAIL = "kanari.zqx@desa.example"


def setUpModule():
    global SYSTEM
    # Overdue complaints are made by hand; the router must not escalate them meanwhile.
    SYSTEM = System(extra_env={"LAPOR_RATE_IP_PER_MINUTE": "0",
                               "LAPOR_DEADLINE_EVERY_MS": "3600000"}).__enter__()
    for user, (role, agency, password) in PASSWORDS.items():
        args = ["user", "add", user, role] + (["--agency", agency] if agency else [])
        SYSTEM.laporctl(*args, input=password + "\n")


def tearDownModule():
    global SYSTEM
    if SYSTEM is not None:
        SYSTEM.close()
        SYSTEM = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping client that does not follow redirects."""

    def __init__(self):
        self.jar = cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def request(self, method, path, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if data else {}
        req = urllib.request.Request(SYSTEM.intake_url(path), data=data, method=method,
                                     headers=headers)
        try:
            with self.opener.open(req, timeout=10) as resp:
                status, rh, raw = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            status, rh, raw = err.code, err.headers, err.read()
        body = raw.decode()
        assert len(raw) < MAX_PAGE, f"{path}: {len(raw)} bytes"
        return status, rh, body

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)

    def login(self, user, password=None):
        status, headers, body = self.post("/portal/masuk", {
            "username": user, "password": password or PASSWORDS[user][2]})
        assert status == 303, (status, body)
        return headers

    def csrf(self, path="/portal"):
        status, _, body = self.get(path)
        assert status == 200, (status, body[:300])
        m = re.search(r'name="csrf" value="([^"]+)"', body)
        assert m, "no csrf field"
        return html.unescape(m.group(1))


def submit(name="Siti Warga", privacy="public", phone=None, email=None, category="kesehatan"):
    reporter = {"name": name, "email": email or f"w-{uuid.uuid4().hex[:8]}@desa.example"}
    if phone:
        reporter["phone"] = phone
    status, _, answer = http("POST", SYSTEM.intake_url("/api/v1/complaints"), {
        "title": f"Obat habis {uuid.uuid4().hex[:5]}",
        "body": f"Puskesmas kehabisan obat untuk anak-anak ({uuid.uuid4().hex}).",
        "category": category, "region": "64.01.01.2009", "privacy": privacy,
        "reporter": reporter})
    assert status == 201, answer
    return answer["tracking_id"], answer["pin"]


def doc_of(tid):
    return SYSTEM.db.complaints.find_one({"tracking_id": tid})


def wait_status(tid, status):
    return wait_until(lambda: (d := doc_of(tid)) and d["status"] == status and d, 30,
                      f"{tid} to be {status}")


def text_of(body):
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


class PortalTest(SystemTestCase):

    def test_login_and_logout(self):
        b = Browser()
        status, headers, _ = b.get("/portal")
        self.assertEqual((status, headers["Location"]), (303, "/portal/masuk"))
        status, headers, body = b.get("/portal/masuk")
        self.assertEqual(status, 200)
        self.assertIn('<label for="username">', body)
        self.assertIn('<label for="password">', body)
        self.assertNotIn("<script", body)
        self.assertIn("default-src 'none'", headers["Content-Security-Policy"])
        # Wrong password and unknown user: the same words, not saying which.
        s1, _, wrong = b.post("/portal/masuk", {"username": "siti.staf", "password": "salah-salah"})
        s2, _, unknown = b.post("/portal/masuk", {"username": "tak.ada", "password": "salah-salah"})
        self.assertEqual((s1, s2), (401, 401))
        self.assertIn("Nama pengguna atau kata sandi salah.", wrong)
        self.assertIn("Nama pengguna atau kata sandi salah.", unknown)
        headers = b.login("siti.staf")
        self.assertEqual(headers["Location"], "/portal")
        cookie = headers["Set-Cookie"]
        self.assertIn("lapor_session=", cookie)
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        status, headers, body = b.get("/portal")
        self.assertEqual(status, 200, body[:300])
        self.assertIn("Antrean pengaduan", body)
        self.assertEqual(headers["Cache-Control"], "no-store")
        # English stays English.
        status, _, body = b.get("/portal?lang=en")
        self.assertIn("Complaint queue", body)
        self.assertIn('<html lang="en">', body)
        # Logout needs the token.
        status, _, _ = b.post("/portal/keluar", {})
        self.assertEqual(status, 403)
        self.assertEqual(b.get("/portal")[0], 200)
        token = b.csrf()
        status, headers, _ = b.post("/portal/keluar", {"csrf": token})
        self.assertEqual((status, headers["Location"]), (303, "/portal/masuk?pesan=keluar"))
        self.assertEqual(b.get("/portal")[0], 303)
        self.assertIn("Anda sudah keluar.", b.get("/portal/masuk?pesan=keluar")[2])

    def test_lockout_after_five(self):
        b = Browser()
        for i in range(5):
            status, _, body = b.post("/portal/masuk", {"username": "kunci.saya",
                                                       "password": "bukan-ini-sandinya"})
            # The fifth failure locks the account at once.
            self.assertEqual(status, 401 if i < 4 else 429)
        status, _, body = b.post("/portal/masuk", {"username": "kunci.saya",
                                                   "password": PASSWORDS["kunci.saya"][2]})
        self.assertEqual(status, 429)
        self.assertIn("dikunci selama 15 menit", body)
        status, _, body = b.post("/portal/masuk", {"username": "kunci.saya", "lang": "en",
                                                   "password": "bukan-ini-sandinya"})
        self.assertIn("locked for 15 minutes", body)

    def test_csrf_refused_on_every_post(self):
        tid, _ = submit()
        wait_status(tid, "disposed")
        b = Browser()
        b.login("budi.penghubung")
        c = Browser()
        c.login("kiki.koordinator")
        fields = {"text": "Sudah kami tangani dengan baik.", "question": "Di mana tepatnya?",
                  "reason": "Bukan urusan dinas kesehatan.", "category": "kesehatan"}
        for action in ("tindak-lanjut", "tanya", "selesai", "bukan-kewenangan"):
            for form in (dict(fields), dict(fields, csrf="palsu")):
                status, _, body = b.post(f"/portal/pengaduan/{tid}/{action}", form)
                self.assertEqual(status, 403, (action, body[:300]))
                self.assertIn("kedaluwarsa", body)
        for action in ("disposisi", "tunda", "arsip"):
            status, _, _ = c.post(f"/portal/triase/{tid}/{action}", dict(fields, reason="spam"))
            self.assertEqual(status, 403, action)
        self.assertEqual(b.post("/portal/keluar", {})[0], 403)
        self.assertEqual(doc_of(tid)["status"], "disposed")
        self.assertEqual(b.get("/portal")[0], 200, "still logged in")

    def test_other_agency_sees_nothing(self):
        tid, _ = submit()
        wait_status(tid, "disposed")
        a, b = Browser(), Browser()
        a.login("budi.penghubung")
        b.login("dewi.disdik")
        self.assertEqual(a.get(f"/portal/pengaduan/{tid}")[0], 200)
        status, _, theirs = b.get(f"/portal/pengaduan/{tid}")
        status_none, _, none = b.get("/portal/pengaduan/9999999999999999")
        self.assertEqual((status, status_none), (404, 404))
        self.assertEqual(text_of(theirs), text_of(none), "another's answers like none")
        self.assertNotIn(tid, b.get("/portal")[2])
        token = b.csrf()
        for action, field in (("tindak-lanjut", "text"), ("tanya", "question"),
                              ("selesai", "text"), ("bukan-kewenangan", "reason")):
            status, _, _ = b.post(f"/portal/pengaduan/{tid}/{action}",
                                  {"csrf": token, field: "Percobaan dari instansi lain."})
            self.assertEqual(status, 404, action)
        self.assertEqual(doc_of(tid)["status"], "disposed")

    def test_staff_may_not_decide_or_triage(self):
        tid, _ = submit()
        wait_status(tid, "disposed")
        b = Browser()
        b.login("siti.staf")
        status, _, body = b.get(f"/portal/pengaduan/{tid}")
        self.assertEqual(status, 200)
        self.assertNotIn("/selesai", body, "staff see no resolve form")
        token = b.csrf()
        status, _, body = b.post(f"/portal/pengaduan/{tid}/selesai",
                                 {"csrf": token, "text": "Sudah diselesaikan oleh staf."})
        self.assertEqual(status, 403, body[:300])
        self.assertIn("Admin Penghubung", body)
        status, _, _ = b.post(f"/portal/pengaduan/{tid}/bukan-kewenangan",
                              {"csrf": token, "reason": "Bukan kewenangan kami."})
        self.assertEqual(status, 403)
        self.assertEqual(doc_of(tid)["status"], "disposed")
        self.assertEqual(b.get("/portal/triase")[0], 403)
        self.assertEqual(b.post(f"/portal/triase/{tid}/arsip",
                                {"csrf": token, "reason": "spam"})[0], 403)
        anonymous = Browser()
        status, headers, _ = anonymous.get("/portal/triase")
        self.assertEqual((status, headers["Location"]), (303, "/portal/masuk"))
        # An analyst has no queue.
        analyst = Browser()
        analyst.login("ana.analis")
        status, _, body = analyst.get("/portal")
        self.assertIn("tidak memiliki antrean", body)
        self.assertNotIn(doc_of(tid)["title"], analyst.get(f"/portal/pengaduan/{tid}")[2])

    def test_canary_identity_never_shown(self):
        secret, _ = submit(name=CANARY_NAME, privacy="confidential", phone=CANARY_PHONE,
                           email=CANARY_EMAIL)
        public, _ = submit(name="Warga Terbuka", privacy="public", phone=CANARY_PHONE,
                           email=CANARY_EMAIL)
        wait_status(secret, "disposed")
        wait_status(public, "disposed")
        b = Browser()
        b.login("budi.penghubung")
        pages = [b.get(p)[2] for p in ("/portal", "/portal?status=disposed",
                                       f"/portal/pengaduan/{secret}",
                                       f"/portal/pengaduan/{public}",
                                       f"/portal/pengaduan/{secret}?lang=en")]
        c = Browser()
        c.login("kiki.koordinator")
        pages.append(c.get("/portal/triase")[2])
        for page in pages:
            for canary in (CANARY_NAME, CANARY_PHONE, CANARY_EMAIL, "2998877"):
                self.assertNotIn(canary, page)
        self.assertIn("Warga Terbuka", pages[3], "a public reporter's name is shown")
        self.assertIn("Identitas pelapor dirahasiakan.", pages[2])
        # A confidential complaint's question stays off the public tracking page.
        token = b.csrf(f"/portal/pengaduan/{secret}")
        question = "Berapa nomor rumah Anda di desa?"
        self.assertEqual(b.post(f"/portal/pengaduan/{secret}/tanya",
                                {"csrf": token, "question": question})[0], 303)
        tracking = Browser().get(f"/lacak/{secret}")[2]
        self.assertIn('<label for="text-balas">', tracking)
        self.assertNotIn(question, tracking)
        self.assertIn(question, b.get(f"/portal/pengaduan/{secret}")[2])

    def test_whole_flow_by_forms(self):
        tid, pin = submit()
        wait_status(tid, "disposed")
        # Overdue: the deadline is in the past.
        SYSTEM.db.complaints.update_one({"tracking_id": tid},
                                        {"$set": {"deadline_at": int(time.time() * 1000) - 3600_000}})
        staff = Browser()
        staff.login("siti.staf")
        status, _, queue = staff.get("/portal?status=disposed")
        self.assertEqual(status, 200)
        item = re.search(r'<li class="overdue">(?:(?!</li>).)*' + tid, queue, re.S)
        self.assertTrue(item, "the overdue complaint is marked")
        self.assertIn("TERLAMBAT", item.group(0))
        # A follow-up.
        token = staff.csrf(f"/portal/pengaduan/{tid}")
        status, headers, _ = staff.post(f"/portal/pengaduan/{tid}/tindak-lanjut",
                                        {"csrf": token, "text": "Obat sudah dipesan ke gudang."})
        self.assertEqual((status, headers["Location"]),
                         (303, f"/portal/pengaduan/{tid}?pesan=tindak-lanjut"))
        self.assertEqual(doc_of(tid)["status"], "in_progress")
        page = staff.get(headers["Location"])[2]
        self.assertIn("Tindak lanjut tersimpan.", page)
        self.assertIn("Obat sudah dipesan ke gudang.", page)
        # Too short: the page again with the reason, nothing stored.
        status, _, page = staff.post(f"/portal/pengaduan/{tid}/tindak-lanjut",
                                     {"csrf": token, "text": "ok"})
        self.assertEqual(status, 400)
        self.assertIn("Tulis 5 sampai 2000 karakter.", page)
        # A question to the reporter.
        status, _, _ = staff.post(f"/portal/pengaduan/{tid}/tanya",
                                  {"csrf": token, "question": "Obat apa yang paling dibutuhkan?"})
        self.assertEqual(status, 303)
        self.assertEqual(doc_of(tid)["status"], "postponed")

        # The reporter answers on the tracking page with the PIN.
        citizen = Browser()
        status, _, page = citizen.get(f"/lacak/{tid}")
        self.assertEqual(status, 200)
        self.assertIn("Untuk pelapor", page)
        self.assertIn("Obat apa yang paling dibutuhkan?", page)
        self.assertIn('<label for="pin-balas">', page)
        ctoken = html.unescape(re.search(r'name="csrf" value="([^"]+)"', page).group(1))
        status, _, _ = citizen.post(f"/lacak/{tid}/balas", {"pin": pin, "text": "Paracetamol."})
        self.assertEqual(status, 403, "no token")
        wrong = "000000" if pin != "000000" else "111111"
        status, _, page = citizen.post(f"/lacak/{tid}/balas",
                                       {"csrf": ctoken, "pin": wrong, "text": "Paracetamol."})
        self.assertEqual(status, 403)
        self.assertIn("PIN tidak cocok", page)
        status, headers, _ = citizen.post(f"/lacak/{tid}/balas", {
            "csrf": ctoken, "pin": pin, "text": "Paracetamol sirup anak."})
        self.assertEqual((status, headers["Location"]), (303, f"/lacak/{tid}?pesan=balas"))
        self.assertEqual(doc_of(tid)["status"], "in_progress")
        self.assertIn("keterangan Anda sudah kami terima", citizen.get(headers["Location"])[2])
        # The agency sees the reply.
        self.assertIn("Paracetamol sirup anak.", staff.get(f"/portal/pengaduan/{tid}")[2])

        # The liaison resolves with the answer.
        liaison = Browser()
        liaison.login("budi.penghubung")
        token = liaison.csrf(f"/portal/pengaduan/{tid}")
        status, _, _ = liaison.post(f"/portal/pengaduan/{tid}/selesai",
                                    {"csrf": token, "text": "Obat sudah tersedia lagi."})
        self.assertEqual(status, 303)
        self.assertEqual(doc_of(tid)["status"], "resolved")

        # The reporter accepts with a rating.
        page = citizen.get(f"/lacak/{tid}")[2]
        self.assertIn("Obat sudah tersedia lagi.", page)
        self.assertIn('<label for="rating">', page)
        self.assertIn("/lacak/" + tid + "/tolak", page)
        status, headers, _ = citizen.post(f"/lacak/{tid}/terima", {
            "csrf": ctoken, "pin": pin, "rating": "4", "comment": "Terima kasih."})
        self.assertEqual(status, 303)
        d = doc_of(tid)
        self.assertEqual((d["status"], d["rating"]["score"]), ("closed", 4))

    def test_question_answer_in_english_and_pin_lockout(self):
        tid, pin = submit()
        wait_status(tid, "disposed")
        citizen = Browser()
        page = citizen.get(f"/lacak/{tid}?lang=en")[2]
        self.assertIn("For the reporter", page)
        self.assertIn("Add information", page)
        token = html.unescape(re.search(r'name="csrf" value="([^"]+)"', page).group(1))
        wrong = "000000" if pin != "000000" else "111111"
        for i in range(5):
            status, _, page = citizen.post(f"/lacak/{tid}/balas", {
                "csrf": token, "pin": wrong, "text": "Tambahan keterangan.", "lang": "en"})
        self.assertEqual(status, 429)
        self.assertIn("Too many wrong PINs", page)
        status, _, page = citizen.post(f"/lacak/{tid}/balas", {
            "csrf": token, "pin": pin, "text": "Tambahan keterangan."})
        self.assertEqual(status, 429)
        self.assertIn("Terlalu banyak PIN salah", page)

    def test_triage_desk_pages(self):
        status, _, answer = http("POST", SYSTEM.intake_url("/api/v1/complaints"), {
            "title": "Pertanyaan warga", "region": "64.01.01.2009",
            "body": f"Saya ingin menyampaikan sesuatu kepada pemerintah ({uuid.uuid4().hex[:6]})."})
        self.assertEqual(status, 201, answer)
        tid = answer["tracking_id"]
        wait_until(lambda: "triage" in (doc_of(tid) or {}), 30, "the triage desk")
        c = Browser()
        c.login("kiki.koordinator")
        status, _, page = c.get("/portal/triase")
        self.assertEqual(status, 200)
        self.assertIn(tid, page)
        self.assertIn(f'<label for="cat-{tid}">', page)
        token = c.csrf("/portal/triase")
        status, _, page = c.post(f"/portal/triase/{tid}/arsip", {"csrf": token, "reason": "x"})
        self.assertEqual(status, 400)
        status, headers, _ = c.post(f"/portal/triase/{tid}/disposisi",
                                    {"csrf": token, "category": "kesehatan"})
        self.assertEqual(status, 303, headers)
        d = doc_of(tid)
        self.assertEqual((d["status"], d["agency"]["id"]), ("disposed", A))
        self.assertEqual(d["history"][-1]["actor"], "triage:kiki.koordinator")


if __name__ == "__main__":
    unittest.main()
