"""The citizen's side of the notifier and intake's promises about repeats: email over
a real SMTP server (down, then up; refused, dead, re-driven), templates in both
languages, the agency feed over ZeroMQ, SMS waiting without a gateway, sealed
contacts, Idempotency-Key and near-duplicates."""

import bson
import json
import subprocess
import threading
import time
import unittest
import uuid

import zmq  # Debian's python3-zmq

from harness import System, SystemTestCase, free_port, http, wait_until
from smtp import SmtpReceiver

SYSTEM = None
SMTP = None
SMTP_PORT = None
AGENCY = "paser-dinkes"
DELIVER_TIMEOUT_S = 30


def setUpModule():
    global SYSTEM, SMTP_PORT
    SMTP_PORT = free_port()  # nothing listens here until test_a starts the server
    SYSTEM = System(extra_env={
        "LAPOR_SMTP_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "LAPOR_NOTIFY_BACKOFF_MS": "300",
        "LAPOR_NOTIFY_MAX_TRIES": "3",
        "LAPOR_SMTP_FROM": "LAPOR Kaltim <lapor@kaltimprov.example>",
        "LAPOR_WEBHOOK_TIMEOUT_MS": "8000",
    })
    SYSTEM.__enter__()


def tearDownModule():
    if SMTP is not None:
        SMTP.close()
    if SYSTEM is not None:
        SYSTEM.__exit__(None, None, None)


def address():
    return f"warga-{uuid.uuid4().hex[:10]}@desa.example"


def submit(reporter, lang="id", privacy="public", title=None, body=None, headers=None,
           expect=201, category="kesehatan"):
    doc = {
        "title": title or f"Puskesmas tutup {uuid.uuid4().hex[:6]}",
        "body": body or f"Puskesmas di desa kami tutup sejak seminggu ({uuid.uuid4().hex}).",
        "category": category, "region": "64.01.01.2009", "privacy": privacy,
        "lang": lang, "reporter": reporter,
    }
    status, hdrs, answer = http("POST", SYSTEM.intake_url("/api/v1/complaints"), doc, headers)
    if expect is not None:
        assert status == expect, (status, answer)
    return status, hdrs, answer


def mails_to(addr, n=1, timeout=DELIVER_TIMEOUT_S):
    return wait_until(lambda: len(SMTP.to(addr)) >= n and SMTP.to(addr), timeout,
                      f"{n} email(s) to {addr}")


def notes_for(tid, **query):
    return list(SYSTEM.db.notifications.find({"tracking_id": tid, **query}))


