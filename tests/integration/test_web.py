"""The citizens' web pages served by intake: form, place steps, receipt, tracking.

Plain HTTP (no browser): CSRF refusal, escaping, page sizes, security headers, both
languages, errors shown with the input kept. tests/browser drives a real Chromium.

    LAPOR_BUILD_DIR=$PWD/../../build /usr/bin/python3 -m unittest -v test_web
"""

import html
import http.cookiejar
import re
import unittest
import urllib.error
import urllib.parse
import urllib.request

from harness import System, SystemTestCase

SYSTEM = None
VILLAGE = "64.01.01.2009"  # Samurangau, Batu Sopang, Kabupaten Paser
MAX_PAGE = 50 * 1024


def setUpModule():
    global SYSTEM
    # Many form posts from one address: the per-address limit is tested elsewhere.
    SYSTEM = System(extra_env={"LAPOR_RATE_IP_PER_MINUTE": "0"}).__enter__()
    WebTest.system = SYSTEM


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
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def request(self, method, path, form=None, headers=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        hdrs = dict(headers or {})
        if data is not None:
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        req = urllib.request.Request(SYSTEM.intake_url(path), data=data, method=method,
                                     headers=hdrs)
        try:
            with self.opener.open(req, timeout=10) as resp:
                status, rh, raw = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            status, rh, raw = err.code, err.headers, err.read()
        return status, {k.lower(): v for k, v in rh.items()}, raw

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)

    def form_token(self, region=VILLAGE, lang=None):
        q = {"wilayah": region}
        if lang:
            q["lang"] = lang
        status, _, raw = self.get("/lapor?" + urllib.parse.urlencode(q))
        assert status == 200, status
        m = re.search(r'name="csrf" value="([^"]+)"', raw.decode())
        assert m, "no csrf field in the form"
        f = re.search(r'name="form" value="([^"]+)"', raw.decode())
        self.form_id = f.group(1) if f else ""
        return html.unescape(m.group(1))


def complaint_form(token, **changes):
    form = {
        "csrf": token,
        "lang": "id",
        "region": VILLAGE,
        "type": "pengaduan",
        "title": "Jalan desa rusak",
        "body": "Jalan utama desa kami berlubang besar sejak tiga bulan.",
        "category": "infrastruktur",
        "privacy": "public",
        "name": "Siti",
        "phone": "0812 3456 7890",
        "email": "",
    }
    form.update(changes)
    return form


def submit(browser, **changes):
    """Posts a good form (with changes); returns (status, headers, page text)."""
    lang = changes.get("lang")
    token = browser.form_token(lang=lang)
    changes.setdefault("form", browser.form_id)
    status, headers, raw = browser.post("/lapor", complaint_form(token, **changes))
    return status, headers, raw.decode()


def tracking_from(headers):
    m = re.match(r"/lapor/terkirim/(\d{10})", headers.get("location", ""))
    assert m, f"no receipt redirect: {headers!r}"
    return m.group(1)


