/* lp_config: one table drives flags, environment and --help. */
#include "lp_config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
s_assign(lp_option_t *opt, const char *value, const char *source)
{
    char *end = NULL;
    long n = 0;

    switch (opt->type) {
    case LP_OPT_STRING:
        *(const char **) opt->target = value;
        return 0;
    case LP_OPT_INT:
        errno = 0;
        n = value ? strtol(value, &end, 10) : 0;
        if (value && (errno || end == value || *end != '\0')) {
            fprintf(stderr, "%s: %s must be a whole number, got '%s'\n", opt->name, source, value);
            return -1;
        }
        *(long *) opt->target = n;
        return 0;
    case LP_OPT_FLAG:
        *(bool *) opt->target = value && (strcmp(value, "1") == 0 || strcmp(value, "true") == 0 ||
                                          strcmp(value, "yes") == 0 || strcmp(value, "on") == 0);
        return 0;
    }
    return -1;
}

static void
s_print_help(const char *program, const char *summary, const lp_option_t *opts)
{
    printf("Usage: %s [options]\n%s\n\nOptions (flag, environment variable, default):\n", program,
           summary);
    for (const lp_option_t *o = opts; o->name; o++) {
        printf("  --%s%s\n      %s%s%s%s%s\n", o->name, o->type == LP_OPT_FLAG ? "" : "=VALUE",
               o->help, o->env ? "\n      env " : "", o->env ? o->env : "",
               o->defval ? ", default " : "", o->defval ? o->defval : "");
    }
    printf("  --help\n      print this help and exit\n");
}

int
lp_config_parse(const char *program, const char *summary, lp_option_t *opts, int argc, char **argv,
                int *first_arg)
{
    size_t n = 0;
    struct option *longopts = NULL;
    int rc = -1;
    int c = 0;
    int index = 0;

    for (lp_option_t *o = opts; o->name; o++, n++) {
        const char *env = o->env ? getenv(o->env) : NULL;
        if (s_assign(o, o->defval, "default") != 0)
            return -1;
        if (env && *env && s_assign(o, env, o->env) != 0)
            return -1;
    }
    longopts = calloc(n + 2, sizeof *longopts);
    if (!longopts)
        return -1;
    for (size_t i = 0; i < n; i++) {
        longopts[i].name = opts[i].name;
        longopts[i].has_arg = opts[i].type == LP_OPT_FLAG ? optional_argument : required_argument;
        longopts[i].val = 1000 + (int) i;
    }
    longopts[n].name = "help";
    longopts[n].val = 'h';

    optind = 1;
    opterr = 0;
    /* "+" stops at the first positional argument, so subcommands keep their own flags. */
    while ((c = getopt_long(argc, argv, "+h", longopts, &index)) != -1) {
        if (c == 'h') {
            s_print_help(program, summary, opts);
            rc = 1;
            goto done;
        }
        if (c >= 1000 && c < 1000 + (int) n) {
            lp_option_t *o = &opts[c - 1000];
            const char *value = optarg;
            if (o->type == LP_OPT_FLAG && !value)
                value = "1";
            if (s_assign(o, value, "flag") != 0)
                goto done;
            continue;
        }
        fprintf(stderr, "%s: unknown or incomplete option '%s' (see --help)\n", program,
                argv[optind - 1]);
        goto done;
    }
    if (first_arg)
        *first_arg = optind;
    rc = 0;
done:
    free(longopts);
    return rc;
}

void
lp_config_default_instance(lp_common_config_t *c, const char *service)
{
    static char buf[128];
    char host[64] = "";

    if (c->instance && *c->instance)
        return;
    gethostname(host, sizeof host - 1);
    snprintf(buf, sizeof buf, "%s-%s-%ld", service, host, (long) getpid());
    c->instance = buf;
}
