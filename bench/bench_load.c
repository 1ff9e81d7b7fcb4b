/* bench_load: closed- and open-loop HTTP load on libcurl's multi interface. */
#include "bench_load.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench_util.h"

#define BENCH_RESP_MAX 512
#define BENCH_POLL_MS 20

/* The three (region, category) pairs the benchmark files, each routed to an agency
 * whose webhook points at the benchmark's receiver (see main.c). */
static const char *s_cases[][2] = {{"64.01.01.2009", "kesehatan"},
                                   {"64.72.01.1001", "kesehatan"},
                                   {"64.01.01.2009", "infrastruktur"}};

typedef struct {
    CURL *easy;
    bool busy;
    double due_mono;
    char body[768];
    char resp[BENCH_RESP_MAX];
    size_t resp_len;
    bool retry_after;
} s_slot_t;

typedef struct {
    const bench_load_opts_t *opts;
    bench_load_result_t *result;
    CURLM *multi;
    struct curl_slist *headers;
    s_slot_t *slots;
    int nslots;
    double start_mono;
} s_run_t;

/* Every complaint is different (title, body and reporter), so intake's
 * near-duplicate check never merges two of them. */
static unsigned long s_seq = 0;

static size_t
s_on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    s_slot_t *slot = userdata;
    size_t n = size * nmemb, room = BENCH_RESP_MAX - 1 - slot->resp_len;
    memcpy(slot->resp + slot->resp_len, ptr, n < room ? n : room);
    slot->resp_len += n < room ? n : room;
    slot->resp[slot->resp_len] = '\0';
    return n;
}

static size_t
s_on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    s_slot_t *slot = userdata;
    size_t n = size * nmemb;
    if (n >= 12 && strncasecmp(ptr, "Retry-After:", 12) == 0)
        slot->retry_after = true;
    return n;
}

static int
s_slot_start(s_run_t *run, s_slot_t *slot, double due_mono)
{
    const bench_load_opts_t *o = run->opts;
    unsigned long seq = ++s_seq;
    const char **c = s_cases[seq % 3];
    int len = 0;

    if (!slot->easy) {
        slot->easy = curl_easy_init();
        if (!slot->easy)
            return -1;
        curl_easy_setopt(slot->easy, CURLOPT_URL, o->url);
        curl_easy_setopt(slot->easy, CURLOPT_HTTPHEADER, run->headers);
        curl_easy_setopt(slot->easy, CURLOPT_WRITEFUNCTION, s_on_body);
        curl_easy_setopt(slot->easy, CURLOPT_WRITEDATA, slot);
        curl_easy_setopt(slot->easy, CURLOPT_HEADERFUNCTION, s_on_header);
        curl_easy_setopt(slot->easy, CURLOPT_HEADERDATA, slot);
        curl_easy_setopt(slot->easy, CURLOPT_PRIVATE, slot);
        curl_easy_setopt(slot->easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(slot->easy, CURLOPT_TIMEOUT_MS, o->timeout_ms);
        curl_easy_setopt(slot->easy, CURLOPT_CONNECTTIMEOUT_MS, o->timeout_ms);
    }
    len = snprintf(slot->body, sizeof slot->body,
                   "{\"title\":\"%s keluhan pelayanan %lu\","
                   "\"body\":\"Pengaduan uji beban %s nomor %lu: pelayanan di kantor desa %lu "
                   "tutup pada jam kerja, antrean panjang dan petugas tidak ada di tempat.\","
                   "\"category\":\"%s\",\"region\":\"%s\",\"privacy\":\"public\","
                   "\"reporter\":{\"name\":\"Warga Uji %lu\",\"email\":\"bench-%lu@example.org\"}}",
                   o->label, seq, o->label, seq, seq * 7919 % 100003, c[1], c[0], seq, seq);
    curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDS, slot->body);
    curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDSIZE, (long) len);
    slot->busy = true;
    slot->due_mono = due_mono;
    slot->resp_len = 0;
    slot->resp[0] = '\0';
    slot->retry_after = false;
    return curl_multi_add_handle(run->multi, slot->easy) == CURLM_OK ? 0 : -1;
}

static int
s_record(s_run_t *run, s_slot_t *slot, CURLcode code, double now_mono)
{
    bench_load_result_t *r = run->result;
    bench_req_t *req = NULL;
    long status = 0;

    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8192;
        bench_req_t *grown = realloc(r->reqs, cap * sizeof *grown);
        if (!grown)
            return -1;
        r->reqs = grown;
        r->cap = cap;
    }
    req = &r->reqs[r->n++];
    memset(req, 0, sizeof *req);
    req->due_ms = r->start_ms + (slot->due_mono - run->start_mono);
    req->latency_ms = (float) (now_mono - slot->due_mono);
    req->retry_after = slot->retry_after;
    if (code == CURLE_OPERATION_TIMEDOUT)
        req->status = -1;
    else if (code != CURLE_OK)
        req->status = 0;
    else {
        curl_easy_getinfo(slot->easy, CURLINFO_RESPONSE_CODE, &status);
        req->status = (int16_t) status;
    }
    if (req->status == 201) {
        static const char key[] = "\"tracking_id\":\"";
        const char *p = strstr(slot->resp, key);
        if (p) {
            p += sizeof key - 1;
            size_t n = strcspn(p, "\"");
            if (n >= sizeof req->tid)
                n = sizeof req->tid - 1;
            memcpy(req->tid, p, n);
            req->tid[n] = '\0';
        }
    }
    return 0;
}

