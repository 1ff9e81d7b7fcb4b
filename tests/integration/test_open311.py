"""The Open311 GeoReport v2 channel of intake: services (JSON and XML), service
definitions, keyed POSTs, reading requests by id, filters and tokens, status
mapping, privacy, hostile input and key revocation."""

import datetime
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from harness import System, SystemTestCase, http, wait_until

SYSTEM = None
KEY = None
ADMIN = None
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def setUpModule():
    global SYSTEM, KEY, ADMIN
    SYSTEM = System()
    SYSTEM.__enter__()
    KEY = SYSTEM.laporctl("open311-key", "add", "Aplikasi Warga").stdout.strip()
    ADMIN = SYSTEM.laporctl("admin-key", "add", "Koordinator Open311").stdout.strip()


def tearDownModule():
    if SYSTEM is not None:
        SYSTEM.__exit__(None, None, None)


def url(path):
    return SYSTEM.intake_url("/open311/v2/" + path)


def post(fields, path="requests.json", key=None):
    """POSTs fields (a dict or a list of pairs; None values left out) as a form."""
    pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
    if key is not False:
        pairs.insert(0, ("api_key", key or KEY))
    body = urllib.parse.urlencode([(k, v) for k, v in pairs if v is not None])
    return http("POST", url(path), body, FORM)


def request(description, **extra):
    fields = {"service_code": "kesehatan", "description": description,
              "address_string": "Samurangau, Batu Sopang"}
    fields.update(extra)
    return fields


def doc_of(tid):
    return SYSTEM.db.complaints.find_one({"tracking_id": tid})


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


