"""Attachments (issue 11): photos and documents with a complaint, cleaned, stored in
GridFS, served by the complaint's privacy.

Images are made here with the libvips command line (`vips`), and their metadata is
written and read back with `exiftool` (Debian: libvips-tools, libimage-exiftool-perl).

    LAPOR_BUILD_DIR=$PWD/../../build /usr/bin/python3 -m unittest -v test_attachments
"""

import html
import http.cookiejar as cookiejar
import json
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from pathlib import Path

from harness import System, SystemTestCase, http, wait_until

SYSTEM = None
TMP = None
KEYS = {}
A, B = "paser-dinkes", "paser-disdik"
VILLAGE = "64.01.01.2009"
BUCKET = "lampiran"
CANARY_SERIAL = "CANARY-SN-0042"
TIMEOUT_S = 30


def setUpModule():
    global SYSTEM, TMP
    TMP = Path(tempfile.mkdtemp(prefix="lapor-attach-"))
    # A short orphan grace, so the sweeper is seen at work within the test.
    SYSTEM = System(extra_env={"LAPOR_ATTACH_ORPHAN_MS": "3000",
                               "LAPOR_SPOOL_DIR": str(TMP)}).__enter__()
    AttachmentTest.system = SYSTEM
    for agency in (A, B):
        KEYS[agency] = SYSTEM.laporctl("agency-key", "add", agency).stdout.strip()


def tearDownModule():
    global SYSTEM
    if SYSTEM is not None:
        SYSTEM.close()
        SYSTEM = None
    if TMP is not None:
        shutil.rmtree(TMP, ignore_errors=True)


# -- files made by the test ----------------------------------------------------------------

