/* csv: reading reference data files with libcsv, checking the header. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "laporctl.h"

#define MAX_FIELDS 16

typedef struct {
    const char *path;
    const char *const *header;
    size_t n_header;
    laporctl_row_fn row;
    void *arg;
    char *fields[MAX_FIELDS];
    size_t n;
    long line;
    long rows;
    long *errors;
    bool header_ok;
} s_reader_t;

static void
s_field(void *data, size_t len, void *arg)
{
    s_reader_t *r = arg;
    if (r->n < MAX_FIELDS)
        r->fields[r->n] = strndup(data ? data : "", len);
    r->n++;
}

static void
s_row(int term, void *arg)
{
    s_reader_t *r = arg;
    size_t kept = r->n < MAX_FIELDS ? r->n : MAX_FIELDS;

    r->line++;
    if (r->line == 1) {
        r->header_ok = r->n == r->n_header;
        for (size_t i = 0; r->header_ok && i < r->n_header; i++)
            r->header_ok = strcmp(r->fields[i], r->header[i]) == 0;
        if (!r->header_ok) {
            fprintf(stderr, "%s:1: the header must be:", r->path);
            for (size_t i = 0; i < r->n_header; i++)
                fprintf(stderr, "%s%s", i ? "," : " ", r->header[i]);
            fputc('\n', stderr);
            (*r->errors)++;
        }
    }
    else if (r->header_ok) {
        if (r->n != r->n_header) {
            fprintf(stderr, "%s:%ld: expected %zu columns, found %zu\n", r->path, r->line,
                    r->n_header, r->n);
            (*r->errors)++;
        }
        else if (r->row(r->fields, r->n, r->line, r->arg) != 0)
            (*r->errors)++;
        r->rows++;
    }
    for (size_t i = 0; i < kept; i++)
        free(r->fields[i]);
    r->n = 0;
}

long
laporctl_csv_each(const char *path, const char *const *header, laporctl_row_fn row, void *arg,
                  long *errors)
{
    struct csv_parser parser;
    s_reader_t r = {.path = path, .header = header, .row = row, .arg = arg, .errors = errors};
    FILE *in = fopen(path, "rb");
    char buf[8192];
    size_t got = 0;
    long rc = 0;

    while (header[r.n_header])
        r.n_header++;
    if (!in) {
        fprintf(stderr, "%s: cannot open\n", path);
        return -1;
    }
    csv_init(&parser, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI);
    while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
        if (csv_parse(&parser, buf, got, s_field, s_row, &r) != got) {
            fprintf(stderr, "%s:%ld: not valid CSV: %s\n", path, r.line + 1,
                    csv_strerror(csv_error(&parser)));
            rc = -1;
            break;
        }
    }
    if (rc == 0 && csv_fini(&parser, s_field, s_row, &r) != 0) {
        fprintf(stderr, "%s: not valid CSV at the end: %s\n", path,
                csv_strerror(csv_error(&parser)));
        rc = -1;
    }
    for (size_t i = 0; i < r.n && i < MAX_FIELDS; i++)
        free(r.fields[i]);
    csv_free(&parser);
    fclose(in);
    return rc < 0 ? -1 : r.rows;
}