class Open311Test(SystemTestCase):
    def assertOpen311Error(self, answer, status, code, field=None):
        got_status, _, body = answer
        self.assertEqual(got_status, status, body)
        self.assertIsInstance(body, list, body)
        self.assertEqual(body[0]["code"], code, body)
        if field:
            self.assertTrue(body[0]["description"].startswith(field + ":"), body)

    def test_services_json_and_xml(self):
        status, headers, services = http("GET", url("services.json"))
        self.assertEqual(status, 200, services)
        by_code = {s["service_code"]: s for s in services}
        self.assertEqual(len(services), 13)
        k = by_code["kesehatan"]
        self.assertEqual((k["service_name"], k["type"], k["metadata"], k["group"]),
                         ("Kesehatan", "realtime", True, "Layanan dasar"))
        self.assertTrue(k["keywords"] and "Health" in k["description"])

        status, headers, text = http("GET", url("services.xml"))
        self.assertEqual(status, 200, text)
        self.assertTrue(headers["content-type"].startswith("application/xml"))
        root = ET.fromstring(text.encode("utf-8"))
        self.assertEqual(root.tag, "services")
        codes = [s.findtext("service_code") for s in root.findall("service")]
        self.assertEqual(sorted(codes), sorted(by_code))
        self.assertEqual(root.find("service").findtext("metadata"), "true")

    def test_service_definition(self):
        status, _, d = http("GET", url("services/pendidikan.json"))
        self.assertEqual(status, 200, d)
        self.assertEqual(d["service_code"], "pendidikan")
        codes = [a["code"] for a in d["attributes"]]
        self.assertEqual(codes[0], "report_type")
        self.assertIn("nama_sekolah", codes)
        rt = d["attributes"][0]
        self.assertEqual(rt["datatype"], "singlevaluelist")
        self.assertEqual([v["key"] for v in rt["values"]],
                         ["pengaduan", "aspirasi", "permintaan_informasi"])
        self.assertEqual([a["order"] for a in d["attributes"]],
                         list(range(1, len(codes) + 1)))
        status, _, d = http("GET", url("services/kependudukan.xml"))
        root = ET.fromstring(d.encode("utf-8"))
        attrs = root.find("attributes").findall("attribute")
        jenis = [a for a in attrs if a.findtext("code") == "jenis_dokumen"][0]
        self.assertEqual(jenis.findtext("required"), "true")
        self.assertTrue(jenis.find("values").findall("value"))
        self.assertOpen311Error(http("GET", url("services/sihir.json")), 404, 404, "service_code")
        self.assertOpen311Error(http("GET", url("services/kesehatan.html")), 404, 404)
        self.assertOpen311Error(http("GET", url("nothing.json")), 404, 404)

    def test_post_needs_a_key(self):
        before = SYSTEM.db.complaints.count_documents({})
        fields = request("Puskesmas tutup sejak seminggu lalu.")
        self.assertOpen311Error(post(fields, key=False), 403, 403, "api_key")
        self.assertOpen311Error(post(fields, key="lpk_" + "x" * 43), 403, 403, "api_key")
        self.assertOpen311Error(post(fields, key="x" * 5000), 403, 403, "api_key")
        # An admin key is not an Open311 key.
        self.assertOpen311Error(post(fields, key=ADMIN), 403, 403, "api_key")
        # XML errors too.
        status, _, text = post(fields, path="requests.xml", key=False)
        self.assertEqual(status, 403)
        root = ET.fromstring(text.encode("utf-8"))
        self.assertEqual((root.tag, root.find("error").findtext("code")), ("errors", "403"))
        self.assertEqual(SYSTEM.db.complaints.count_documents({}), before)

    def test_bad_posts(self):
        before = SYSTEM.db.complaints.count_documents({})
        cases = [
            (request("Puskesmas tutup sejak seminggu.", service_code="sihir"), "service_code"),
            ({"description": "Puskesmas tutup sejak seminggu.", "lat": "1", "long": "1"},
             "service_code"),
            (request("Puskesmas tutup sejak seminggu.", service_code='{"$gt": ""}'),
             "service_code"),
            (list(request("Puskesmas tutup sejak seminggu.").items()) + [("service_code", "pendidikan")],
             "service_code"),
            (request("Puskesmas tutup sejak seminggu.", **{"$where": "1"}), "$where"),
            (request("Puskesmas tutup sejak seminggu.", **{"attribute[nama_sekolah]": "SD 1"}),
             "attribute[nama_sekolah]"),
            (request("pendek"), "description"),
            (request("Puskesmas tutup sejak seminggu.", address_string="Jalan Mawar"),
             "address_string"),
            ({"service_code": "kesehatan", "description": "Puskesmas tutup sejak seminggu."},
             "lat"),
            (request("Puskesmas tutup sejak seminggu.", lat="1" * 400, long="1"), "lat"),
            (request("Puskesmas tutup sejak seminggu.", phone="12345"), "phone"),
            ({"service_code": "kependudukan", "description": "KTP saya belum jadi tiga bulan.",
              "address_id": "64.01"}, "attribute[jenis_dokumen]"),
        ]
        for fields, field in cases:
            with self.subTest(field=field):
                self.assertOpen311Error(post(fields), 400, 400, field)
        # Bytes that are not UTF-8, a NUL, a broken escape.
        for raw in ("description=%FF%FE", "description=a%00b", "description=%zz"):
            body = f"api_key={KEY}&service_code=kesehatan&address_id=64.01&" + raw
            self.assertOpen311Error(http("POST", url("requests.json"), body, FORM), 400, 400,
                                    "description")
        self.assertOpen311Error(http("POST", url("requests.json"), '{"a":1}',
                                     {"Content-Type": "application/json"}), 400, 400,
                                "Content-Type")
        self.assertEqual(SYSTEM.db.complaints.count_documents({}), before)

    def test_post_then_read(self):
        status, headers, body = post(request(
            "Puskesmas Samurangau tutup sejak seminggu lalu, warga harus ke kota untuk berobat.",
            first_name="Siti", last_name="Aminah", phone="0812 3456 7890",
            email="siti@example.id", lat="-1.7512", long="115.9021",
            **{"attribute[nama_fasilitas]": "Puskesmas Samurangau",
               "attribute[report_type]": "pengaduan"}))
        self.assertEqual(status, 201, body)
        self.assertEqual(len(body), 1)
        tid = body[0]["service_request_id"]
        self.assertIsNone(body[0]["account_id"])
        self.assertTrue(body[0]["service_notice"])
        d = doc_of(tid)
        self.assertEqual((d["channel"], d["category"], d["region"]["code"]),
                         ("open311", "kesehatan", "64.01.01.2009"))
        self.assertEqual(d["title"], "Puskesmas Samurangau tutup sejak seminggu lalu, warga harus "
                                     "ke kota...")
        self.assertEqual(d["attributes"], {"nama_fasilitas": "Puskesmas Samurangau"})
        self.assertEqual(d["location"]["coordinates"], [115.9021, -1.7512])

        status, _, items = http("GET", url(f"requests/{tid}.json"))
        self.assertEqual(status, 200, items)
        r = items[0]
        self.assertEqual((r["service_request_id"], r["status"], r["service_code"],
                          r["service_name"], r["address_id"]),
                         (tid, "open", "kesehatan", "Kesehatan", "64.01.01.2009"))
        self.assertIn("Samurangau", r["address"])
        self.assertEqual((r["lat"], r["long"]), (-1.7512, 115.9021))
        self.assertTrue(r["requested_datetime"].endswith("Z"))
        self.assertNotIn("Siti", str(items))
        self.assertNotIn("0812", str(items))

        # The router disposes it: the agency shows up.
        wait_until(lambda: doc_of(tid)["status"] == "disposed", 20, "disposition")
        _, _, items = http("GET", url(f"requests/{tid}.json"))
        self.assertEqual(items[0]["agency_responsible"], doc_of(tid)["agency"]["name"])
        self.assertTrue(items[0]["expected_datetime"])

        # By filters, by id lists, as XML, and the token.
        _, _, items = http("GET", url("requests.json?service_code=kesehatan&status=open"))
        self.assertIn(tid, [i["service_request_id"] for i in items])
        _, _, items = http("GET", url("requests.json?service_code=pendidikan"))
        self.assertNotIn(tid, [i["service_request_id"] for i in items])
        _, _, items = http("GET", url("requests.json?status=closed"))
        self.assertNotIn(tid, [i["service_request_id"] for i in items])
        now = datetime.datetime.now(datetime.timezone.utc)
        q = urllib.parse.urlencode({"start_date": iso(now - datetime.timedelta(hours=1)),
                                    "end_date": iso(now + datetime.timedelta(hours=1))})
        _, _, items = http("GET", url("requests.json?" + q))
        self.assertIn(tid, [i["service_request_id"] for i in items])
        q = urllib.parse.urlencode({"start_date": iso(now - datetime.timedelta(days=30)),
                                    "end_date": iso(now - datetime.timedelta(days=20))})
        _, _, items = http("GET", url("requests.json?" + q))
        self.assertNotIn(tid, [i["service_request_id"] for i in items])
        _, _, items = http("GET", url(f"requests.json?service_request_id={tid},4821093753"))
        self.assertEqual([i["service_request_id"] for i in items], [tid])
        status, _, text = http("GET", url(f"requests/{tid}.xml"))
        root = ET.fromstring(text.encode("utf-8"))
        self.assertEqual(root.tag, "service_requests")
        self.assertEqual(root.find("request").findtext("service_request_id"), tid)
        status, _, tok = http("GET", url(f"tokens/{tid}.json"))
        self.assertEqual((status, tok[0]["service_request_id"]), (200, tid))
        self.assertOpen311Error(http("GET", url("tokens/1234567890.json")), 404, 404, "token")
        self.assertOpen311Error(http("GET", url("requests/1234567890.json")), 404, 404)
        self.assertOpen311Error(http("GET", url("requests/abc.json")), 404, 404)

    def test_filters_refused(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        wide = urllib.parse.urlencode({"start_date": iso(now - datetime.timedelta(days=91)),
                                       "end_date": iso(now)})
        for query, field in ((wide, "start_date"),
                             ("start_date=yesterday", "start_date"),
                             ("end_date=2025-13-01", "end_date"),
                             ("status=pending", "status"),
                             ("service_code=sihir", "service_code"),
                             ("service_code[$ne]=x&service_code=%7B%22%24ne%22%3A1%7D",
                              "service_code"),
                             ("service_request_id=99999999999999999999999", "service_request_id")):
            with self.subTest(query=query):
                self.assertOpen311Error(http("GET", url("requests.json?" + query)), 400, 400, field)

    def test_lat_long_only_and_address_id(self):
        status, _, body = post({"service_code": "infrastruktur", "lat": "-0.5021",
                                "long": "117.1536", "description":
                                "Jembatan kayu di kampung kami patah, anak sekolah memutar jauh.",
                                "attribute[jenis_kerusakan]": "jembatan"})
        self.assertEqual(status, 201, body)
        d = doc_of(body[0]["service_request_id"])
        self.assertEqual(d["region"]["code"], "64")
        status, _, body = post({"service_code": "pendidikan", "address_id": "64.01.01.2009",
                                "description": "Atap ruang kelas SD bocor setiap hujan turun.",
                                "title": "Atap sekolah bocor",
                                "attribute[report_type]": "aspirasi",
                                "attribute[nama_sekolah]": "SDN 001 Batu Sopang"})
        self.assertEqual(status, 201, body)
        d = doc_of(body[0]["service_request_id"])
        self.assertEqual((d["title"], d["type"], d["region"]["code"]),
                         ("Atap sekolah bocor", "aspirasi", "64.01.01.2009"))

    def test_privacy(self):
        secret = "Kepala puskesmas meminta uang pelicin CANARY-CONF untuk surat rujukan."
        status, _, body = post(request(secret, privacy="confidential", first_name="CANARY-NAME",
                                       phone="081299998888", lat="-1.7", long="115.9"))
        self.assertEqual(status, 201, body)
        conf = body[0]["service_request_id"]
        status, _, body = post(request("Obat di puskesmas kosong CANARY-ANON sejak dua minggu.",
                                       privacy="anonymous", first_name="CANARY-ANONNAME",
                                       email="anon@example.id", lat="-1.7", long="115.9"))
        self.assertEqual(status, 201, body)
        anon = body[0]["service_request_id"]
        self.assertNotIn("name", doc_of(anon).get("reporter", {}))
        for path in (f"requests/{conf}.json", f"requests/{anon}.json",
                     f"requests.json?service_request_id={conf},{anon}", "requests.json",
                     f"requests/{conf}.xml", "requests.xml"):
            status, _, answer = http("GET", url(path))
            self.assertEqual(status, 200, answer)
            text = str(answer)
            for canary in ("CANARY-CONF", "CANARY-NAME", "CANARY-ANONNAME", "081299998888",
                           "anon@example.id"):
                self.assertNotIn(canary, text, path)
        _, _, items = http("GET", url(f"requests.json?service_request_id={conf},{anon}"))
        by_id = {i["service_request_id"]: i for i in items}
        self.assertNotIn("description", by_id[conf])
        self.assertIn("CANARY-ANON", by_id[anon]["description"])
        for i in items:
            self.assertNotIn("lat", i)

    def test_status_mapping(self):
        _, _, a = post(request("Puskesmas pembantu tutup terus sejak awal bulan ini."))
        _, _, b = post(request("Pertanyaan umum tentang sesuatu yang tidak jelas sama sekali.",
                               service_code="lainnya", phone="081211112222"))
        a, b = a[0]["service_request_id"], b[0]["service_request_id"]
        wait_until(lambda: doc_of(a)["status"] == "disposed", 20, "disposition")
        # As if the agency had resolved it.
        SYSTEM.db.complaints.update_one({"tracking_id": a}, {"$set": {
            "status": "resolved", "resolved_at": int(time.time() * 1000)}})
        # The triage desk archives the other, if the router left it there; a disposed
        # one is archived in the database.
        wait_until(lambda: "triage" in doc_of(b) or doc_of(b)["status"] == "disposed", 20,
                   "the router to handle it")
        if doc_of(b)["status"] == "received":
            status, _, answer = http(
                "POST", SYSTEM.intake_url(f"/api/v1/admin/complaints/{b}/archive"),
                {"reason": "too_general"}, {"Authorization": f"Bearer {ADMIN}"})
            self.assertEqual(status, 200, answer)
        else:
            SYSTEM.db.complaints.update_one({"tracking_id": b}, {"$set": {"status": "archived"}})
        _, _, items = http("GET", url(f"requests.json?service_request_id={a},{b}"))
        self.assertEqual({i["service_request_id"]: i["status"] for i in items},
                         {a: "closed", b: "closed"})
        _, _, items = http("GET", url("requests.json?status=closed"))
        ids = [i["service_request_id"] for i in items]
        self.assertIn(a, ids)
        self.assertIn(b, ids)
        _, _, items = http("GET", url("requests.json?status=open"))
        self.assertNotIn(a, [i["service_request_id"] for i in items])

    def test_key_revocation(self):
        key = SYSTEM.laporctl("open311-key", "add", "Aplikasi Sementara").stdout.strip()
        fields = request("Lampu puskesmas mati setiap malam sejak minggu lalu.")
        status, _, body = post(fields, key=key)
        self.assertEqual(status, 201, body)
        SYSTEM.laporctl("open311-key", "revoke", key)
        self.assertOpen311Error(post(fields, key=key), 403, 403, "api_key")
        key2 = SYSTEM.laporctl("open311-key", "add", "Aplikasi Sementara").stdout.strip()
        res = SYSTEM.laporctl("open311-key", "revoke", "Aplikasi Sementara")
        self.assertIn("1 key(s)", res.stdout)
        self.assertOpen311Error(post(fields, key=key2), 403, 403, "api_key")
        # Revoking an Open311 client leaves admin keys alone, and the other client works.
        self.assertEqual(SYSTEM.laporctl("open311-key", "revoke", "Koordinator Open311",
                                         check=False).returncode, 1)
        status, _, body = post(request("Antrean di puskesmas sangat panjang setiap pagi hari."))
        self.assertEqual(status, 201, body)


if __name__ == "__main__":
    unittest.main()
