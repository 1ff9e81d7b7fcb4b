/* lp_config: settings from flags, then LAPOR_* environment variables, then defaults.
 *
 * A program describes its settings once, in a table; the same table parses the
 * command line, reads the environment and prints --help, so the three never drift. */
#ifndef LP_CONFIG_H
#define LP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { LP_OPT_STRING, LP_OPT_INT, LP_OPT_FLAG } lp_opt_type_t;

typedef struct {
    const char *name; /* long flag without dashes: "mongodb-uri" */
    const char *env;  /* environment variable: "LAPOR_MONGODB_URI", or NULL */
    lp_opt_type_t type;
    const char *defval; /* default as text; NULL means empty / 0 / false */
    const char *help;   /* one line */
    void *target;       /* const char ** | long * | bool *; strings point into argv,
                           environ or defval, which live as long as the process */
} lp_option_t;

/* Settings every lapor service shares. */
typedef struct {
    const char *mongodb_uri;
    const char *bus_bind;
    const char *instance;
    const char *log_level;
    long grace_ms;
    long sweep_ms;
    long full_sweep_ms;
    long lease_ms;
    long refdata_every_ms;
    const char *curve_key_file;  /* this service's CURVE key pair; NULL: no CURVE */
    const char *curve_allow_dir; /* the .pub files of the peers allowed in */
} lp_common_config_t;

/* The table rows of lp_common_config_t, to put inside a program's own table. */
#define LP_COMMON_OPTIONS(c)                                                                       \
    {"mongodb-uri",                                                                                \
     "LAPOR_MONGODB_URI",                                                                          \
     LP_OPT_STRING,                                                                                \
     "mongodb://127.0.0.1:27017/lapor",                                                            \
     "MongoDB URI (FerretDB locally; add w=majority for a replica set)",                           \
     &(c)->mongodb_uri},                                                                           \
        {"bus-bind",                                                                               \
         "LAPOR_BUS_BIND",                                                                         \
         LP_OPT_STRING,                                                                            \
         "tcp://127.0.0.1:*",                                                                      \
         "where this instance binds its ZeroMQ sockets (* = any free port)",                       \
         &(c)->bus_bind},                                                                          \
        {"instance",                                                                               \
         "LAPOR_INSTANCE",                                                                         \
         LP_OPT_STRING,                                                                            \
         NULL,                                                                                     \
         "instance name (default <service>-<host>-<pid>)",                                         \
         &(c)->instance},                                                                          \
        {"log-level",    "LAPOR_LOG_LEVEL", LP_OPT_STRING, "info", "debug, info, warn or error",   \
         &(c)->log_level},                                                                         \
        {"grace-ms",                                                                               \
         "LAPOR_GRACE_MS",                                                                         \
         LP_OPT_INT,                                                                               \
         "3000",                                                                                   \
         "how long work waits for its message before a sweeper takes it",                          \
         &(c)->grace_ms},                                                                          \
        {"sweep-ms",    "LAPOR_SWEEP_MS", LP_OPT_INT, "1000", "how often the sweeper runs",        \
         &(c)->sweep_ms},                                                                          \
        {"full-sweep-ms",                                                                          \
         "LAPOR_FULL_SWEEP_MS",                                                                    \
         LP_OPT_INT,                                                                               \
         "300000",                                                                                 \
         "how long a marked event may miss from its complaint; how often the ledger is scanned",   \
         &(c)->full_sweep_ms},                                                                     \
        {"lease-ms",                                                                               \
         "LAPOR_LEASE_MS",                                                                         \
         LP_OPT_INT,                                                                               \
         "30000",                                                                                  \
         "how long a claimed piece of work stays with one instance",                               \
         &(c)->lease_ms},                                                                          \
        {"refdata-every-ms",                                                                       \
         "LAPOR_REFDATA_EVERY_MS",                                                                 \
         LP_OPT_INT,                                                                               \
         "60000",                                                                                  \
         "how often reference data (agencies, rules, keywords, holidays) is reloaded",             \
         &(c)->refdata_every_ms},                                                                  \
        {"curve-key-file",                                                                         \
         "LAPOR_CURVE_KEY_FILE",                                                                   \
         LP_OPT_STRING,                                                                            \
         NULL,                                                                                     \
         "CURVE key pair of this service ({service} is replaced); empty: ZeroMQ without CURVE",    \
         &(c)->curve_key_file},                                                                    \
    {                                                                                              \
        "curve-allow-dir", "LAPOR_CURVE_ALLOW_DIR", LP_OPT_STRING, NULL,                           \
            "directory of the CURVE public keys (.pub) allowed to connect", &(c)->curve_allow_dir  \
    }

/* Parses opts (terminated by a row whose name is NULL) from the environment and
 * argv. Returns 0 on success with *first_arg set to the index of the first
 * positional argument; 1 when --help was printed; -1 after printing an error
 * that names the flag. */
int lp_config_parse(const char *program, const char *summary, lp_option_t *opts, int argc,
                    char **argv, int *first_arg);

/* Fills c->instance with "<service>-<host>-<pid>" when it is unset. The text
 * lives in a static buffer. */
void lp_config_default_instance(lp_common_config_t *c, const char *service);

#endif
