/* media: photos are cleaned by lapor-intake-media, a child process per photo with
 * limits on its time and memory, so a hostile file harms at most that child. */
#define _GNU_SOURCE /* pipe2, close_range */
#include "media.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lp_clock.h"
#include "lp_log.h"

#define HELPER "lapor-intake-media"
#define HELPER_TIMEOUT_MS 60000      /* a photo of the largest accepted size takes ~1 s */
#define HELPER_CPU_S 60              /* CPU seconds, a second fence behind the timeout */
#define HELPER_MEMORY (2048UL << 20) /* address space: decoders of hostile files stay small */

static pthread_once_t s_once = PTHREAD_ONCE_INIT;
static char s_helper[PATH_MAX];

/* The helper: LAPOR_MEDIA_HELPER, else beside this program, else on the PATH. */
static void
s_find_helper(void)
{
    const char *env = getenv("LAPOR_MEDIA_HELPER");
    char self[PATH_MAX];
    ssize_t n;

    if (env && *env) {
        snprintf(s_helper, sizeof s_helper, "%s", env);
        return;
    }
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            int w = snprintf(s_helper, sizeof s_helper, "%s/%s", self, HELPER);
            if (w > 0 && (size_t) w < sizeof s_helper && access(s_helper, X_OK) == 0)
                return;
        }
    }
    snprintf(s_helper, sizeof s_helper, "%s", HELPER);
}

/* Reads the child's one-line answer into buf until EOF or the deadline. */
static bool
s_read_answer(int fd, char *buf, size_t size, int64_t deadline)
{
    size_t len = 0;
    for (;;) {
        int64_t left = deadline - lp_mono_ms();
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int) left) <= 0)
            return false;
        ssize_t r = read(fd, buf + len, size - 1 - len);
        if (r <= 0)
            break;
        len += (size_t) r;
        if (len == size - 1)
            break;
    }
    buf[len] = '\0';
    return true;
}

static int
s_clean(const char *in, lp_sniff_type_t type, const intake_media_limits_t *limits, const char *out,
        const char *thumb, int *width, int *height, lp_error_t *err)
{
    char type_arg[16], pixels_arg[32], side_arg[16], answer[512];
    int fds[2], status = 0;
    pid_t pid;

    pthread_once(&s_once, s_find_helper);
    snprintf(type_arg, sizeof type_arg, "%d", (int) type);
    snprintf(pixels_arg, sizeof pixels_arg, "%lld", (long long) limits->max_pixels);
    snprintf(side_arg, sizeof side_arg, "%d", limits->long_side);
    char *const argv[] = {HELPER,         (char *) in, type_arg, (char *) out,
                          (char *) thumb, pixels_arg,  side_arg, NULL};
    if (pipe2(fds, O_CLOEXEC) != 0) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "could not be cleaned (no pipe)");
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        /* Only async-signal-safe calls between fork and exec. */
        struct rlimit cpu = {HELPER_CPU_S, HELPER_CPU_S};
        if (dup2(fds[1], STDOUT_FILENO) < 0)
            _exit(127);
        close_range(3, ~0U, 0); /* the database and HTTP sockets stay with intake */
        setrlimit(RLIMIT_CPU, &cpu);
#ifndef __SANITIZE_ADDRESS__ /* AddressSanitizer reserves terabytes of address space */
        struct rlimit mem = {HELPER_MEMORY, HELPER_MEMORY};
        setrlimit(RLIMIT_AS, &mem);
#endif
        if (strchr(s_helper, '/'))
            execv(s_helper, argv);
        else
            execvp(s_helper, argv);
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "could not be cleaned (no process)");
        return -1;
    }
    bool answered = s_read_answer(fds[0], answer, sizeof answer, lp_mono_ms() + HELPER_TIMEOUT_MS);
    close(fds[0]);
    if (!answered)
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (answered && strncmp(answer, "ok ", 3) == 0 &&
        sscanf(answer + 3, "%d %d", width, height) == 2)
        return 0;
    if (answered && strncmp(answer, "invalid ", 8) == 0) {
        answer[strcspn(answer, "\n")] = '\0';
        lp_error_set(err, LP_ERR_INVALID, NULL, "%s", answer + 8);
        return -1;
    }
    /* Killed by a limit (a decompression bomb the header did not give away), or
     * crashed: the file is refused, intake carries on. */
    lp_log(LP_LOG_WARN, "attachment.helper_failed", "{s:s,s:i,s:i,s:b}", "helper", s_helper, "exit",
           WIFEXITED(status) ? WEXITSTATUS(status) : -1, "signal",
           WIFSIGNALED(status) ? WTERMSIG(status) : 0, "timeout", !answered);
    if (WIFSIGNALED(status) || !answered)
        lp_error_set(err, LP_ERR_INVALID, NULL, "could not be read as an image within the limits");
    else
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "could not be cleaned right now");
    return -1;
}

/* Photos cleaned at once: each helper may take ~45 MiB for a moment, and intake
 * has more request threads than that would comfortably allow. */
#define HELPERS_AT_ONCE 4
static pthread_mutex_t s_helpers_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_helpers_cond = PTHREAD_COND_INITIALIZER;
static int s_helpers;

int
intake_media_clean(const char *in, lp_sniff_type_t type, const intake_media_limits_t *limits,
                   const char *out, const char *thumb, int *width, int *height, lp_error_t *err)
{
    int rc;
    pthread_mutex_lock(&s_helpers_lock);
    while (s_helpers >= HELPERS_AT_ONCE)
        pthread_cond_wait(&s_helpers_cond, &s_helpers_lock);
    s_helpers++;
    pthread_mutex_unlock(&s_helpers_lock);
    rc = s_clean(in, type, limits, out, thumb, width, height, err);
    pthread_mutex_lock(&s_helpers_lock);
    s_helpers--;
    pthread_cond_signal(&s_helpers_cond);
    pthread_mutex_unlock(&s_helpers_lock);
    return rc;
}
