/* laporctl: lapor's administration tool; one function per command. */
#ifndef LAPORCTL_H
#define LAPORCTL_H

#include "lp_store.h"

/* Each command returns the process exit code: 0 done, 1 failed, 2 bad usage. */
int laporctl_import(lp_store_t *store, int argc, char **argv);
int laporctl_agency(lp_store_t *store, int argc, char **argv);
int laporctl_agency_webhook(lp_store_t *store, int argc, char **argv);
int laporctl_admin_key(lp_store_t *store, int argc, char **argv);
int laporctl_open311_key(lp_store_t *store, int argc, char **argv);
int laporctl_export(lp_store_t *store, int argc, char **argv);
int laporctl_notifications(lp_store_t *store, int argc, char **argv);
int laporctl_agency_key(lp_store_t *store, int argc, char **argv);
int laporctl_user(lp_store_t *store, int argc, char **argv);
/* Issues a new API key (printed once on stdout, stored hashed) with role for owner;
 * what names it in the message ("an Open311 key"). Returns the exit code. */
int laporctl_issue_key(lp_store_t *store, const char *role, const char *owner, const char *what);

/* Revokes every live key matching filter; prints how many. Returns the exit code
 * (1 when none matched). */
int laporctl_revoke_keys(lp_store_t *store, const bson_t *filter, const char *what);

int laporctl_erase(lp_store_t *store, int argc, char **argv);
int laporctl_stats(lp_store_t *store, int argc, char **argv);
int laporctl_feed(lp_store_t *store, int argc, char **argv);
int laporctl_outreach(lp_store_t *store, int argc, char **argv);

/* Reads a CSV file with a header line; calls row(fields, n, line, arg) for each
 * data row. Returns the number of rows, or -1 when the file cannot be read or is
 * not CSV (message printed). A row callback returns 0, or -1 to count an error. */
typedef int (*laporctl_row_fn)(char **fields, size_t n, long line, void *arg);
long laporctl_csv_each(const char *path, const char *const *header, laporctl_row_fn row, void *arg,
                       long *errors);

#endif
