/* laporctl: administration of a lapor installation, straight against the database. */
#include <stdio.h>
#include <string.h>

#include "laporctl.h"
#include "lp_curve.h"
#include "lp_identity.h"
#include "lp_config.h"
#include "lp_log.h"

static const char s_commands[] =
    "\nCommands:\n"
    "  import [--data DIR]                       load regions, categories, keywords, agencies,\n"
    "                                            routing rules and holidays from DIR\n"
    "                                            (deploy/data); validated, idempotent\n"
    "  export [--data DIR]                       write the same files from the database into\n"
    "                                            DIR (default .), sorted; no webhook secrets\n"
    "  agency list [--json]                      list agencies and whether a webhook is set\n"
    "  agency-webhook set <id> <url> <secret>    where and how to sign the agency's webhooks\n"
    "  agency-webhook clear <id>                 stop sending the agency webhooks\n"
    "  admin-key add <name> [coordinator|admin]  prints a new triage-desk API key (shown once)\n"
    "  admin-key revoke <name>                   withdraws every key of that person\n"
    "  agency-key add <agency id>                prints a new API key of the agency (shown once)\n"
    "  agency-key revoke <agency id>             withdraws every key of the agency\n"
    "  user add <name> <role> [--agency ID] [--region PREFIX]\n"
    "                                            a portal account (staff, liaison, coordinator,\n"
    "                                            analyst, admin); password on standard input\n"
    "  user disable <name>                       no more logins; open sessions end\n"
    "  erase <tracking id>                       removes the reporter's details on request\n"
    "                                            (recorded in the complaint's history)\n"
    "  open311-key add <client name>             prints a new Open311 API key (shown once)\n"
    "  open311-key revoke <key or client name>   withdraws that key, or every key of the client\n"
    "  notifications dead [--json]               messages given up after the last try\n"
    "  notifications redrive <id>|--all          send dead messages again (same ids)\n"
    "  stats rebuild                             recompute every roll-up from the complaints\n"
    "                                            (progress on stderr)\n"
    "  feed [--endpoint E] [--count N] [--seconds S]\n"
    "                                            the analysts' live feed as NDJSON; gaps in a\n"
    "                                            producer's sequence are reported\n"
    "  outreach add <village> <YYYY-MM-DD> <people> [note]\n"
    "                                            records a Masuk Desa visit; prints its id\n"
    "  outreach list [--json]                    the visits so far\n"
    "  curve-keygen <dir> <name>...              CURVE key pairs for the ZeroMQ bus between\n"
    "                                            hosts: <name>.key, <name>.pub (allow-list)\n"
    "  identity-keygen <dir>                     new keys that seal reporters' contacts:\n"
    "                                            identity.seal (intake), identity.secret\n"
    "                                            (notifier only); never overwrites\n";

int
main(int argc, char **argv)
{
    lp_common_config_t common = {0};
    lp_option_t options[] = {
        {"mongodb-uri", "LAPOR_MONGODB_URI", LP_OPT_STRING, "mongodb://127.0.0.1:27017/lapor",
         "MongoDB URI", &common.mongodb_uri},
        {0},
    };
    int first = 0, rc = 0;
    lp_store_t *store = NULL;
    lp_error_t err;

    rc = lp_config_parse("laporctl", "Administers lapor: reference data and agencies.", options,
                         argc, argv, &first);
    if (rc != 0) {
        if (rc > 0)
            fputs(s_commands, stdout);
        return rc > 0 ? 0 : 2;
    }
    if (first >= argc) {
        fprintf(stderr, "laporctl: a command is missing (see --help)\n");
        return 2;
    }
    if (strcmp(argv[first], "curve-keygen") == 0) {
        /* Needs no database either. */
        if (argc - first < 3) {
            fprintf(stderr, "laporctl: usage: curve-keygen <dir> <name> [<name>...]\n");
            return 2;
        }
        for (int i = first + 2; i < argc; i++) {
            lp_error_clear(&err);
            if (lp_curve_keygen(argv[first + 1], argv[i], &err) != 0) {
                fprintf(stderr, "laporctl: %s\n", err.message);
                return 1;
            }
            printf("wrote %s/%s.key (that service only) and %s/%s.pub (for the allow-lists)\n",
                   argv[first + 1], argv[i], argv[first + 1], argv[i]);
        }
        return 0;
    }
    if (strcmp(argv[first], "identity-keygen") == 0) {
        /* Needs no database: the keys never go there. */
        if (argc - first != 2) {
            fprintf(stderr, "laporctl: usage: identity-keygen <dir>\n");
            return 2;
        }
        lp_error_clear(&err);
        if (lp_identity_keygen(argv[first + 1], &err) != 0) {
            fprintf(stderr, "laporctl: %s\n", err.message);
            return 1;
        }
        printf("wrote %s/identity.seal (intake: LAPOR_IDENTITY_SEAL_FILE) and %s/identity.secret "
               "(notifier only: LAPOR_IDENTITY_OPEN_FILE)\n",
               argv[first + 1], argv[first + 1]);
        return 0;
    }
    lp_log_init("laporctl", NULL);
    lp_log_set_level("warn");
    lp_error_clear(&err);
    store = lp_store_new(common.mongodb_uri, "laporctl", &err);
    if (!store) {
        fprintf(stderr, "laporctl: %s\n", err.message);
        return 2;
    }
    if (!lp_store_ping(store, &err)) {
        fprintf(stderr, "laporctl: cannot reach the database: %s\n", err.message);
        lp_store_destroy(&store);
        return 1;
    }
    argc -= first;
    argv += first;
    if (strcmp(argv[0], "import") == 0)
        rc = laporctl_import(store, argc, argv);
    else if (strcmp(argv[0], "export") == 0)
        rc = laporctl_export(store, argc, argv);
    else if (strcmp(argv[0], "agency") == 0)
        rc = laporctl_agency(store, argc, argv);
    else if (strcmp(argv[0], "agency-webhook") == 0)
        rc = laporctl_agency_webhook(store, argc, argv);
    else if (strcmp(argv[0], "agency-key") == 0)
        rc = laporctl_agency_key(store, argc, argv);
    else if (strcmp(argv[0], "erase") == 0)
        rc = laporctl_erase(store, argc, argv);
    else if (strcmp(argv[0], "user") == 0)
        rc = laporctl_user(store, argc, argv);
    else if (strcmp(argv[0], "notifications") == 0)
        rc = laporctl_notifications(store, argc, argv);
    else if (strcmp(argv[0], "admin-key") == 0)
        rc = laporctl_admin_key(store, argc, argv);
    else if (strcmp(argv[0], "stats") == 0)
        rc = laporctl_stats(store, argc, argv);
    else if (strcmp(argv[0], "feed") == 0)
        rc = laporctl_feed(store, argc, argv);
    else if (strcmp(argv[0], "outreach") == 0)
        rc = laporctl_outreach(store, argc, argv);
    else if (strcmp(argv[0], "open311-key") == 0)
        rc = laporctl_open311_key(store, argc, argv);
    else {
        fprintf(stderr, "laporctl: unknown command '%s' (see --help)\n", argv[0]);
        rc = 2;
    }
    lp_store_destroy(&store);
    mongoc_cleanup();
    return rc;
}
