/* lp_outreach: the Masuk Desa target table and the outreach_visits collection. */
#include "lp_outreach.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_doc.h"

/* From the programme's announcement: Paser and Penajam Paser Utara in July, Kutai
 * Kartanegara and Kutai Barat in August, Berau in September; two villages of 50
 * people in each. */
static const lp_outreach_target_t s_targets[] = {
    {"64.01", "Kabupaten Paser", 7, 2, 50},
    {"64.09", "Kabupaten Penajam Paser Utara", 7, 2, 50},
    {"64.02", "Kabupaten Kutai Kartanegara", 8, 2, 50},
    {"64.07", "Kabupaten Kutai Barat", 8, 2, 50},
    {"64.03", "Kabupaten Berau", 9, 2, 50},
};

const lp_outreach_target_t *
lp_outreach_targets(size_t *n)
{
    *n = sizeof s_targets / sizeof s_targets[0];
    return s_targets;
}

static bool
s_date_ok(const char *s)
{
    int y, m, d;
    char extra;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char) s[i]))
            return false;
    return sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 && y >= 2000 && y < 2100 && m >= 1 &&
           m <= 12 && d >= 1 && d <= 31;
}

const char *
lp_outreach_check(const lp_refdata_t *ref, const char *village, const char *date, long long people,
                  const char *note, char *message, size_t size)
{
    const lp_region_t *r = NULL;

    if (!village || !*village || strlen(village) > 20) {
        snprintf(message, size, "a village (desa) code is required, e.g. 64.01.01.2009");
        return "village";
    }
    if (ref && (!(r = lp_refdata_region(ref, village)) || strcmp(r->level, "desa") != 0)) {
        snprintf(message, size, "no village (desa) has this Kemendagri code");
        return "village";
    }
    if (!s_date_ok(date)) {
        snprintf(message, size, "must be a date YYYY-MM-DD");
        return "date";
    }
    if (people < 0 || people > 100000) {
        snprintf(message, size, "must be a whole number from 0 to 100000");
        return "people";
    }
    if (note && strlen(note) > 1000) {
        snprintf(message, size, "write at most 1000 bytes");
        return "note";
    }
    return NULL;
}

bool
lp_outreach_add(lp_store_t *store, const lp_refdata_t *ref, const char *village, const char *date,
                long long people, const char *note, const char *by, char id[LP_OUTREACH_ID_LEN + 1],
                lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_OUTREACH_VISITS);
    const lp_region_t *r = ref ? lp_refdata_region(ref, village) : NULL;
    char regency[16] = "";
    bson_t doc = BSON_INITIALIZER;
    bson_error_t error;
    bson_oid_t oid;
    bool ok = true;

    bson_oid_init(&oid, NULL);
    bson_oid_to_string(&oid, id);
    snprintf(regency, sizeof regency, "%.5s", village);
    BSON_APPEND_UTF8(&doc, "_id", id);
    BSON_APPEND_UTF8(&doc, "village", village);
    BSON_APPEND_UTF8(&doc, "village_name", r ? r->name : "");
    BSON_APPEND_UTF8(&doc, "regency", regency);
    BSON_APPEND_UTF8(&doc, "date", date);
    BSON_APPEND_INT64(&doc, "people", people);
    BSON_APPEND_UTF8(&doc, "note", note ? note : "");
    BSON_APPEND_UTF8(&doc, "created_by", by ? by : "");
    BSON_APPEND_INT64(&doc, "created_at", lp_now_ms());
    if (!mongoc_collection_insert_one(coll, &doc, NULL, NULL, &error)) {
        lp_store_set_error(err, &error, "outreach visit");
        ok = false;
    }
    bson_destroy(&doc);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return ok;
}

json_t *
lp_outreach_list(lp_store_t *store, lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_OUTREACH_VISITS);
    bson_t *filter = bson_new();
    bson_t *opts = BCON_NEW("sort", "{", "date", BCON_INT32(1), "_id", BCON_INT32(1), "}");
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    json_t *list = json_array();
    const bson_t *doc = NULL;
    bson_error_t error;

    while (mongoc_cursor_next(cursor, &doc))
        json_array_append_new(
            list,
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s}", "id", lp_doc_str(doc, "_id"), "village",
                      lp_doc_str(doc, "village"), "village_name", lp_doc_str(doc, "village_name"),
                      "regency", lp_doc_str(doc, "regency"), "date", lp_doc_str(doc, "date"),
                      "people", (json_int_t) lp_doc_int(doc, "people"), "note",
                      lp_doc_str(doc, "note"), "created_by", lp_doc_str(doc, "created_by")));
    if (mongoc_cursor_error(cursor, &error)) {
        lp_store_set_error(err, &error, "outreach visits");
        json_decref(list);
        list = NULL;
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return list;
}
