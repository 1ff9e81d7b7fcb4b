"""Starts a private lapor (tests/integration/harness.py) and runs the browser tests
(web.test.js, portal.test.js: Node + playwright-core + Debian's Chromium) against it.

    cd tests/browser && npm ci && \
      LAPOR_BUILD_DIR=$PWD/../../build /usr/bin/python3 run_browser.py

Screenshots go to $LAPOR_ARTIFACTS_DIR (ctest: <build>/artifacts/browser).
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

from harness import System, http, wait_until  # noqa: E402

NODE_TIMEOUT_S = 300


def portal_fixture(system):
    """A staff member of paser-dinkes and an overdue complaint of theirs, with its PIN,
    for portal.test.js (as LAPOR_PORTAL_* variables)."""
    user, password = "siti.browser", "kata-sandi-browser-42"
    system.laporctl("user", "add", user, "staff", "--agency", "paser-dinkes",
                    input=password + "\n")
    status, _, answer = http("POST", system.intake_url("/api/v1/complaints"), {
        "title": "Obat anak habis di puskesmas",
        "body": "Puskesmas Samurangau kehabisan obat demam untuk anak-anak sejak minggu lalu.",
        "category": "kesehatan", "region": "64.01.01.2009", "privacy": "public",
        "reporter": {"name": "Warga Samurangau", "email": "warga.browser@desa.example"}})
    assert status == 201, answer
    tid = answer["tracking_id"]
    wait_until(lambda: (system.db.complaints.find_one({"tracking_id": tid}) or {})
               .get("status") == "disposed", 30, "the complaint to be disposed")
    # Overdue: its deadline passed an hour ago.
    system.db.complaints.update_one({"tracking_id": tid}, {"$set": {
        "deadline_at": int(time.time() * 1000) - 3600_000}})
    return {"LAPOR_PORTAL_USER": user, "LAPOR_PORTAL_PASSWORD": password,
            "LAPOR_PORTAL_TID": tid, "LAPOR_PORTAL_PIN": answer["pin"]}


def main():
    if not (HERE / "node_modules" / "playwright-core").is_dir():
        print("run_browser: tests/browser/node_modules is missing: run `npm ci` in tests/browser",
              file=sys.stderr)
        return 1
    chromium = os.environ.get("LAPOR_CHROMIUM", "/usr/bin/chromium")
    if not os.access(chromium, os.X_OK):
        print(f"run_browser: no browser at {chromium} (Debian package chromium)", file=sys.stderr)
        return 1
    build = Path(os.environ.get("LAPOR_BUILD_DIR") or HERE.parents[1] / "build").resolve()
    artifacts = Path(os.environ.get("LAPOR_ARTIFACTS_DIR") or build / "artifacts" / "browser")
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    # Every flow posts from 127.0.0.1: the per-address limit is not what is tested here.
    # The portal test makes a complaint overdue by hand: no escalation meanwhile.
    with System(extra_env={"LAPOR_RATE_IP_PER_MINUTE": "0",
                           "LAPOR_DEADLINE_EVERY_MS": "3600000"}) as system:
        env = dict(os.environ, LAPOR_WEB_URL=system.intake_url("").rstrip("/"),
                   LAPOR_ARTIFACTS_DIR=str(artifacts), LAPOR_CHROMIUM=chromium,
                   **portal_fixture(system))
        proc = subprocess.run(["node", "--test", "--test-reporter=spec", "web.test.js",
                               "portal.test.js"], cwd=HERE,
                              env=env, timeout=NODE_TIMEOUT_S, stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            system.dump_logs()
    print(f"run_browser: screenshots in {artifacts}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