class WebTest(SystemTestCase):
    maxDiff = None

    def count(self):
        return SYSTEM.db.complaints.count_documents({})

    # headers, languages, sizes ---------------------------------------------------
    def test_home_headers_and_languages(self):
        b = Browser()
        status, headers, raw = b.get("/")
        self.assertEqual(status, 200)
        page = raw.decode()
        self.assertTrue(headers["content-type"].startswith("text/html"))
        self.assertIn('<html lang="id">', page)
        self.assertIn("Sampaikan laporan", page)
        csp = headers.get("content-security-policy", "")
        self.assertIn("default-src 'none'", csp)
        self.assertIn("form-action 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("script-src", csp)  # no script at all: default-src 'none'
        self.assertEqual(headers.get("x-frame-options"), "DENY")
        self.assertEqual(headers.get("x-content-type-options"), "nosniff")
        self.assertEqual(headers.get("content-language"), "id")
        self.assertNotIn("<script", page)
        status, headers, raw = b.get("/?lang=en")
        page = raw.decode()
        self.assertIn('<html lang="en">', page)
        self.assertIn("Make a report", page)
        self.assertNotIn("Sampaikan laporan", page)
        self.assertEqual(headers.get("content-language"), "en")
        # The language link leads to the same page in the other language.
        self.assertIn('href="/lapor/wilayah?induk=64.01&amp;lang=en"',
                      b.get("/lapor/wilayah?induk=64.01")[2].decode())

    def test_page_sizes(self):
        b = Browser()
        paths = ["/", "/?lang=en", "/lapor", "/lapor?lang=en", "/lapor/wilayah",
                 f"/lapor?wilayah={VILLAGE}", f"/lapor?wilayah={VILLAGE}&lang=en", "/lacak",
                 "/lacak?id=123", "/lapor/wilayah?cari=an", "/lapor/wilayah?cari=sungai",
                 "/nonexistent-page-xyz"]
        regions = SYSTEM.db.regions.find({"level": {"$in": ["kabupaten", "kecamatan"]}}, {"_id": 1})
        paths += [f"/lapor/wilayah?induk={r['_id']}&lang=en" for r in regions]
        biggest = (0, "")
        for path in paths:
            status, _, raw = b.get(path)
            self.assertIn(status, (200, 404), path)
            biggest = max(biggest, (len(raw), path))
            self.assertLess(len(raw), MAX_PAGE, f"{path} is {len(raw)} bytes")
        _, headers, _ = submit(b, body="Sebuah laporan panjang. " * 200)
        tid = tracking_from(headers)
        for path in (f"/lapor/terkirim/{tid}", f"/lacak/{tid}", f"/lacak/{tid}?lang=en"):
            status, _, raw = b.get(path)
            self.assertEqual(status, 200, path)
            self.assertLess(len(raw), MAX_PAGE, f"{path} is {len(raw)} bytes")

    def test_place_steps_and_search(self):
        b = Browser()
        page = b.get("/lapor")[2].decode()  # no place yet: the first step
        self.assertIn("Pilih kabupaten atau kota", page)
        self.assertIn('href="/lapor/wilayah?induk=64.01"', page)
        page = b.get("/lapor/wilayah?induk=64.01.01&lang=en")[2].decode()
        self.assertIn("Choose the village", page)
        self.assertIn(f'href="/lapor?wilayah={VILLAGE}&amp;lang=en"', page)
        self.assertIn('href="/lapor?wilayah=64.01.01&amp;lang=en"', page)  # whole district
        page = b.get("/lapor/wilayah?cari=samurangau")[2].decode()
        self.assertIn("Samurangau, Batu Sopang, Kabupaten Paser", page)
        page = b.get("/lapor/wilayah?cari=%3Cscript%3E")[2].decode()
        self.assertNotIn("<script>", page)
        self.assertIn("&lt;script&gt;", page)
        self.assertIn("Tidak ada tempat dengan nama itu.", page)

    # CSRF ------------------------------------------------------------------------
    def test_csrf_refused(self):
        before = self.count()
        # No cookie, no token.
        status, _, raw = Browser().post("/lapor", complaint_form(""))
        self.assertEqual(status, 403)
        self.assertIn("kedaluwarsa", raw.decode())
        # A token that belongs to another browser's cookie.
        alice, mallory = Browser(), Browser()
        alice.form_token()
        token = mallory.form_token()
        status, _, _ = alice.post("/lapor", complaint_form(token))
        self.assertEqual(status, 403)
        # A tampered token.
        token = alice.form_token()
        ts, mac = token.split(".")
        bad = f"{ts}.{('0' if mac[0] != '0' else '1') + mac[1:]}"
        status, _, _ = alice.post("/lapor", complaint_form(bad))
        self.assertEqual(status, 403)
        # An old token (signed long ago cannot be made without the key; a future one
        # is refused as well).
        status, _, _ = alice.post("/lapor", complaint_form(f"9999999999.{mac}"))
        self.assertEqual(status, 403)
        # English refusal, input kept.
        status, _, raw = alice.post("/lapor", complaint_form("", lang="en", title="Keep me"))
        self.assertEqual(status, 403)
        self.assertIn("This form has expired", raw.decode())
        self.assertIn('value="Keep me"', raw.decode())
        self.assertEqual(self.count(), before, "a refused form stored something")
        # And the real thing passes.
        status, headers, _ = alice.post("/lapor", complaint_form(token))
        self.assertEqual(status, 303)
        self.assertEqual(self.count(), before + 1)

    def test_same_form_twice_is_one_complaint(self):
        b = Browser()
        token = b.form_token()
        form = complaint_form(token, title="Lampu jalan mati")
        s1, h1, _ = b.post("/lapor", form)
        s2, h2, _ = b.post("/lapor", form)
        self.assertEqual((s1, s2), (303, 303))
        self.assertEqual(tracking_from(h1), tracking_from(h2))

    # errors ----------------------------------------------------------------------
    def test_errors_next_to_fields_in_both_languages(self):
        b = Browser()
        status, _, page = submit(b, body="pendek", phone="12345", title='A "<b>" title')
        self.assertEqual(status, 400)
        self.assertIn("Tulis isi laporan 10 sampai 5000 karakter.", page)
        self.assertIn("Tulis nomor telepon Indonesia", page)
        self.assertIn('id="body-error"', page)
        self.assertIn('aria-invalid="true"', page)
        self.assertIn(">pendek</textarea>", page)  # input kept
        self.assertIn('value="A &quot;&lt;b&gt;&quot; title"', page)  # escaped
        self.assertNotIn("<b>", page)
        status, _, page = submit(b, body="short", lang="en")
        self.assertEqual(status, 400)
        self.assertIn("Write a report of 10 to 5000 characters.", page)
        self.assertIn('<html lang="en">', page)
        self.assertNotIn("Tulis isi laporan", page)
        # A place that does not exist (a forged hidden field).
        status, _, page = submit(b, region="99.99")
        self.assertEqual(status, 400)
        self.assertIn("Pilih tempat kejadian dari daftar.", page)
        # Not a form at all.
        status, _, raw = b.request("POST", "/lapor", None)
        self.assertEqual(status, 400)

    # receipt and tracking --------------------------------------------------------
    def test_receipt_and_tracking(self):
        b = Browser()
        status, headers, _ = submit(b, title="Puskesmas tutup", category="kesehatan")
        self.assertEqual(status, 303)
        tid = tracking_from(headers)
        status, _, raw = b.get(headers["location"])
        page = raw.decode()
        self.assertEqual(status, 200)
        self.assertIn(f'id="tracking-id">{tid}<', page)
        self.assertIn(f"STATUS {tid}", page)
        self.assertIn("1708", page)
        self.assertIn('id="pin"', page)
        self.assertIn("paling lambat", page)
        # The PIN is shown once, and never to another browser.
        self.assertNotIn('id="pin"', b.get(headers["location"])[2].decode())
        self.assertNotIn('id="pin"', Browser().get(headers["location"])[2].decode())
        # Tracking by form field redirects to the path.
        status, h, _ = b.get(f"/lacak?id={tid[:4]}-{tid[4:]}")
        self.assertEqual(status, 303)
        self.assertEqual(h["location"], f"/lacak/{tid}")
        page = b.get(f"/lacak/{tid}")[2].decode()
        self.assertIn("Puskesmas tutup", page)
        self.assertIn("Riwayat", page)
        self.assertNotIn("Siti", page)  # never the reporter
        self.assertNotIn("0812", page)
        page = b.get(f"/lacak/{tid}?lang=en")[2].decode()
        self.assertIn("History", page)
        self.assertIn("Health", page)
        status, _, raw = b.get("/lacak/0000000000")
        self.assertEqual(status, 404)
        self.assertIn("Tidak ada laporan dengan nomor lacak itu.", raw.decode())

    def test_script_title_is_escaped_on_tracking_page(self):
        b = Browser()
        evil = "<script>alert('x')</script> jalan rusak"
        status, headers, _ = submit(b, title=evil, body="Isi <img src=x onerror=alert(1)> panjang.")
        self.assertEqual(status, 303)
        tid = tracking_from(headers)
        for path in (f"/lacak/{tid}", f"/lacak/{tid}?lang=en"):
            page = b.get(path)[2].decode()
            self.assertNotIn("<script>", page)
            self.assertNotIn("<img", page)
            self.assertIn("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; jalan rusak", page)

    def test_confidential_shows_no_content(self):
        b = Browser()
        status, headers, _ = submit(b, title="Pungutan liar di kantor", privacy="confidential")
        self.assertEqual(status, 303)
        page = b.get(f"/lacak/{tracking_from(headers)}")[2].decode()
        self.assertNotIn("Pungutan liar", page)
        self.assertIn("rahasia", page)

    def test_kit_qr_code_attributes_the_complaint_to_the_visit(self):
        visit = "65f0a1b2c3d4e5f601234567"
        b = Browser()
        status, _, raw = b.get(f"/lapor?wilayah={VILLAGE}&kunjungan={visit}")
        self.assertEqual(status, 200)
        page = raw.decode()
        self.assertIn(f'name="kunjungan" value="{visit}"', page)
        token = html.unescape(re.search(r'name="csrf" value="([^"]+)"', page).group(1))
        form_id = re.search(r'name="form" value="([^"]+)"', page).group(1)
        status, headers, _ = b.post("/lapor", complaint_form(
            token, form=form_id, kunjungan=visit, phone="0813 1111 2222", title="Sumur desa kering",
            body="Sumur umum desa kering sejak kemarau, warga membeli air."))
        self.assertEqual(status, 303)
        doc = SYSTEM.db.complaints.find_one({"tracking_id": tracking_from(headers)})
        self.assertEqual(doc["visit_id"], visit)
        # A malformed id from a doctored link is dropped, not stored.
        token = b.form_token()
        status, headers, _ = b.post("/lapor", complaint_form(
            token, form=b.form_id, kunjungan="<script>", phone="0813 3333 4444", title="Lampu jalan mati",
            body="Lampu jalan di depan balai desa mati sejak sebulan."))
        self.assertEqual(status, 303)
        doc = SYSTEM.db.complaints.find_one({"tracking_id": tracking_from(headers)})
        self.assertNotIn("visit_id", doc)

    def test_json_api_untouched(self):
        status, _, raw = Browser().get("/api/v1/complaints/0000000000")
        self.assertEqual(status, 404)
        self.assertIn(b'"error"', raw)


if __name__ == "__main__":
    unittest.main()
