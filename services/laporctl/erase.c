/* erase: a reporter's right to have their details removed (UU 27/2022). */
#include <stdio.h>
#include <string.h>

#include "laporctl.h"
#include "lp_attach.h"
#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_recent.h"
#include "lp_tracking.h"
#include "lp_transition.h"

int
laporctl_erase(lp_store_t *store, int argc, char **argv)
{
    char tracking[LP_TRACKING_LEN + 1];
    mongoc_client_t *client = NULL;
    mongoc_collection_t *complaints = NULL, *notes = NULL, *recent = NULL;
    bson_t *filter = NULL, *projection = NULL, *doc = NULL;
    bson_iter_t it;
    lp_attach_ref_t ref;
    lp_error_t err;
    int rc = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: laporctl erase <tracking id>\n");
        return 2;
    }
    if (lp_tracking_normalize(argv[1], tracking) != 0) {
        fprintf(stderr, "tracking id: %s is not a valid tracking ID\n", argv[1]);
        return 2;
    }
    lp_error_clear(&err);
    client = lp_store_pop(store);
    complaints = lp_store_collection(store, client, LP_COLL_COMPLAINTS);
    notes = lp_store_collection(store, client, LP_COLL_NOTIFICATIONS);
    recent = lp_store_collection(store, client, LP_COLL_REPORTER_RECENT);
    filter = BCON_NEW("tracking_id", BCON_UTF8(tracking));
    projection = BCON_NEW("reporter.erased_at", BCON_INT32(1), "reporter.lookup", BCON_INT32(1),
                          "created_at", BCON_INT32(1), "attachments", BCON_INT32(1));
    doc = lp_store_find_one(complaints, filter, projection, &err);
    if (!doc) {
        fprintf(stderr, "%s\n", err.code != LP_ERR_NONE ? err.message : "no such complaint");
        goto done;
    }
    if (!bson_iter_init_find(&it, doc, "_id") || !BSON_ITER_HOLDS_OID(&it))
        goto done;
    if (!bson_has_field(doc, "reporter.lookup")) {
        printf("complaint %s holds no reporter details%s\n", tracking,
               lp_doc_int(doc, "reporter.erased_at") > 0 ? " (erased before)" : "");
        rc = 0;
        goto done;
    }
    /* First the near-duplicate index, while the lookups are still known. */
    if (lp_recent_forget(recent, doc, &err) != 0) {
        fprintf(stderr, "database error: %s\n", err.message);
        goto done;
    }
    if (lp_transition_erase_reporter(complaints, notes, bson_iter_oid(&it), "laporctl",
                                     "Data kontak pelapor dihapus atas permintaan pelapor",
                                     lp_now_ms(), &err) < 0) {
        fprintf(stderr, "database error: %s\n", err.message);
        goto done;
    }
    /* The erasure took the references of personal files; their files go now
     * rather than at the next sweep. */
    for (size_t i = 0; lp_attach_ref_at(doc, i, &ref); i++)
        if (ref.personal && lp_attach_delete(store, client, ref.id, &err) < 0)
            fprintf(stderr, "a personal file stays until intake's sweep: %s\n", err.message);
    printf("the reporter's details of %s are erased; the erasure is in its history\n", tracking);
    rc = 0;
done:
    if (doc)
        bson_destroy(doc);
    bson_destroy(projection);
    bson_destroy(filter);
    mongoc_collection_destroy(recent);
    mongoc_collection_destroy(notes);
    mongoc_collection_destroy(complaints);
    lp_store_push(store, client);
    return rc;
}
