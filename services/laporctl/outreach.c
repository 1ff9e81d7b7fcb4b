/* outreach: `laporctl outreach add|list`: visits of "SP4N-LAPOR! Masuk Desa". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "laporctl.h"
#include "lp_outreach.h"

static int
s_add(lp_store_t *store, int argc, char **argv)
{
    char message[160], id[LP_OUTREACH_ID_LEN + 1], *end = NULL;
    const char *field = NULL;
    lp_refdata_t *ref = NULL;
    lp_error_t err;
    long long people = 0;
    int rc = 1;

    if (argc < 5 || argc > 6) {
        fprintf(stderr, "laporctl: usage: outreach add <village code> <YYYY-MM-DD> <people> "
                        "[note]\n");
        return 2;
    }
    people = strtoll(argv[4], &end, 10);
    if (!*argv[4] || *end)
        people = -1;
    lp_error_clear(&err);
    if (!(ref = lp_refdata_load(store, &err))) {
        fprintf(stderr, "laporctl: %s (run laporctl import first)\n", err.message);
        return 1;
    }
    field = lp_outreach_check(ref, argv[2], argv[3], people, argc == 6 ? argv[5] : NULL, message,
                              sizeof message);
    if (field) {
        fprintf(stderr, "laporctl: %s: %s\n", field, message);
        rc = 2;
    }
    else if (!lp_outreach_add(store, ref, argv[2], argv[3], people, argc == 6 ? argv[5] : NULL,
                              "laporctl", id, &err))
        fprintf(stderr, "laporctl: %s\n", err.message);
    else {
        printf("%s\n", id);
        rc = 0;
    }
    lp_refdata_destroy(&ref);
    return rc;
}

static int
s_list(lp_store_t *store, bool as_json)
{
    lp_error_t err;
    json_t *list = NULL, *v = NULL;
    size_t i = 0;

    lp_error_clear(&err);
    if (!(list = lp_outreach_list(store, &err))) {
        fprintf(stderr, "laporctl: %s\n", err.message);
        return 1;
    }
    if (as_json) {
        char *text = json_dumps(list, JSON_INDENT(2));
        if (text)
            printf("%s\n", text);
        free(text);
    }
    else
        json_array_foreach (list, i, v)
            printf("%s  %s  %-16s %-28s %5lld  %s\n", json_string_value(json_object_get(v, "id")),
                   json_string_value(json_object_get(v, "date")),
                   json_string_value(json_object_get(v, "village")),
                   json_string_value(json_object_get(v, "village_name")),
                   (long long) json_integer_value(json_object_get(v, "people")),
                   json_string_value(json_object_get(v, "note")));
    json_decref(list);
    return 0;
}

int
laporctl_outreach(lp_store_t *store, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return s_add(store, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "list") == 0 &&
        (argc == 2 || (argc == 3 && strcmp(argv[2], "--json") == 0)))
        return s_list(store, argc == 3);
    fprintf(stderr, "laporctl: usage: outreach add <village code> <YYYY-MM-DD> <people> [note] | "
                    "outreach list [--json]\n");
    return 2;
}