static s_slot_t *
s_free_slot(s_run_t *run)
{
    for (int i = 0; i < run->nslots; i++)
        if (!run->slots[i].busy)
            return &run->slots[i];
    return NULL;
}

int
bench_load_run(const bench_load_opts_t *opts, bench_load_result_t *result)
{
    s_run_t run = {.opts = opts, .result = result};
    bool open_loop = opts->rate > 0;
    double interval = open_loop ? 1000.0 / opts->rate : 0, end = 0, next_due = 0;
    size_t started = 0, due_total = 0;
    int running = 0, rc = -1, busy = 0;

    memset(result, 0, sizeof *result);
    run.nslots = opts->clients > 0 ? opts->clients : 1;
    run.slots = calloc((size_t) run.nslots, sizeof *run.slots);
    run.multi = curl_multi_init();
    run.headers = curl_slist_append(NULL, "Content-Type: application/json");
    run.headers = curl_slist_append(run.headers, "Expect:");
    if (!run.slots || !run.multi || !run.headers) {
        fprintf(stderr, "bench: out of memory in the load generator\n");
        goto done;
    }
    curl_multi_setopt(run.multi, CURLMOPT_MAXCONNECTS, (long) run.nslots);
    run.start_mono = bench_mono_ms();
    result->start_ms = bench_real_ms();
    result->window_s = opts->duration_s;
    end = run.start_mono + opts->duration_s * 1e3;
    due_total = open_loop ? (size_t) ceil(opts->duration_s * opts->rate) : 0;
    next_due = run.start_mono;

    for (;;) {
        double now = bench_mono_ms();
        bool in_window = now < end && !bench_stop;
        s_slot_t *slot = NULL;
        CURLMsg *msg = NULL;
        int left = 0;
        long wait = BENCH_POLL_MS;

        if (open_loop && in_window) {
            while (started < due_total && next_due <= now && (slot = s_free_slot(&run))) {
                if (s_slot_start(&run, slot, next_due) != 0)
                    goto done;
                busy++;
                started++;
                next_due = run.start_mono + (double) started * interval;
            }
        }
        /* Closed loop: every idle client that the gate lets through sends. */
        while (!open_loop && in_window && (slot = s_free_slot(&run)) &&
               (!opts->gate || opts->gate(opts->gate_arg, started))) {
            if (s_slot_start(&run, slot, now) != 0)
                goto done;
            busy++;
            started++;
        }
        if (!in_window && busy == 0)
            break;
        curl_multi_perform(run.multi, &running);
        while ((msg = curl_multi_info_read(run.multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &slot);
            now = bench_mono_ms();
            if (s_record(&run, slot, msg->data.result, now) != 0)
                goto done;
            curl_multi_remove_handle(run.multi, msg->easy_handle);
            slot->busy = false;
            busy--;
        }
        if (open_loop && in_window && started < due_total) {
            double until = next_due - bench_mono_ms();
            if (until < wait)
                wait = until > 0 ? (long) until : 0;
            /* Waiting for a free client: any answer wakes the poll. */
        }
        if (!open_loop && busy > 0 && busy < run.nslots)
            wait = 5; /* a held-back client asks the gate again soon */
        if (wait > 0 || running > 0)
            curl_multi_poll(run.multi, NULL, 0, (int) wait, NULL);
    }
    if (open_loop)
        result->not_sent = due_total > started ? due_total - started : 0;
    if (bench_stop)
        result->window_s = (bench_mono_ms() - run.start_mono) / 1e3 < opts->duration_s
                               ? (bench_mono_ms() - run.start_mono) / 1e3
                               : opts->duration_s;
    rc = 0;
done:
    if (run.slots) {
        for (int i = 0; i < run.nslots; i++)
            if (run.slots[i].easy) {
                if (run.slots[i].busy)
                    curl_multi_remove_handle(run.multi, run.slots[i].easy);
                curl_easy_cleanup(run.slots[i].easy);
            }
        free(run.slots);
    }
    if (run.multi)
        curl_multi_cleanup(run.multi);
    curl_slist_free_all(run.headers);
    return rc;
}

void
bench_load_result_clear(bench_load_result_t *result)
{
    if (!result)
        return;
    free(result->reqs);
    memset(result, 0, sizeof *result);
}

void
bench_load_count(const bench_load_result_t *result, bench_load_counts_t *counts)
{
    memset(counts, 0, sizeof *counts);
    for (size_t i = 0; i < result->n; i++) {
        const bench_req_t *r = &result->reqs[i];
        counts->total++;
        if (r->status == 201)
            counts->created++;
        else if (r->status == 503 || r->status == 429) {
            counts->shed++;
            counts->shed_retry_after += r->retry_after;
        }
        else if (r->status == -1)
            counts->timeouts++;
        else if (r->status == 0)
            counts->errors++;
        else
            counts->other_http++;
    }
}

double
bench_load_accept_rate(const bench_load_result_t *result)
{
    double end = result->start_ms + result->window_s * 1e3;
    size_t n = 0;
    for (size_t i = 0; i < result->n; i++) {
        const bench_req_t *r = &result->reqs[i];
        if (r->status == 201 && r->due_ms + r->latency_ms <= end)
            n++;
    }
    return result->window_s > 0 ? (double) n / result->window_s : 0;
}
