/* lp_stats: the statistics model: where a complaint sits in the roll-ups and what
 * it adds there, replayed from its own events.
 *
 * A roll-up "cell" is one combination of dimensions (day of submission, village,
 * category, agency, channel, type, status, privacy, outreach visit). Each complaint
 * is in exactly one cell at a time and adds its measures there: a count, whether it
 * is resolved, deadline compliance, escalations, its rating, and its durations as
 * histogram buckets. An event moves a complaint from the cell of its state before
 * the event to the cell of its state after: the reporter's ledger records exactly
 * that difference, and a rebuild replays every complaint's events, so both paths
 * give the same numbers. Everything here is pure: no I/O, no clock. */
#ifndef LP_STATS_H
#define LP_STATS_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lp_event.h"

/* Duration histograms: bucket b holds durations up to lp_stats_bucket_hours[b]
 * hours (the last bucket is unbounded). */
#define LP_STATS_BUCKETS 19
extern const double lp_stats_bucket_hours[LP_STATS_BUCKETS];

typedef enum {
    LP_STATS_DISPOSE = 0, /* submitted -> first disposition */
    LP_STATS_FIRST = 1,   /* first disposition -> first follow-up (in_progress) */
    LP_STATS_RESOLVE = 2, /* submitted -> first resolution */
    LP_STATS_N_DURATIONS = 3
} lp_stats_duration_t;

/* Measure indexes into lp_stats_measures_t.v; the names are the roll-up fields. */
enum {
    LP_STATS_COUNT = 0,   /* complaints */
    LP_STATS_DONE,        /* now resolved or closed */
    LP_STATS_ONTIME,      /* first resolution within the deadline, never escalated */
    LP_STATS_LATE,        /* first resolution after it, or escalated before it */
    LP_STATS_ESCALATIONS, /* follow-up deadlines missed */
    LP_STATS_OVERDUE,     /* verification deadlines missed */
    LP_STATS_RATING_SUM,  /* sum of ratings (1..5) */
    LP_STATS_RATING_N,    /* complaints rated */
    LP_STATS_HIST0        /* then LP_STATS_N_DURATIONS x LP_STATS_BUCKETS buckets */
};
#define LP_STATS_N_FIELDS (LP_STATS_HIST0 + LP_STATS_N_DURATIONS * LP_STATS_BUCKETS)
#define LP_STATS_HIST(d, b) (LP_STATS_HIST0 + (d) *LP_STATS_BUCKETS + (b))

typedef struct {
    int64_t v[LP_STATS_N_FIELDS];
} lp_stats_measures_t;

typedef struct {
    char day[11]; /* YYYY-MM-DD of submission, Central Indonesia Time (WITA, UTC+8) */
    char region[32];
    char category[48];
    char agency[64];
    char channel[16];
    char type[16];
    char status[16];
    char privacy[16];
    char visit[32];
} lp_stats_dims_t;

/* A complaint as the statistics see it, built by replaying its events. */
typedef struct {
    bool exists;
    lp_stats_dims_t dims;
    int64_t submitted_at, disposed_at, progress_at, resolved_at, deadline_at;
    bool missed;     /* a follow-up deadline was missed */
    bool ontime;     /* decided at the first resolution */
    int escalations; /* follow-up deadlines missed */
    int overdue;     /* verification deadlines missed */
    int rating;      /* 0: not rated */
} lp_stats_state_t;

/* Every field name, for the roll-up documents and the ledger; -1 when unknown. */
const char *lp_stats_field_name(int field);
int lp_stats_field_index(const char *name);

/* An empty state (no complaint yet). */
void lp_stats_state_init(lp_stats_state_t *st);

/* Applies one event. A payload field named "rating" (any event that carries one,
 * such as the feedback event to come) sets the complaint's rating. */
void lp_stats_apply(lp_stats_state_t *st, const lp_envelope_t *env);

/* What the complaint adds to its cell (all zero when it does not exist). */
void lp_stats_measures(const lp_stats_state_t *st, lp_stats_measures_t *m);

/* The cell's id: its dimensions joined by '|'. */
void lp_stats_cell_id(const lp_stats_dims_t *dims, char *buf, size_t size);

/* The bucket of a duration in milliseconds (negative counts as 0). */
int lp_stats_bucket(int64_t ms);

/* The p-quantile (0 < p <= 1) of a histogram of LP_STATS_BUCKETS counts, in hours,
 * interpolated linearly inside its bucket; the unbounded bucket answers its lower
 * bound. -1 when the histogram is empty. */
double lp_stats_percentile(const int64_t *hist, double p);

/* The WITA calendar day of a time in ms since the epoch. */
void lp_stats_day(int64_t ms, char out[11]);

/* The first depth parts of a region code ("64.01.01.2009", 2 -> "64.01"); "" when
 * the code has fewer parts. */
void lp_stats_region_prefix(const char *code, int depth, char *out, size_t size);

/* Appends the cell's dimensions (day, region, regency, district, category, agency,
 * channel, type, status, privacy, visit) to doc. */
void lp_stats_append_dims(bson_t *doc, const lp_stats_dims_t *dims);

/* Reads dimensions back from a document written by lp_stats_append_dims. */
void lp_stats_read_dims(const bson_t *doc, lp_stats_dims_t *dims);

/* Appends sign * every non-zero measure to doc, by field name. */
void lp_stats_append_measures(bson_t *doc, const lp_stats_measures_t *m, int sign);

/* Adds the numeric fields of doc that are measure names to m. */
void lp_stats_add_measures(lp_stats_measures_t *m, const bson_t *doc);

/* Replays the events stored in a complaint document (its `events` array of packed
 * envelopes, in order) up to and including event_id: before gets the state just
 * before that event, after the state with it. With event_id NULL, after is the
 * state after every event. Returns 1, or 0 when event_id is not in the document. */
int lp_stats_replay(const bson_t *complaint, const char *event_id, lp_stats_state_t *before,
                    lp_stats_state_t *after);

#endif