def run(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def noise_jpeg(name, width=640, height=480):
    """A JPEG of random grey noise (so it compresses like a photo)."""
    base = TMP / f"{name}.v"
    run("vips", "gaussnoise", str(base), str(width), str(height))
    run("vips", "cast", str(base), str(TMP / f"{name}-u8.v"), "uchar")
    run("vips", "bandjoin", f"{TMP / (name + '-u8.v')} {TMP / (name + '-u8.v')} "
        f"{TMP / (name + '-u8.v')}", str(TMP / f"{name}-rgb.v"))
    out = TMP / f"{name}.jpg"
    run("vips", "jpegsave", str(TMP / f"{name}-rgb.v"), str(out))
    return out


def camera_photo():
    """A 640x480 JPEG as a phone writes it: GPS position, camera serial, make, XMP,
    IPTC, and an orientation tag saying "rotate 90 degrees clockwise to view"."""
    path = noise_jpeg("camera")
    run("exiftool", "-q", "-overwrite_original", "-GPSLatitude=1.25", "-GPSLatitudeRef=S",
        "-GPSLongitude=116.83", "-GPSLongitudeRef=E", f"-SerialNumber={CANARY_SERIAL}",
        "-Make=CanaryCam", "-Orientation#=6", "-XMP:Creator=CanaryXMP",
        "-IPTC:Keywords=CanaryIPTC", str(path))
    tags = exif_tags(path.read_bytes())
    assert tags.get("ExifIFD:SerialNumber") == CANARY_SERIAL, tags
    assert "GPS:GPSLatitude" in tags, tags
    return path.read_bytes()


def exif_tags(data):
    """Every tag exiftool finds in data, as {"Group:Tag": value}."""
    path = TMP / f"read-{uuid.uuid4().hex}.bin"
    path.write_bytes(data)
    out = json.loads(run("exiftool", "-j", "-G1", "-a", str(path)))[0]
    path.unlink()
    return out


def huge_png(width=30000, height=30000):
    """A valid PNG header that announces width x height pixels, with a tiny
    compressed first row: a decompression bomb as far as the header goes."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * (width + 1) * 4)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) +
            chunk(b"IEND", b""))


def small_pdf():
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")


# -- requests --------------------------------------------------------------------------------

def multipart(fields, files):
    """(body, content type) of a multipart/form-data request. files: (field, filename,
    content type, bytes)."""
    boundary = "----lapor" + uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n").encode()
    for field, filename, ctype, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: {ctype}\r\n\r\n").encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def submit_json(privacy="public", category="kesehatan"):
    status, _, answer = http("POST", SYSTEM.intake_url("/api/v1/complaints"), {
        "title": f"Jalan rusak {uuid.uuid4().hex[:5]}",
        "body": f"Jalan di depan puskesmas berlubang dan banjir ({uuid.uuid4().hex}).",
        "category": category, "region": VILLAGE, "privacy": privacy,
        "reporter": {"name": "Siti", "email": f"w-{uuid.uuid4().hex[:8]}@desa.example"}})
    assert status == 201, answer
    return answer["tracking_id"], answer["pin"]


def attach(tid, files, **fields):
    body, ctype = multipart(fields, files)
    return http("POST", SYSTEM.intake_url(f"/api/v1/complaints/{tid}/attachments"), body,
                {"Content-Type": ctype}, timeout=60)


def get_raw(path, headers=None):
    req = urllib.request.Request(SYSTEM.intake_url(path), headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def stored_files():
    return SYSTEM.db[f"{BUCKET}.files"].count_documents({})


def attachments_of(tid):
    return SYSTEM.db.complaints.find_one({"tracking_id": tid}).get("attachments", [])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class AttachmentTest(SystemTestCase):
    maxDiff = None

    # -- the web form ---------------------------------------------------------------------

    def test_a_web_form_photo_is_cleaned_and_upright(self):
        jar = cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar),
                                             _NoRedirect())
        with opener.open(SYSTEM.intake_url(f"/lapor?wilayah={VILLAGE}"), timeout=10) as resp:
            page = resp.read().decode()
        self.assertIn('enctype="multipart/form-data"', page)
        self.assertIn('type="file" id="lampiran" name="lampiran" multiple', page)
        token = html.unescape(re.search(r'name="csrf" value="([^"]+)"', page).group(1))
        form_id = re.search(r'name="form" value="([^"]+)"', page).group(1)
        fields = {"csrf": token, "form": form_id, "lang": "id", "region": VILLAGE,
                  "type": "pengaduan", "title": "Sekolah banjir",
                  "body": f"Halaman SD negeri banjir setiap hujan ({uuid.uuid4().hex}).",
                  "category": "infrastruktur", "privacy": "public", "name": "", "phone": "",
                  "email": ""}
        photo = camera_photo()
        body, ctype = multipart(fields, [("lampiran", "IMG_0042.jpg", "image/jpeg", photo),
                                         ("lampiran", "", "application/octet-stream", b"")])
        req = urllib.request.Request(SYSTEM.intake_url("/lapor"), data=body, method="POST",
                                     headers={"Content-Type": ctype})
        try:
            opener.open(req, timeout=60)
            self.fail("no redirect")
        except urllib.error.HTTPError as err:
            self.assertEqual(err.code, 303, err.read()[:2000])
            tid = re.match(r"/lapor/terkirim/(\d{10})", err.headers["Location"]).group(1)
        refs = attachments_of(tid)
        self.assertEqual(len(refs), 1)
        ref = refs[0]
        self.assertRegex(ref["id"], r"^[0-9a-f]{32}$")
        self.assertEqual(ref["type"], "jpeg")
        # Upright: the 640x480 picture tagged "rotate 90 CW" is stored 480x640.
        self.assertEqual((ref["width"], ref["height"]), (480, 640))
        status, headers, data = get_raw(f"/media/{ref['id']}")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "image/jpeg")
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        self.assertTrue(headers["content-disposition"].startswith("inline"))
        self.assertIn("default-src 'none'", headers["content-security-policy"])
        self.assertIn("sandbox", headers["content-security-policy"])
        tags = exif_tags(data)
        self.assertEqual((tags["File:ImageWidth"], tags["File:ImageHeight"]), (480, 640))
        leaked = [k for k in tags if k.split(":")[0] in
                  ("IFD0", "IFD1", "ExifIFD", "GPS", "XMP-x", "XMP-dc", "IPTC", "ICC_Profile",
                   "MakerNotes", "Composite")
                  and not k.startswith("Composite:ImageSize") and
                  not k.startswith("Composite:Megapixels")]
        self.assertEqual(leaked, [], tags)
        self.assertNotIn(CANARY_SERIAL.encode(), data)
        self.assertNotIn(b"Canary", data)
        # The original is never stored: every stored file is the cleaned one or its thumbnail.
        for f in SYSTEM.db[f"{BUCKET}.files"].find({"metadata.aid": ref["id"]}):
            self.assertIn(f["metadata"]["role"], ("file", "thumb"))
        thumb_status, thumb_headers, thumb = get_raw(f"/media/{ref['id']}/thumb")
        self.assertEqual(thumb_status, 200)
        self.assertEqual(thumb_headers["content-type"], "image/jpeg")
        ttags = exif_tags(thumb)
        self.assertLessEqual(max(ttags["File:ImageWidth"], ttags["File:ImageHeight"]), 320)
        # The tracking page shows the thumbnail, linked to the file.
        status, _, page = get_raw(f"/lacak/{tid}")
        page = page.decode()
        self.assertEqual(status, 200)
        self.assertIn(f'href="/media/{ref["id"]}"', page)
        self.assertIn(f'src="/media/{ref["id"]}/thumb"', page)
        # The public JSON view lists it too.
        status, _, view = http("GET", SYSTEM.intake_url(f"/api/v1/complaints/{tid}"))
        self.assertEqual([a["id"] for a in view["attachments"]], [ref["id"]])

    # -- refusals -------------------------------------------------------------------------

    def test_b_refusals_name_the_file_and_store_nothing(self):
        tid, _ = submit_json()
        before = stored_files()
        jpeg = noise_jpeg("small", 64, 48).read_bytes()
        big_jpeg = noise_jpeg("big", 800, 600).read_bytes()
        cases = [
            ("wrong type with an image name", [("file", "foto.jpg", "image/jpeg",
                                                b"GIF89a\x01\x00\x01\x00" + b"\0" * 64)], 415,
             "foto.jpg"),
            ("a PDF claiming to be a JPEG", [("file", "foto2.jpg", "image/jpeg", small_pdf())],
             415, "foto2.jpg"),
            ("a truncated JPEG", [("file", "potong.jpg", "image/jpeg",
                                   big_jpeg[:len(big_jpeg) // 2])], 400, "potong.jpg"),
            ("a 30000 x 30000 PNG", [("file", "bom.png", "image/png", huge_png())], 400,
             "bom.png"),
            ("6 files", [("file", f"f{i}.jpg", "image/jpeg", jpeg) for i in range(6)], 400,
             "at most 5"),
            ("an 11 MB file", [("file", "besar.jpg", "image/jpeg",
                                jpeg[:3] + b"\0" * (11 * 1024 * 1024))], 413, "besar.jpg"),
        ]
        for what, files, want, named in cases:
            with self.subTest(what):
                status, _, answer = attach(tid, files)
                self.assertEqual(status, want, answer)
                self.assertEqual(answer["error"]["field"], "file", answer)
                self.assertIn(named, answer["error"]["message"])
                self.assertEqual(stored_files(), before, what)
                self.assertEqual(attachments_of(tid), [], what)
        # Intake is alive and well after all that.
        self.assertEqual(http("GET", SYSTEM.intake_url("/healthz"))[0], 200)

    def test_c_api_window_limit_pin_and_pdf(self):
        tid, pin = submit_json()
        jpeg = noise_jpeg("api", 320, 240).read_bytes()
        status, _, answer = attach(tid, [("file", "a.jpg", "image/jpeg", jpeg),
                                         ("file", "surat.pdf", "application/pdf", small_pdf())])
        self.assertEqual(status, 201, answer)
        self.assertEqual([(a["type"], a["width"], a["height"]) for a in answer["attachments"]],
                         [("image/jpeg", 320, 240), ("application/pdf", 0, 0)])
        self.assertEqual(answer["attachments"][0]["url"],
                         f"/media/{answer['attachments'][0]['id']}")
        refs = attachments_of(tid)
        self.assertEqual([r["type"] for r in refs], ["jpeg", "pdf"])
        pdf = refs[1]
        status, headers, data = get_raw(f"/media/{pdf['id']}")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/pdf")
        self.assertTrue(headers["content-disposition"].startswith("attachment"))
        self.assertEqual(data, small_pdf())
        self.assertEqual(get_raw(f"/media/{pdf['id']}/thumb")[0], 404)
        # A PNG with transparency and a WebP fill the five (the thumbnail of the PNG is a
        # JPEG on white); one more is refused, and nothing is left behind.
        png, webp = TMP / "alpha.png", TMP / "foto.webp"
        run("vips", "bandjoin_const", str(TMP / "api.jpg"), str(TMP / "alpha.v"), "128")
        run("vips", "pngsave", str(TMP / "alpha.v"), str(png))
        run("vips", "webpsave", str(TMP / "api.jpg"), str(webp))
        status, _, answer = attach(tid, [("file", "x.jpg", "image/jpeg", jpeg),
                                         ("file", "alpha.png", "image/png", png.read_bytes()),
                                         ("file", "foto.webp", "image/webp", webp.read_bytes())])
        self.assertEqual(status, 201, answer)
        self.assertEqual([a["type"] for a in answer["attachments"]],
                         ["image/jpeg", "image/png", "image/webp"])
        for a in answer["attachments"][1:]:
            status, headers, data = get_raw(a["url"])
            self.assertEqual((status, headers["content-type"]), (200, a["type"]))
            status, headers, data = get_raw(a["url"] + "/thumb")
            self.assertEqual((status, headers["content-type"]), (200, "image/jpeg"))
            self.assertEqual(data[:3], b"\xff\xd8\xff")
        before = stored_files()
        status, _, answer = attach(tid, [("file", "x6.jpg", "image/jpeg", jpeg)])
        self.assertEqual(status, 409, answer)
        self.assertEqual(stored_files(), before)
        self.assertEqual(len(attachments_of(tid)), 5)
        # After the upload window only the PIN lets the reporter add files.
        tid2, pin2 = submit_json()
        SYSTEM.db.complaints.update_one({"tracking_id": tid2},
                                        {"$inc": {"created_at": -2 * 3600 * 1000}})
        status, _, answer = attach(tid2, [("file", "a.jpg", "image/jpeg", jpeg)])
        self.assertEqual(status, 403, answer)
        self.assertEqual(answer["error"]["field"], "pin")
        wrong = "000000" if pin2 != "000000" else "111111"
        status, _, answer = attach(tid2, [("file", "a.jpg", "image/jpeg", jpeg)], pin=wrong)
        self.assertEqual(status, 403, answer)
        status, _, answer = attach(tid2, [("file", "a.jpg", "image/jpeg", jpeg)], pin=pin2)
        self.assertEqual(status, 201, answer)
        # Unguessable paths: a well-formed id nobody has, and junk, are both 404.
        self.assertEqual(get_raw("/media/" + "0" * 32)[0], 404)
        self.assertEqual(get_raw("/media/../etc/passwd")[0], 404)

    # -- privacy --------------------------------------------------------------------------

    def test_d_confidential_and_other_agency(self):
        tid, _ = submit_json(privacy="confidential")
        jpeg = noise_jpeg("conf", 320, 240).read_bytes()
        status, _, answer = attach(tid, [("file", "rahasia.jpg", "image/jpeg", jpeg)])
        self.assertEqual(status, 201, answer)
        aid = attachments_of(tid)[0]["id"]
        for path in (f"/media/{aid}", f"/media/{aid}/thumb"):
            self.assertEqual(get_raw(path)[0], 404, path)
        status, _, page = get_raw(f"/lacak/{tid}")
        self.assertNotIn(aid.encode(), page)
        status, _, view = http("GET", SYSTEM.intake_url(f"/api/v1/complaints/{tid}"))
        self.assertEqual(view["attachments"], [])
        self.assertNotIn(aid, json.dumps(view))
        # The agency it went to reads it; another agency gets 404, like for nothing at all.
        wait_until(lambda: (d := SYSTEM.db.complaints.find_one({"tracking_id": tid}))
                   and d["status"] == "disposed", TIMEOUT_S, "the disposition")
        path = f"/api/v1/agency/complaints/{tid}/attachments/{aid}"
        status, headers, data = get_raw(path, {"Authorization": f"Bearer {KEYS[A]}"})
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "image/jpeg")
        self.assertEqual(get_raw(path + "/thumb", {"Authorization": f"Bearer {KEYS[A]}"})[0], 200)
        self.assertEqual(get_raw(path, {"Authorization": f"Bearer {KEYS[B]}"})[0], 404)
        self.assertEqual(get_raw(path + "/thumb", {"Authorization": f"Bearer {KEYS[B]}"})[0], 404)
        self.assertEqual(get_raw(path)[0], 401)
        status, _, view = http("GET", SYSTEM.intake_url(f"/api/v1/agency/complaints/{tid}"),
                               headers={"Authorization": f"Bearer {KEYS[A]}"})
        self.assertEqual([a["id"] for a in view["attachments"]], [aid])
        # The portal's complaint page shows its thumbnail to a staff member of A, whose
        # session cookie opens it; B's staff get 404 for the file.
        cookies = {}
        for user, agency in (("siti.lampiran", A), ("budi.lampiran", B)):
            SYSTEM.laporctl("user", "add", user, "staff", "--agency", agency,
                            input="kata-sandi-lampiran-1\n")
            status, headers, answer = http("POST", SYSTEM.intake_url("/api/v1/session"),
                                           {"username": user, "password": "kata-sandi-lampiran-1"})
            self.assertEqual(status, 200, answer)
            cookies[agency] = headers["set-cookie"].split(";", 1)[0]
        status, _, page = get_raw(f"/portal/pengaduan/{tid}", {"Cookie": cookies[A]})
        self.assertEqual(status, 200)
        self.assertIn(f'src="{path}/thumb"'.encode(), page)
        self.assertEqual(get_raw(path + "/thumb", {"Cookie": cookies[A]})[0], 200)
        self.assertEqual(get_raw(path, {"Cookie": cookies[B]})[0], 404)
        # Open311 shows no media_url for it.
        status, _, answer = http("GET", SYSTEM.intake_url(f"/open311/v2/requests/{tid}.json"))
        self.assertEqual(status, 200, answer)
        self.assertIsNone(answer[0]["media_url"])

    def test_e_open311_media(self):
        key = SYSTEM.laporctl("open311-key", "add", "aplikasi-uji").stdout.strip()
        jpeg = noise_jpeg("o311", 320, 240).read_bytes()
        fields = {"api_key": key, "service_code": "infrastruktur", "address_id": VILLAGE,
                  "description": f"Jembatan kayu patah di dekat sekolah ({uuid.uuid4().hex})."}
        body, ctype = multipart(fields, [("media", "jembatan.jpg", "image/jpeg", jpeg)])
        status, _, answer = http("POST", SYSTEM.intake_url("/open311/v2/requests.json"), body,
                                 {"Content-Type": ctype}, timeout=60)
        self.assertEqual(status, 201, answer)
        tid = answer[0]["service_request_id"]
        aid = attachments_of(tid)[0]["id"]
        status, _, answer = http("GET", SYSTEM.intake_url(f"/open311/v2/requests/{tid}.json"))
        self.assertEqual(answer[0]["media_url"], SYSTEM.intake_url(f"/media/{aid}"))
        self.assertEqual(get_raw(f"/media/{aid}")[0], 200)
        # A bad file refuses the whole request: no complaint, nothing stored.
        before = (stored_files(), SYSTEM.db.complaints.count_documents({}))
        fields["description"] = f"Lampu jalan mati sejak sebulan ({uuid.uuid4().hex})."
        body, ctype = multipart(fields, [("media", "lampu.jpg", "image/jpeg", b"not a picture")])
        status, _, answer = http("POST", SYSTEM.intake_url("/open311/v2/requests.json"), body,
                                 {"Content-Type": ctype}, timeout=60)
        self.assertEqual(status, 415, answer)
        self.assertEqual(answer[0]["code"] if isinstance(answer, list) else None, 415)
        self.assertIn("lampu.jpg", answer[0]["description"])
        self.assertEqual((stored_files(), SYSTEM.db.complaints.count_documents({})), before)

    # -- erasure and orphans --------------------------------------------------------------

    def test_f_erasure_removes_personal_files(self):
        tid, _ = submit_json()
        jpeg = noise_jpeg("erase", 320, 240).read_bytes()
        status, _, answer = attach(tid, [("file", "ktp.jpg", "image/jpeg", jpeg)], personal="true")
        self.assertEqual(status, 201, answer)
        status, _, answer = attach(tid, [("file", "jalan.jpg", "image/jpeg", jpeg)])
        self.assertEqual(status, 201, answer)
        personal, public = attachments_of(tid)
        self.assertTrue(personal["personal"])
        # Personal files are never public, even on a public complaint.
        self.assertEqual(get_raw(f"/media/{personal['id']}")[0], 404)
        self.assertEqual(get_raw(f"/media/{public['id']}")[0], 200)
        SYSTEM.laporctl("erase", tid)
        self.assertEqual([a["id"] for a in attachments_of(tid)], [public["id"]])
        self.assertEqual(SYSTEM.db[f"{BUCKET}.files"].count_documents(
            {"metadata.aid": personal["id"]}), 0)
        self.assertEqual(SYSTEM.db[f"{BUCKET}.files"].count_documents(
            {"metadata.aid": public["id"]}), 2)

    def test_g_orphans_are_swept(self):
        # A file stored for a complaint write that never happened (a crash between
        # the two): the sweeper removes it once it is older than the grace time.
        bucket_files = SYSTEM.db[f"{BUCKET}.files"]
        import gridfs  # Debian's python3-pymongo
        fs = gridfs.GridFSBucket(SYSTEM.db, bucket_name=BUCKET)
        orphan = fs.upload_from_stream("x.file", b"orphan bytes",
                                       metadata={"aid": "f" * 32, "role": "file"})
        # The driver deletes the files document first, then the chunks.
        wait_until(lambda: bucket_files.count_documents({"_id": orphan}) == 0 and
                   SYSTEM.db[f"{BUCKET}.chunks"].count_documents({"files_id": orphan}) == 0,
                   90, "the orphan sweeper")


if __name__ == "__main__":
    unittest.main()
