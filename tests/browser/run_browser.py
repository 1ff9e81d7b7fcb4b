"""Starts a private lapor (tests/integration/harness.py) and runs the browser tests
(web.test.js, Node + playwright-core + Debian's Chromium) against it.

    cd tests/browser && npm ci && \
      LAPOR_BUILD_DIR=$PWD/../../build /usr/bin/python3 run_browser.py

Screenshots go to $LAPOR_ARTIFACTS_DIR (ctest: <build>/artifacts/browser).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

from harness import System  # noqa: E402

NODE_TIMEOUT_S = 300


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
    with System(extra_env={"LAPOR_RATE_IP_PER_MINUTE": "0"}) as system:
        env = dict(os.environ, LAPOR_WEB_URL=system.intake_url("").rstrip("/"),
                   LAPOR_ARTIFACTS_DIR=str(artifacts), LAPOR_CHROMIUM=chromium)
        proc = subprocess.run(["node", "--test", "--test-reporter=spec", "web.test.js"], cwd=HERE,
                              env=env, timeout=NODE_TIMEOUT_S, stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            system.dump_logs()
    print(f"run_browser: screenshots in {artifacts}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
