/* bench_sys: starts and stops a private lapor (devdb and four services). */
#define _GNU_SOURCE
#include "bench_sys.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#define BENCH_DB_NAME "lapor_bench"
#define BENCH_START_TIMEOUT_MS 30000.0
#define BENCH_STOP_TIMEOUT_MS 10000.0
#define BENCH_ENV_MAX 512

extern char **environ;

struct bench_sys_t {
    char build_dir[1024];
    char repo_dir[1024];
    char tmp[256];
    int ports[BENCH_PROC_COUNT];
    pid_t pids[BENCH_PROC_COUNT];
    char uri[128];
    char submit_url[128];
    char *envp[BENCH_ENV_MAX];
    int envc;
};

static const char *s_names[BENCH_PROC_COUNT] = {"devdb", "intake", "router", "notifier",
                                                "reporter"};

/* -------------------------------------------------------------------------------------
 * Small helpers */

const char *
bench_proc_name(bench_proc_t which)
{
    return which < BENCH_PROC_COUNT ? s_names[which] : "?";
}

/* The first port the kernel hands out for a bind to port 0. */
static int
s_ephemeral_start(void)
{
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    int lo = 32768;
    if (f) {
        if (fscanf(f, "%d", &lo) != 1)
            lo = 32768;
        fclose(f);
    }
    return lo > 10001 ? lo : 32768;
}

/* Whether a TCP socket can bind (connect false) or connect (true) to port on
 * loopback now. */
static bool
s_port_try(int port, bool connect_to)
{
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                               .sin_port = htons((uint16_t) port)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bool ok = fd >= 0 && (connect_to ? connect(fd, (struct sockaddr *) &addr, sizeof addr)
                                     : bind(fd, (struct sockaddr *) &addr, sizeof addr)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* Below the kernel's ephemeral range: the services bind their ZeroMQ sockets to
 * port 0, and a port taken from that range (bind to 0, release) can go to one of
 * them before the service meant to listen on it starts. */
int
bench_free_port(void)
{
    static unsigned seed;
    static int given[64], n_given;
    int top = s_ephemeral_start();
    if (!seed)
        seed = (unsigned) getpid() ^ (unsigned) time(NULL);
    for (int tries = 0; tries < 500; tries++) {
        int port = 10000 + (int) (rand_r(&seed) % (unsigned) (top - 10000));
        bool seen = false;
        for (int i = 0; i < n_given && !seen; i++)
            seen = given[i] == port;
        if (seen || !s_port_try(port, false))
            continue;
        if (n_given < 64)
            given[n_given++] = port;
        return port;
    }
    return 0;
}

static bool
s_port_open(int port)
{
    return s_port_try(port, true);
}

static size_t
s_discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    return size * nmemb;
}

static bool
s_healthy(int port)
{
    char url[64];
    long code = 0;
    CURL *curl = curl_easy_init();

    if (!curl)
        return false;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/healthz", port);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 2000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_discard);
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(curl);
    return code == 200;
}

static int
s_env_add(bench_sys_t *self, const char *name, const char *value)
{
    char *entry = NULL;
    if (self->envc + 1 >= BENCH_ENV_MAX || asprintf(&entry, "%s=%s", name, value) < 0)
        return -1;
    self->envp[self->envc++] = entry;
    self->envp[self->envc] = NULL;
    return 0;
}

/* The environment of every program: the caller's, minus the LAPOR_* settings that
 * this system decides (so LAPOR_INTAKE_THREADS and the like can still be tried). */
static void
s_env_build(bench_sys_t *self)
{
    static const char *ours[] = {"LAPOR_MONGODB_URI=",         "LAPOR_INTAKE_LISTEN=",
                                 "LAPOR_ROUTER_LISTEN=",       "LAPOR_NOTIFIER_LISTEN=",
                                 "LAPOR_REPORTER_LISTEN=",     "LAPOR_IDENTITY_SEAL_FILE=",
                                 "LAPOR_IDENTITY_OPEN_FILE=",  "LAPOR_RATE_IP_PER_MINUTE=",
                                 "LAPOR_RATE_PHONE_PER_HOUR=", NULL};
    char value[1200];

    for (char **e = environ; *e && self->envc < BENCH_ENV_MAX - 16; e++) {
        bool skip = false;
        for (const char **o = ours; *o; o++)
            skip = skip || strncmp(*e, *o, strlen(*o)) == 0;
        if (!skip)
            self->envp[self->envc++] = strdup(*e);
    }
    self->envp[self->envc] = NULL;
    s_env_add(self, "LAPOR_MONGODB_URI", self->uri);
    for (int i = BENCH_PROC_INTAKE; i < BENCH_PROC_COUNT; i++) {
        char name[64];
        snprintf(name, sizeof name, "LAPOR_%s_LISTEN", s_names[i]);
        for (char *p = name; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char) (*p - 'a' + 'A');
        snprintf(value, sizeof value, "127.0.0.1:%d", self->ports[i]);
        s_env_add(self, name, value);
    }
    snprintf(value, sizeof value, "%s/keys/identity.seal", self->tmp);
    s_env_add(self, "LAPOR_IDENTITY_SEAL_FILE", value);
    snprintf(value, sizeof value, "%s/keys/identity.secret", self->tmp);
    s_env_add(self, "LAPOR_IDENTITY_OPEN_FILE", value);
    /* Every benchmark client is 127.0.0.1: per-IP and per-phone limits would measure
     * the limiter, not the pipeline. */
    s_env_add(self, "LAPOR_RATE_IP_PER_MINUTE", "0");
    s_env_add(self, "LAPOR_RATE_PHONE_PER_HOUR", "0");
}

/* Forks and execs argv with the system's environment, output appended to
 * <tmp>/logs/<log>.log. The child gets SIGTERM when this process dies. Returns the
 * pid, or -1. */
static pid_t
s_spawn(bench_sys_t *self, const char *log, char *const argv[])
{
    char path[512];
    pid_t parent = getpid(), pid;
    int fd;

    snprintf(path, sizeof path, "%s/logs/%s.log", self->tmp, log);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "bench: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        /* Only async-signal-safe calls between fork and exec. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127);
        setpgid(0, 0); /* a terminal's Ctrl-C reaches the benchmark only */
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (chdir(self->tmp) != 0)
            _exit(127);
        execve(argv[0], argv, self->envp);
        _exit(127);
    }
    close(fd);
    if (pid < 0)
        fprintf(stderr, "bench: fork: %s\n", strerror(errno));
    return pid;
}