class NotifyTest(SystemTestCase):

    # a -------------------------------------------------------------------------------
    def test_a_mail_server_down_then_up_delivers_once(self):
        global SMTP
        to = address()
        _, _, answer = submit({"name": "Siti", "email": to})
        tid = answer["tracking_id"]
        # The server is not there yet: the message is tried, fails, waits.
        wait_until(lambda: any(n["attempts"] >= 1 and n["state"] == "failed"
                               for n in notes_for(tid, channel="email")),
                   DELIVER_TIMEOUT_S, "a failed attempt while the SMTP server is down")
        SMTP = SmtpReceiver(SMTP_PORT)
        mails = mails_to(to, 2)  # received, then disposed
        time.sleep(2)
        self.assertEqual(len(SMTP.to(to)), 2, [m["Subject"] for m in SMTP.to(to)])
        ids = [m["Message-ID"] for m in SMTP.to(to)]
        self.assertEqual(len(set(ids)), 2, ids)
        subjects = sorted(m["Subject"] for m in mails)
        self.assertTrue(any(tid in s and "diterima" in s for s in subjects), subjects)
        self.assertTrue(any("Dinas Kesehatan" in s for s in subjects), subjects)

    # b -------------------------------------------------------------------------------
    def test_b_mail_is_well_formed_in_both_languages(self):
        self.assertIsNotNone(SMTP, "test_a starts the SMTP server")
        to_id, to_en = address(), address()
        tid_id = submit({"email": to_id}, lang="id")[2]["tracking_id"]
        tid_en = submit({"email": to_en}, lang="en")[2]["tracking_id"]
        def received(to, phrase):
            return wait_until(lambda: [m for m in SMTP.to(to) if phrase in m["Subject"]],
                              DELIVER_TIMEOUT_S, f"the received mail to {to}")[0]

        m_id = received(to_id, "diterima")
        m_en = received(to_en, "received")
        self.assertIn("Pengaduan Anda diterima", m_id["Subject"])
        self.assertIn("Your complaint was received", m_en["Subject"])
        for m, to in ((m_id, to_id), (m_en, to_en)):
            self.assertEqual(m["To"].addresses[0].addr_spec, to)
            self.assertEqual(m["From"].addresses[0].addr_spec, "lapor@kaltimprov.example")
            self.assertTrue(m["Message-ID"].startswith("<") and m["Message-ID"].endswith(">"))
            self.assertIsNotNone(m["Date"].datetime)
            self.assertEqual(m.get_content_type(), "multipart/alternative")
            plain = m.get_body(("plain",)).get_content()
            html = m.get_body(("html",)).get_content()
            tid = tid_id if to == to_id else tid_en
            self.assertIn(tid, plain)
            self.assertIn(tid, html)
            self.assertIn("<p>", html)
        # A subject beyond ASCII travels as an RFC 2047 encoded word.
        raw = [n for n in notes_for(tid_id, channel="email")][0]
        self.assertEqual(raw["lang"], "id")

    # c -------------------------------------------------------------------------------
    def test_c_refused_address_goes_dead_then_redrive_delivers(self):
        self.assertIsNotNone(SMTP)
        to = address()
        SMTP.refuse.add(to)
        tid = submit({"email": to})[2]["tracking_id"]
        wait_until(lambda: any(n["state"] == "dead" for n in notes_for(tid, channel="email")),
                   DELIVER_TIMEOUT_S, "the refused message to be dead")
        out = SYSTEM.laporctl("notifications", "dead", "--json").stdout
        dead = [json.loads(line) for line in out.splitlines() if line.strip()]
        mine = [d for d in dead if d["tracking_id"] == tid]
        self.assertTrue(mine, out)
        self.assertNotIn(to, out, "laporctl printed the citizen's address")
        self.assertEqual(mine[0]["recipient"], "citizen")
        SMTP.refuse.discard(to)
        SYSTEM.laporctl("notifications", "redrive", "--all")
        mails_to(to)
        self.assertEqual(SYSTEM.laporctl("notifications", "redrive", "no-such-id",
                                         check=False).returncode, 1)

    # d -------------------------------------------------------------------------------
    def test_d_anonymous_contact_is_sealed_and_never_reaches_agencies(self):
        self.assertIsNotNone(SMTP)
        canary = f"canary-{uuid.uuid4().hex[:8]}@rahasia.example"
        ctx = zmq.Context.instance()
        sub = ctx.socket(zmq.SUB)
        sub.setsockopt(zmq.SUBSCRIBE, AGENCY.encode())
        endpoints = [d["endpoints"]["agency_feed"]
                     for d in SYSTEM.db.services.find({"kind": "notifier"})
                     if "agency_feed" in d.get("endpoints", {})]
        self.assertTrue(endpoints, "no notifier advertises an agency feed")
        for e in endpoints:
            sub.connect(e)
        time.sleep(0.5)  # a SUB misses what was sent before it joined
        try:
            tid = submit({"name": "Rahasia Sekali", "email": canary}, privacy="anonymous")[2][
                "tracking_id"]
            # The reporter still hears: only the notifier opens the sealed contact.
            mail = [m for m in mails_to(canary) if tid in m["Subject"]][0]
            self.assertNotIn("Rahasia Sekali", mail.get_body(("plain",)).get_content())
            # The agency feed carries the disposition of its complaint, nothing else.
            poller = zmq.Poller()
            poller.register(sub, zmq.POLLIN)
            frames = None
            deadline = time.time() + DELIVER_TIMEOUT_S
            while time.time() < deadline:
                if poller.poll(500):
                    got = sub.recv_multipart()
                    if tid.encode() in got[1]:
                        frames = got
                        break
            self.assertIsNotNone(frames, "no feed message for the complaint")
            self.assertEqual(frames[0], AGENCY.encode())
            self.assertNotIn(canary.encode(), frames[1])
        finally:
            sub.close(0)
        doc = SYSTEM.db.complaints.find_one({"tracking_id": tid})
        self.assertEqual(set(doc["reporter"]), {"sealed", "lookup"})
        dump = json.dumps(doc, default=repr) + json.dumps(notes_for(tid), default=repr)
        self.assertNotIn(canary, dump)
        self.assertNotIn("Rahasia", dump)
        for n in notes_for(tid, channel="webhook"):
            self.assertNotIn(canary, n.get("payload", ""))
        time.sleep(1)
        for f in SYSTEM.log_files():
            text = f.read_text(encoding="utf-8", errors="replace")
            self.assertNotIn(canary, text, f"the canary is in {f}")

    # e -------------------------------------------------------------------------------
    def test_e_sms_waits_without_a_gateway(self):
        tid = submit({"phone": "0812" + str(uuid.uuid4().int % 10**8).zfill(8)})[2]["tracking_id"]
        notes = wait_until(lambda: notes_for(tid, channel="sms", type="received"), DELIVER_TIMEOUT_S,
                           "the received SMS to be queued")
        time.sleep(1.5)
        note = SYSTEM.db.notifications.find_one({"_id": notes[0]["_id"]})
        self.assertEqual((note["state"], note["attempts"]), ("pending", 0), note)
        self.assertIn(tid, note["text"])
        self.assertIn("STATUS " + tid, note["text"])

    # f -------------------------------------------------------------------------------
    def test_f_idempotency_key(self):
        key = "retry-" + uuid.uuid4().hex
        reporter = {"email": address()}
        body = {"title": "Lampu jalan mati", "body": "Lampu jalan di depan sekolah mati sebulan.",
                "region": "64.01.01.2009", "reporter": reporter}
        first = http("POST", SYSTEM.intake_url("/api/v1/complaints"), body,
                     {"Idempotency-Key": key})
        again = http("POST", SYSTEM.intake_url("/api/v1/complaints"), body,
                     {"Idempotency-Key": key})
        self.assertEqual(first[0], 201, first)
        self.assertEqual(again[0], 201, again)
        self.assertEqual(first[2]["tracking_id"], again[2]["tracking_id"])
        self.assertEqual(again[1].get("idempotent-replayed"), "true")
        self.assertEqual(SYSTEM.db.complaints.count_documents(
            {"tracking_id": first[2]["tracking_id"]}), 1)
        other = dict(body, title="Sesuatu yang lain sama sekali")
        status, _, answer = http("POST", SYSTEM.intake_url("/api/v1/complaints"), other,
                                 {"Idempotency-Key": key})
        self.assertEqual(status, 422, answer)
        self.assertEqual(answer["error"]["field"], "Idempotency-Key")
        status, _, answer = http("POST", SYSTEM.intake_url("/api/v1/complaints"), body,
                                 {"Idempotency-Key": "x"})
        self.assertEqual(status, 400, answer)
        self.assertEqual(answer["error"]["field"], "Idempotency-Key")

    # g -------------------------------------------------------------------------------
    def test_g_near_duplicate_is_linked(self):
        reporter = {"phone": "0813" + str(uuid.uuid4().int % 10**8).zfill(8)}
        text = "Jembatan kayu di dusun kami patah, anak sekolah harus memutar jauh sekali."
        tid = submit(reporter, title="Jembatan patah", body=text)[2]["tracking_id"]
        before = SYSTEM.db.complaints.count_documents({})
        # The same reporter, retyped, with the number in another form.
        status, _, answer = submit({"phone": "+62" + reporter["phone"][1:]},
                                   title="jembatan PATAH",
                                   body=text.lower() + " Tolong!", expect=None)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["tracking_id"], tid)
        self.assertTrue(answer["duplicate"])
        self.assertEqual(SYSTEM.db.complaints.count_documents({}), before)
        doc = SYSTEM.db.complaints.find_one({"tracking_id": tid})
        self.assertEqual(doc["duplicate_count"], 1)
        self.assertIn("Tolong", doc["duplicates"][0]["body"])
        # Somebody else with the same words opens a complaint of their own.
        status, _, other = submit({"phone": "0814" + str(uuid.uuid4().int % 10**8).zfill(8)},
                                  title="Jembatan patah", body=text, expect=None)
        self.assertEqual(status, 201, other)
        self.assertNotEqual(other["tracking_id"], tid)
        # The index holds one document per reporter: the first complaint made it. An
        # entry older than two days is in it too, as if left from three days ago.
        first = SYSTEM.db.complaints.find_one({"tracking_id": tid})["_id"]
        index = SYSTEM.db.reporter_recent.find_one({"complaints.id": first})
        self.assertEqual([e["id"] for e in index["complaints"]], [first])
        stale = {"id": bson.ObjectId(), "at": int(time.time() * 1000) - 3 * 86400 * 1000}
        SYSTEM.db.reporter_recent.update_one({"_id": index["_id"]},
                                             {"$push": {"complaints": stale}})
        # A second, different complaint of the same reporter is stored and added to
        # that document (the stale entry left out); its resend is linked to it.
        other_text = "Lampu jalan di depan balai desa mati sejak seminggu, jalan gelap gulita."
        second = submit(reporter, title="Lampu jalan mati", body=other_text)[2]["tracking_id"]
        self.assertNotEqual(second, tid)
        second_id = SYSTEM.db.complaints.find_one({"tracking_id": second})["_id"]
        index = SYSTEM.db.reporter_recent.find_one({"_id": index["_id"]})
        self.assertEqual([e["id"] for e in index["complaints"]], [first, second_id])
        self.assertEqual(SYSTEM.db.reporter_recent.count_documents({"complaints.id": first}), 1)
        status, _, again = submit(reporter, title="Lampu jalan mati",
                                  body=other_text + " Mohon segera.", expect=None)
        self.assertEqual(status, 200, again)
        self.assertEqual(again["tracking_id"], second)
        self.assertTrue(again["duplicate"])

    # h -------------------------------------------------------------------------------
    def test_h_webhook_500s_back_off_then_dead(self):
        hook = SYSTEM.webhook_receiver()
        hook.answer(500)
        SYSTEM.laporctl("agency-webhook", "set", AGENCY, hook.url, "rahasia-dinkes-0123456789")
        try:
            tid = submit({"email": address()})[2]["tracking_id"]
            note = wait_until(lambda: [n for n in notes_for(tid, channel="webhook")
                                       if n["state"] == "dead"], DELIVER_TIMEOUT_S,
                              "the webhook to die after its tries")[0]
            self.assertEqual(note["attempts"], 3)
            tries = [r for r in hook.requests if r["headers"].get("webhook-id") == note["event_id"]]
            self.assertEqual(len(tries), 3, "one request per try")
            gaps = [b["at"] - a["at"] for a, b in zip(tries, tries[1:])]
            self.assertTrue(all(g >= 0.2 for g in gaps), f"no back-off between tries: {gaps}")
        finally:
            SYSTEM.laporctl("agency-webhook", "clear", AGENCY)

    # i -------------------------------------------------------------------------------
    def test_i_slow_recipient_does_not_hold_up_others(self):
        slow, fast = SYSTEM.webhook_receiver(), SYSTEM.webhook_receiver()
        slow.answer(200, delay=4.0)
        SYSTEM.laporctl("agency-webhook", "set", AGENCY, slow.url, "rahasia-dinkes-0123456789")
        SYSTEM.laporctl("agency-webhook", "set", "paser-disdik", fast.url,
                        "rahasia-disdik-0123456789")
        try:
            submit({"email": address()})
            wait_until(lambda: slow.requests, DELIVER_TIMEOUT_S, "the slow webhook to start")
            t_slow = slow.requests[0]["at"]
            submit({"email": address()}, category="pendidikan",
                   title="Sekolah rusak", body=f"Atap sekolah dasar bocor ({uuid.uuid4().hex}).")
            wait_until(lambda: fast.requests, DELIVER_TIMEOUT_S, "the fast webhook")
            # Delivered while the slow recipient still held its request.
            self.assertLess(fast.requests[0]["at"], t_slow + 4.0)
        finally:
            SYSTEM.laporctl("agency-webhook", "clear", AGENCY)
            SYSTEM.laporctl("agency-webhook", "clear", "paser-disdik")

    # j -------------------------------------------------------------------------------
    def test_j_notifier_killed_in_a_burst_loses_nothing(self):
        hook = SYSTEM.webhook_receiver()
        SYSTEM.laporctl("agency-webhook", "set", AGENCY, hook.url, "rahasia-dinkes-0123456789")
        try:
            tids = []
            for i in range(30):
                tids.append(submit({"email": address()})[2]["tracking_id"])
                if i == 10:
                    SYSTEM.kill("notifier")
            SYSTEM.start("notifier")

            def all_hooked():
                seen = {json.loads(r["body"])["complaint"]["tracking_id"] for r in hook.requests}
                return set(tids) <= seen

            wait_until(all_hooked, 60, "a webhook for each of the 30 complaints")
            time.sleep(2)
            by_id = {}
            for r in hook.requests:
                if json.loads(r["body"])["complaint"]["tracking_id"] not in tids:
                    continue  # an earlier test's complaint, disposed just now
                by_id.setdefault(r["headers"]["webhook-id"], set()).add(r["body"])
            # A repeat (a send cut off by the kill) carries the same id and body, so
            # the agency drops it by webhook-id.
            self.assertTrue(all(len(bodies) == 1 for bodies in by_id.values()))
            self.assertEqual(len(by_id), 30, sorted(
                (json.loads(next(iter(b)))["complaint"]["tracking_id"],
                 json.loads(next(iter(b)))["type"]) for b in by_id.values()))
            # And each reporter heard of their complaint.
            wait_until(lambda: SYSTEM.db.notifications.count_documents(
                {"tracking_id": {"$in": tids}, "channel": "email", "type": "received",
                 "state": "sent"}) == 30, DELIVER_TIMEOUT_S, "30 received emails sent")
        finally:
            SYSTEM.laporctl("agency-webhook", "clear", AGENCY)

    # k -------------------------------------------------------------------------------
    def test_k_stop_gives_back_what_waits_for_a_sender(self):
        """Messages the notifier inserted claimed for its own senders, and that no
        sender took before a stop, are given back (pending, no lease) at once,
        instead of waiting for their lease to run out."""
        hook = SYSTEM.webhook_receiver()
        hook.answer(200, delay=3.0)  # four senders, each held for 3 s
        SYSTEM.laporctl("agency-webhook", "set", AGENCY, hook.url, "rahasia-dinkes-0123456789")
        try:
            tids = [submit({"email": address()})[2]["tracking_id"] for _ in range(10)]
            hooks = {"tracking_id": {"$in": tids}, "channel": "webhook"}
            wait_until(lambda: SYSTEM.db.notifications.count_documents(hooks) == 10,
                       DELIVER_TIMEOUT_S, "10 webhooks queued")
            wait_until(lambda: hook.requests, DELIVER_TIMEOUT_S, "the first webhook to start")
            self.assertEqual(SYSTEM.stop("notifier"), 0, "notifier did not exit cleanly")
            states = [n["state"] for n in SYSTEM.db.notifications.find(hooks)]
            self.assertNotIn("sending", states, states)
            self.assertIn("pending", states, states)
            self.assertEqual(SYSTEM.db.notifications.count_documents(
                {**hooks, "state": "pending", "lease": {"$exists": True}}), 0)
            hook.answer(200)
            SYSTEM.start("notifier")
            wait_until(lambda: SYSTEM.db.notifications.count_documents(
                {**hooks, "state": "sent"}) == 10, DELIVER_TIMEOUT_S, "all 10 webhooks sent")
        finally:
            if not SYSTEM.running("notifier"):
                SYSTEM.start("notifier")
            SYSTEM.laporctl("agency-webhook", "clear", AGENCY)

    # l -------------------------------------------------------------------------------
    def test_l_a_dead_notifiers_messages_go_once_its_leases_end(self):
        """Messages a notifier inserted claimed for its own senders and never sent
        (it was killed) are taken by the notifier that follows once the dead one's
        heartbeat is stale and its leases have run out: the scan of every
        notification runs then, not at its last-resort period (an hour here)."""
        hook = SYSTEM.webhook_receiver()
        hook.answer(200, delay=4.0)  # four senders, each held for 4 s
        SYSTEM.laporctl("agency-webhook", "set", AGENCY, hook.url, "rahasia-dinkes-0123456789")
        env = SYSTEM.extra_env
        self.assertEqual(SYSTEM.stop("notifier"), 0)
        env["LAPOR_NOTIFIER_RESCAN_MS"] = "3600000"
        try:
            SYSTEM.start("notifier")
            tids = [submit({"email": address()})[2]["tracking_id"] for _ in range(8)]
            hooks = {"tracking_id": {"$in": tids}, "channel": "webhook"}
            wait_until(lambda: SYSTEM.db.notifications.count_documents(
                {**hooks, "state": "sending"}) == 8, DELIVER_TIMEOUT_S,
                "8 webhooks queued, claimed by the notifier")
            wait_until(lambda: hook.requests, DELIVER_TIMEOUT_S, "the first webhook to start")
            SYSTEM.kill("notifier")
            hook.answer(200)
            SYSTEM.start("notifier")
            # Its start scan comes too early (the leases last 5 s); the dead one's
            # heartbeat goes stale after 10 s, its leases are over by then.
            wait_until(lambda: SYSTEM.db.notifications.count_documents(
                {**hooks, "state": "sent"}) == 8, DELIVER_TIMEOUT_S, "all 8 webhooks sent")
            sent = {r["headers"].get("webhook-id") for r in hook.requests}
            self.assertEqual(len(sent), 8, "a webhook never reached the receiver")
        finally:
            SYSTEM.stop("notifier")
            env.pop("LAPOR_NOTIFIER_RESCAN_MS", None)
            SYSTEM.start("notifier")
            SYSTEM.laporctl("agency-webhook", "clear", AGENCY)

    # m -------------------------------------------------------------------------------
    def test_m_one_reporters_complaints_at_once_are_all_remembered(self):
        """Two new reporters send five different complaints each, all at once: the
        group commit takes several of one reporter in one batch (the first claims the
        reporter's near-duplicate document, the others meet it), and every complaint
        must end up in its reporter's document, or its resend would not be linked."""
        texts = [("Jembatan putus", "Jembatan gantung ke kebun putus diterjang banjir kemarin."),
                 ("Air bersih", "Pipa air bersih bocor sehingga rumah warga tidak kebagian."),
                 ("Sekolah rusak", "Atap ruang kelas dua runtuh, murid belajar di teras."),
                 ("Listrik padam", "Listrik padam tiap malam hampir tiga jam lamanya."),
                 ("Sampah menumpuk", "Truk sampah tidak datang, tumpukan di pasar berbau.")]
        reporters = [{"phone": "0815" + str(uuid.uuid4().int % 10**8).zfill(8)} for _ in range(2)]
        results, threads = [], []
        for i in range(len(texts)):
            for r in reporters:
                t = threading.Thread(target=lambda r=r, i=i: results.append(
                    (r["phone"], submit(r, title=texts[i][0], body=texts[i][1], expect=None))))
                threads.append(t)
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(res[0] for _, res in results), [201] * 2 * len(texts), results)
        for r in reporters:
            mine = [SYSTEM.db.complaints.find_one({"tracking_id": res[2]["tracking_id"]})["_id"]
                    for phone, res in results if phone == r["phone"]]
            index = SYSTEM.db.reporter_recent.find_one({"complaints.id": mine[0]})
            self.assertIsNotNone(index)
            self.assertEqual(sorted(e["id"] for e in index["complaints"]), sorted(mine),
                             f"the index of {r['phone']} misses some of its complaints")

    # n -------------------------------------------------------------------------------
    def test_n_webhooks_reuse_their_connections(self):
        """Each sender keeps its connection to an agency's receiver: webhooks after the
        first ride on connections already open instead of connecting each time (for
        https, a TLS handshake each). The notifier has 4 senders here, so 10 webhooks
        sent one after another come over at most 4 connections."""
        hook = SYSTEM.webhook_receiver()
        SYSTEM.laporctl("agency-webhook", "set", AGENCY, hook.url, "rahasia-dinkes-0123456789")
        try:
            for i in range(10):
                tid = submit({"email": address()})[2]["tracking_id"]
                wait_until(lambda: any(json.loads(r["body"])["complaint"]["tracking_id"] == tid
                                       for r in hook.requests), DELIVER_TIMEOUT_S,
                           f"webhook {i + 1}")
            requests = hook.requests
            peers = {r["peer"] for r in requests}
            self.assertGreaterEqual(len(requests), 10)
            self.assertLessEqual(len(peers), 4, f"{len(requests)} webhooks over {len(peers)} "
                                 "connections: a new connection per webhook")
        finally:
            SYSTEM.laporctl("agency-webhook", "clear", AGENCY)


if __name__ == "__main__":
    unittest.main()
