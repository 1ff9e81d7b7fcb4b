"""The local database (lapor-devdb): its background checkpoint moves committed pages
from SQLite's write-ahead log into the database file within seconds, instead of
inside the commit that fills the log (deploy/devdb/checkpoint.go)."""

import time
import unittest
from pathlib import Path

from harness import DB_NAME, System, SystemTestCase, wait_until

SYSTEM = None


def setUpModule():
    global SYSTEM
    SYSTEM = System(services=(), import_data=False)
    SYSTEM.__enter__()


def tearDownModule():
    if SYSTEM is not None:
        SYSTEM.__exit__(None, None, None)


class DevdbTest(SystemTestCase):
    def test_committed_pages_reach_the_database_file_in_the_background(self):
        db = SYSTEM.db
        db.scratch.insert_one({"_id": "first"})
        path = Path(SYSTEM.tmp) / "db" / f"{DB_NAME}.sqlite"
        wal = Path(f"{path}-wal")
        self.assertTrue(path.exists(), path)
        time.sleep(3)  # whatever the first write left is checkpointed by now
        before = path.stat().st_size
        # About 4 MB of documents: far below the 40 MB at which a commit itself
        # would checkpoint (wal_autocheckpoint), so only the background can move them.
        filler = "x" * 1000
        db.scratch.insert_many([{"_id": f"d{i}", "text": filler} for i in range(2000)])
        self.assertTrue(wal.exists() and wal.stat().st_size > 1_000_000,
                        "the documents went to the write-ahead log first")
        wait_until(lambda: path.stat().st_size >= before + 1_000_000, 15,
                   "the database file to take the committed pages")
        self.assertEqual(db.scratch.count_documents({}), 2001)


if __name__ == "__main__":
    unittest.main()