/* Runs argv to its end; 0 when it exited 0. */
static int
s_run(bench_sys_t *self, char *const argv[])
{
    int status = 0;
    pid_t pid = s_spawn(self, "laporctl", argv);
    if (pid < 0)
        return -1;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench: %s %s failed (log: %s/logs/laporctl.log)\n", argv[0],
                argv[1] ? argv[1] : "", self->tmp);
        return -1;
    }
    return 0;
}

static bool
s_exited(pid_t pid)
{
    int status;
    return waitpid(pid, &status, WNOHANG) == pid;
}

static int
s_start_one(bench_sys_t *self, bench_proc_t which)
{
    char bin[1200], listen[64], dbdir[300];
    char *argv[4] = {bin, NULL, NULL, NULL};
    double deadline = bench_mono_ms() + BENCH_START_TIMEOUT_MS;

    if (which == BENCH_PROC_DEVDB) {
        snprintf(bin, sizeof bin, "%s/lapor-devdb", self->build_dir);
        snprintf(listen, sizeof listen, "127.0.0.1:%d", self->ports[which]);
        snprintf(dbdir, sizeof dbdir, "%s/db", self->tmp);
        argv[1] = listen;
        argv[2] = dbdir;
    }
    else
        snprintf(bin, sizeof bin, "%s/services/%s/lapor-%s", self->build_dir, s_names[which],
                 s_names[which]);
    if (access(bin, X_OK) != 0) {
        fprintf(stderr, "bench: %s is not built (deploy/lapor build)\n", bin);
        return -1;
    }
    self->pids[which] = s_spawn(self, s_names[which], argv);
    if (self->pids[which] < 0) {
        self->pids[which] = 0;
        return -1;
    }
    for (;;) {
        if (s_exited(self->pids[which])) {
            fprintf(stderr, "bench: %s exited while starting (log: %s/logs/%s.log)\n",
                    s_names[which], self->tmp, s_names[which]);
            self->pids[which] = 0;
            return -1;
        }
        if (which == BENCH_PROC_DEVDB ? s_port_open(self->ports[which])
                                      : s_healthy(self->ports[which]))
            return 0;
        if (bench_mono_ms() > deadline || bench_stop) {
            fprintf(stderr, "bench: %s not ready after 30 s (log: %s/logs/%s.log)\n",
                    s_names[which], self->tmp, s_names[which]);
            return -1;
        }
        bench_sleep_ms(100);
    }
}

