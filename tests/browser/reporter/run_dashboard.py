"""Starts a private lapor with some complaints and runs dashboard.test.js (Node +
playwright-core from tests/browser/node_modules + Debian's Chromium) against the
reporter's dashboard. Screenshots go to $LAPOR_ARTIFACTS_DIR (ctest:
<build>/artifacts/browser/dashboard*.png)."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "integration"))

from harness import System, http, wait_until  # noqa: E402

CASES = [("64.01.01.2009", "kesehatan"), ("64.72.01.1001", "kesehatan"),
         ("64.01.01.2009", "infrastruktur")]


def main():
    if not (HERE.parent / "node_modules" / "playwright-core").is_dir():
        print("run_dashboard: run `npm ci` in tests/browser first", file=sys.stderr)
        return 1
    build = Path(os.environ.get("LAPOR_BUILD_DIR") or HERE.parents[2] / "build").resolve()
    artifacts = Path(os.environ.get("LAPOR_ARTIFACTS_DIR") or build / "artifacts" / "browser")
    artifacts.mkdir(parents=True, exist_ok=True)
    with System() as system:
        for i in range(9):
            region, category = CASES[i % 3]
            status, _, body = http("POST", system.intake_url("/api/v1/complaints"), {
                "title": f"Keluhan contoh {i} <b>tebal</b>", "region": region,
                "body": f"Laporan nomor {i} untuk dasbor, dengan teks yang cukup panjang {i * 7}.",
                "category": category, "privacy": ["public", "anonymous", "confidential"][i % 3]})
            assert status == 201, body
        db = system.db
        wait_until(lambda: db.complaints.count_documents({"status": "disposed"}) == 9, 60,
                   "every complaint to be disposed")
        wait_until(lambda: http("GET", system.reporter_url("/api/v1/stats?group_by=none"))[2]
                   .get("total") == 9, 60, "the roll-ups to count every complaint")
        env = dict(os.environ, LAPOR_REPORTER_URL=system.reporter_url("").rstrip("/"),
                   LAPOR_ARTIFACTS_DIR=str(artifacts),
                   LAPOR_CHROMIUM=os.environ.get("LAPOR_CHROMIUM", "/usr/bin/chromium"))
        proc = subprocess.run(["node", "--test", "--test-reporter=spec", "dashboard.test.js"],
                              cwd=HERE, env=env, timeout=300, stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            system.dump_logs()
    print(f"run_dashboard: screenshots in {artifacts}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
