"""The local database (lapor-devdb): its background checkpoint moves committed pages
from SQLite's write-ahead log into the database file within seconds, instead of
inside the commit that fills the log, and makes the log start over under steady
writes (deploy/devdb/checkpoint.go); updates stay atomic while inserts and deletes
by _id pass beside them (deploy/devdb/gate.go)."""

import threading
import time
import unittest

from pymongo import UpdateMany, UpdateOne
from pymongo.errors import DuplicateKeyError
from pathlib import Path

from harness import DB_NAME, System, SystemTestCase, wait_until

SYSTEM = None
RESTART_PAGES = 300


def setUpModule():
    global SYSTEM
    # The log starts over once it is 300 pages long (8,000 by default), so that
    # a test can see it within seconds.
    SYSTEM = System(services=(), import_data=False,
                    extra_env={"LAPOR_DEVDB_WAL_RESTART_PAGES": str(RESTART_PAGES)})
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

    def test_the_write_ahead_log_starts_over_under_steady_writes(self):
        """Under steady writes a passive checkpoint never copies the whole log (commits
        land while it copies), and the log starts over only after one that did: so it
        grew to the 40,000-page backstop, where one commit checkpointed two seconds of
        pages while every writer waited. Once the log is over RESTART_PAGES the
        checkpointer copies the rest holding FerretDB's write mutex; the next writer
        starts the log over, and its file stops growing."""
        db = SYSTEM.db
        wal = Path(SYSTEM.tmp) / "db" / f"{DB_NAME}.sqlite-wal"
        filler = "s" * 2000
        end = time.monotonic() + 12  # six checkpoints
        written = [0, 0]

        def write(k):
            # About 2 MB a second each: far below the backstop's 160 MB in all,
            # which would make the log start over by itself.
            i = 0
            while time.monotonic() < end:
                db.steady.insert_many(
                    [{"_id": f"s{k}-{i}-{j}", "text": filler} for j in range(10)])
                written[k] += 10 * len(filler)
                i += 1
                time.sleep(0.01)

        self.run_threads(lambda: write(0), lambda: write(1))
        total = sum(written)
        self.assertGreater(total, 4 * RESTART_PAGES * 4096,
                           "enough written for the log to start over several times")
        # Without a restart the log holds every page written: about three times the
        # documents' own bytes (measured). Started over at every checkpoint, two
        # seconds' worth: about half of them.
        self.assertLess(wal.stat().st_size, total,
                        f"the log grew with everything written ({total} bytes)")
        self.assertEqual(db.steady.count_documents({}), total // len(filler))

    def run_threads(self, *targets):
        errors = []

        def guard(fn):
            try:
                fn()
            except Exception as e:  # reported below, with the others
                errors.append(repr(e))

        threads = [threading.Thread(target=guard, args=(t,)) for t in targets]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
            self.assertFalse(t.is_alive(), "a writer hangs")
        self.assertEqual(errors, [])

    def test_updates_stay_atomic_while_inserts_and_deletes_pass_beside_them(self):
        db = SYSTEM.db
        db.counters.insert_one({"_id": "c", "n": 0})

        def increment():
            for _ in range(150):
                db.counters.update_one({"_id": "c"}, {"$inc": {"n": 1}})

        def insert_and_delete(k):
            def run():
                for i in range(60):
                    ids = [f"w{k}-{i}-{j}" for j in range(5)]
                    db.churn.insert_many([{"_id": x, "text": "y" * 500} for x in ids])
                    db.churn.delete_many({"_id": {"$in": ids[:3]}})
                    db.churn.delete_one({"_id": ids[3]})
                    # and an update of a document the delete may meet
                    db.churn.update_one({"_id": ids[4]}, {"$set": {"seen": True}})
            return run

        self.run_threads(increment, increment, increment, increment,
                         insert_and_delete(1), insert_and_delete(2))
        # Four writers' 600 increments, none lost to another's read-modify-write.
        self.assertEqual(db.counters.find_one({"_id": "c"})["n"], 600)
        left = list(db.churn.find({}, {"_id": 1, "seen": 1}))
        self.assertEqual(len(left), 2 * 60)
        self.assertTrue(all(d.get("seen") for d in left))

    def test_an_update_of_many_documents_changes_each_once(self):
        # Written in transactions of up to 100 (deploy/devdb/patch/lapor_update.go).
        db = SYSTEM.db
        db.many.insert_many([{"_id": i, "n": 0, "odd": i % 2} for i in range(250)])
        r = db.many.update_many({"_id": {"$in": list(range(250))}, "odd": 1},
                                {"$inc": {"n": 1}})
        self.assertEqual((r.matched_count, r.modified_count), (125, 125))
        r = db.many.update_many({}, {"$inc": {"n": 1}})
        self.assertEqual((r.matched_count, r.modified_count), (250, 250))
        ns = {d["_id"]: d["n"] for d in db.many.find({})}
        self.assertEqual(ns, {i: 1 + i % 2 for i in range(250)})
        # Statements of one command see the ones before them.
        r = db.many.bulk_write([UpdateMany({}, {"$inc": {"n": 1}}),
                                UpdateOne({"_id": 7, "n": 3}, {"$set": {"seen": True}})])
        self.assertEqual(r.modified_count, 251)
        self.assertTrue(db.many.find_one({"_id": 7}).get("seen"))

    def test_one_of_many_inserts_of_an_id_at_once_wins(self):
        db = SYSTEM.db
        for round_ in range(20):
            won = []

            def claim(k, round_=round_, won=won):
                def run():
                    try:
                        db.claims.insert_one({"_id": f"r{round_}", "by": k})
                        won.append(k)
                    except DuplicateKeyError:
                        pass
                return run

            self.run_threads(*(claim(k) for k in range(6)))
            self.assertEqual(len(won), 1, f"round {round_}: {won}")
            self.assertEqual(db.claims.find_one({"_id": f"r{round_}"})["by"], won[0])


if __name__ == "__main__":
    unittest.main()