/* -------------------------------------------------------------------------------------
 * Life cycle */

bench_sys_t *
bench_sys_new(const char *build_dir, const char *repo_dir)
{
    bench_sys_t *self = calloc(1, sizeof *self);
    char logs[300];

    if (!self)
        return NULL;
    snprintf(self->build_dir, sizeof self->build_dir, "%s", build_dir);
    snprintf(self->repo_dir, sizeof self->repo_dir, "%s", repo_dir);
    snprintf(self->tmp, sizeof self->tmp, "%s/lapor-bench-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(self->tmp)) {
        fprintf(stderr, "bench: mkdtemp %s: %s\n", self->tmp, strerror(errno));
        free(self);
        return NULL;
    }
    snprintf(logs, sizeof logs, "%s/logs", self->tmp);
    mkdir(logs, 0755);
    for (int i = 0; i < BENCH_PROC_COUNT; i++)
        self->ports[i] = bench_free_port();
    snprintf(self->uri, sizeof self->uri, "mongodb://127.0.0.1:%d/" BENCH_DB_NAME,
             self->ports[BENCH_PROC_DEVDB]);
    snprintf(self->submit_url, sizeof self->submit_url, "http://127.0.0.1:%d/api/v1/complaints",
             self->ports[BENCH_PROC_INTAKE]);
    s_env_build(self);
    return self;
}

int
bench_sys_start_db(bench_sys_t *self, const char *hook_url, const char *const *agencies,
                   const char *secret)
{
    char ctl[1200], keys[300], data[1200];

    snprintf(ctl, sizeof ctl, "%s/services/laporctl/laporctl", self->build_dir);
    snprintf(keys, sizeof keys, "%s/keys", self->tmp);
    snprintf(data, sizeof data, "%s/deploy/data", self->repo_dir);
    if (access(ctl, X_OK) != 0) {
        fprintf(stderr, "bench: %s is not built (deploy/lapor build)\n", ctl);
        return -1;
    }
    mkdir(keys, 0700);
    {
        char *argv[] = {ctl, "identity-keygen", keys, NULL};
        if (s_run(self, argv) != 0)
            return -1;
    }
    if (s_start_one(self, BENCH_PROC_DEVDB) != 0)
        return -1;
    {
        char *argv[] = {ctl, "import", "--data", data, NULL};
        if (s_run(self, argv) != 0)
            return -1;
    }
    for (const char *const *a = agencies; *a; a++) {
        char *argv[] = {
            ctl, "agency-webhook", "set", (char *) *a, (char *) hook_url, (char *) secret, NULL};
        if (s_run(self, argv) != 0)
            return -1;
    }
    return 0;
}

int
bench_sys_start_services(bench_sys_t *self)
{
    for (int i = BENCH_PROC_INTAKE; i < BENCH_PROC_COUNT; i++)
        if (s_start_one(self, (bench_proc_t) i) != 0)
            return -1;
    return 0;
}

const char *
bench_sys_mongodb_uri(const bench_sys_t *self)
{
    return self->uri;
}

const char *
bench_sys_submit_url(const bench_sys_t *self)
{
    return self->submit_url;
}

