/* bench_sys: a private lapor for the benchmark: lapor-devdb and the four services on
 * free loopback ports in a temporary folder, stopped and removed afterwards. */
#ifndef BENCH_SYS_H
#define BENCH_SYS_H

#include <stdbool.h>
#include <sys/types.h>

/* The processes of the system, in start order. */
typedef enum {
    BENCH_PROC_DEVDB,
    BENCH_PROC_INTAKE,
    BENCH_PROC_ROUTER,
    BENCH_PROC_NOTIFIER,
    BENCH_PROC_REPORTER,
    BENCH_PROC_COUNT
} bench_proc_t;

typedef struct bench_sys_t bench_sys_t;

/* The name of a process ("devdb", "intake", ...). */
const char *bench_proc_name(bench_proc_t which);

/* Makes the temporary folder and picks the ports; starts nothing. build_dir holds
 * lapor-devdb and services/; repo_dir holds deploy/data. NULL on failure (printed). */
bench_sys_t *bench_sys_new(const char *build_dir, const char *repo_dir);

/* Makes the identity keys, starts devdb, imports the reference data and points the
 * webhooks of the given agencies (NULL-terminated) at hook_url. 0, or -1 (printed).
 * Children get SIGTERM when the benchmark dies, so a crash leaves nothing running. */
int bench_sys_start_db(bench_sys_t *self, const char *hook_url, const char *const *agencies,
                       const char *secret);

/* Starts intake, router, notifier and reporter and waits until each answers
 * /healthz. 0, or -1 (printed). */
int bench_sys_start_services(bench_sys_t *self);

/* Stops one service (SIGTERM) and starts it again with uri_options (such as "w=0")
 * added to its database URI; the others keep running. 0, or -1 (printed). */
int bench_sys_restart(bench_sys_t *self, bench_proc_t which, const char *uri_options);

/* The database URI and intake's complaints URL. */
const char *bench_sys_mongodb_uri(const bench_sys_t *self);
const char *bench_sys_submit_url(const bench_sys_t *self);

/* The process id of a started process, or 0. */
pid_t bench_sys_pid(const bench_sys_t *self, bench_proc_t which);

/* true when every started process still runs. */
bool bench_sys_alive(bench_sys_t *self);

/* CPU time (user + system) of a process so far, in milliseconds; -1 when unknown. */
double bench_proc_cpu_ms(pid_t pid);

/* Peak resident set (VmHWM) of a process, in KiB; -1 when unknown. */
long bench_proc_hwm_kib(pid_t pid);

/* Busy CPU time of the whole machine so far (all cores), in milliseconds. */
double bench_machine_busy_ms(void);

/* Stops the services (SIGTERM, SIGKILL after 10 s), then devdb, and removes the
 * temporary folder (kept, and its path printed, when keep is true). Safe with NULL. */
void bench_sys_destroy(bench_sys_t **self_p, bool keep);

/* A loopback TCP port that was free a moment ago; 0 on failure. */
int bench_free_port(void);

#endif
