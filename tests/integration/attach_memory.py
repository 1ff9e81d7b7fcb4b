"""Measures intake's peak memory (VmHWM) around 10 MB uploads, for docs/attachments.md.

Not a test (ctest does not run it): starts a private lapor, then uploads a 10 MB
JPEG photo (5.4 megapixels of colour noise, which compresses worst) and a 10 MB
PDF, and prints intake's resident peak before and after each.

    LAPOR_BUILD_DIR=$PWD/../../build /usr/bin/python3 attach_memory.py
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import System, http
from test_attachments import multipart

LIMIT = 10 * 1024 * 1024


def peak_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def big_jpeg(tmp):
    bands = []
    for b in "rgb":
        subprocess.run(["vips", "gaussnoise", f"{tmp}/n{b}.v", "2700", "2000", "--sigma", "40"],
                       check=True)
        subprocess.run(["vips", "cast", f"{tmp}/n{b}.v", f"{tmp}/u{b}.v", "uchar"], check=True)
        bands.append(f"{tmp}/u{b}.v")
    subprocess.run(["vips", "bandjoin", " ".join(bands), f"{tmp}/c.v"], check=True)
    subprocess.run(["vips", "jpegsave", f"{tmp}/c.v", f"{tmp}/big.jpg", "--Q", "95"], check=True)
    data = Path(f"{tmp}/big.jpg").read_bytes()
    assert len(data) <= LIMIT, len(data)
    return data


def main():
    tmp = tempfile.mkdtemp(prefix="lapor-mem-")
    jpeg = big_jpeg(tmp)
    pdf = b"%PDF-1.4\n" + os.urandom(LIMIT - 32) + b"\n%%EOF\n"
    with System() as s:
        pid = s.procs["intake"].pid
        status, _, answer = http("POST", s.intake_url("/api/v1/complaints"), {
            "title": "Ukur memori", "body": "Mengukur memori unggahan lampiran sepuluh megabita.",
            "category": "kesehatan", "region": "64.01.01.2009", "privacy": "public"})
        assert status == 201, answer
        tid = answer["tracking_id"]
        time.sleep(1)
        print(f"intake after start and one complaint: VmHWM {peak_kib(pid) / 1024:.1f} MiB")
        subprocess.run(["vips", "extract_area", f"{tmp}/c.v", f"{tmp}/s.v", "0", "0", "64", "48"],
                       check=True)
        subprocess.run(["vips", "jpegsave", f"{tmp}/s.v", f"{tmp}/s.jpg"], check=True)
        small = Path(f"{tmp}/s.jpg").read_bytes()
        # The PDF first (no decoding), then a tiny photo (libvips' own start-up), then
        # the 10 MB photo: each step's growth is its own.
        for name, ctype, data in (("surat.pdf", "application/pdf", pdf),
                                  ("kecil.jpg", "image/jpeg", small),
                                  ("foto.jpg", "image/jpeg", jpeg)):
            body, content_type = multipart({}, [("file", name, ctype, data)])
            started = time.monotonic()
            status, _, answer = http("POST", s.intake_url(f"/api/v1/complaints/{tid}/attachments"),
                                     body, {"Content-Type": content_type}, timeout=120)
            took = time.monotonic() - started
            assert status == 201, answer
            print(f"after a {len(data) / 1048576:.1f} MiB {ctype} upload ({took:.1f} s): "
                  f"VmHWM {peak_kib(pid) / 1024:.1f} MiB")
    subprocess.run(["rm", "-rf", tmp], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