pid_t
bench_sys_pid(const bench_sys_t *self, bench_proc_t which)
{
    return which < BENCH_PROC_COUNT ? self->pids[which] : 0;
}

bool
bench_sys_alive(bench_sys_t *self)
{
    for (int i = 0; i < BENCH_PROC_COUNT; i++)
        if (self->pids[i] > 0 && s_exited(self->pids[i])) {
            fprintf(stderr, "bench: %s (pid %d) exited (log: %s/logs/%s.log)\n", s_names[i],
                    (int) self->pids[i], self->tmp, s_names[i]);
            self->pids[i] = 0;
            return false;
        }
    return true;
}

/* Sends SIGTERM to the processes in [from, to) and waits; SIGKILL after the bound. */
static void
s_stop_range(bench_sys_t *self, int from, int to)
{
    double deadline = bench_mono_ms() + BENCH_STOP_TIMEOUT_MS;
    for (int i = from; i < to; i++)
        if (self->pids[i] > 0)
            kill(self->pids[i], SIGTERM);
    for (int i = from; i < to; i++) {
        while (self->pids[i] > 0 && !s_exited(self->pids[i])) {
            if (bench_mono_ms() > deadline) {
                fprintf(stderr, "bench: %s (pid %d) ignored SIGTERM; killing it\n", s_names[i],
                        (int) self->pids[i]);
                kill(self->pids[i], SIGKILL);
                waitpid(self->pids[i], NULL, 0);
                break;
            }
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        self->pids[i] = 0;
    }
}

int
bench_sys_restart(bench_sys_t *self, bench_proc_t which, const char *uri_options)
{
    char uri[1200];
    int slot = -1, rc;
    char *saved = NULL;

    s_stop_range(self, which, which + 1);
    for (int i = 0; i < self->envc && slot < 0; i++)
        if (strncmp(self->envp[i], "LAPOR_MONGODB_URI=", 18) == 0)
            slot = i;
    if (slot >= 0 && uri_options && *uri_options) {
        snprintf(uri, sizeof uri, "LAPOR_MONGODB_URI=%s?%s", self->uri, uri_options);
        saved = self->envp[slot];
        self->envp[slot] = uri;
    }
    rc = s_start_one(self, which);
    if (saved)
        self->envp[slot] = saved;
    return rc;
}

static int
s_remove(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

void
bench_sys_destroy(bench_sys_t **self_p, bool keep)
{
    bench_sys_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    /* Services first, so they do not log a storm of lost connections; the database last. */
    s_stop_range(self, BENCH_PROC_INTAKE, BENCH_PROC_COUNT);
    s_stop_range(self, BENCH_PROC_DEVDB, BENCH_PROC_INTAKE);
    if (keep)
        fprintf(stderr, "bench: kept %s\n", self->tmp);
    else
        nftw(self->tmp, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    for (int i = 0; i < self->envc; i++)
        free(self->envp[i]);
    free(self);
    *self_p = NULL;
}

/* -------------------------------------------------------------------------------------
 * /proc */

double
bench_proc_cpu_ms(pid_t pid)
{
    char path[64], buf[2048];
    unsigned long utime = 0, stime = 0;
    FILE *f = NULL;
    char *p = NULL;
    size_t n = 0;

    if (pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name may hold spaces and parentheses: fields count from the last ')'.
     * After it: state(3) ... utime(14) stime(15). */
    p = strrchr(buf, ')');
    if (!p ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
        return -1;
    return (double) (utime + stime) * 1000.0 / (double) sysconf(_SC_CLK_TCK);
}

long
bench_proc_hwm_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f = NULL;

    if (pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

double
bench_machine_busy_ms(void)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    int n = 0;

    if (!f)
        return -1;
    /* cpu user nice system idle iowait irq softirq steal */
    n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
               &v[5], &v[6], &v[7]);
    fclose(f);
    if (n < 7)
        return -1;
    return (double) (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * 1000.0 /
           (double) sysconf(_SC_CLK_TCK);
}
