/*
 * options.c - parse_options and usage_with_options (see options.h): one
 * table per command gives both.  The table becomes getopt_long's (every
 * long name, -h and --help, the short names), so that prefixes, --name=value
 * and the order of arguments are read as the commands always read them;
 * each option met is then checked and stored as its entry says.
 */
#include "cli/options.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/banned.h"

/* getopt_long's answer for the long name of options[i]: past every char. */
#define LONG_VAL_BASE 256

void cli_strlist_push(cli_strlist *l, const char *s)
{
    ALLOC_GROW(l->v, l->n + 1, l->alloc);
    l->v[l->n++] = s;
}

void cli_strlist_release(cli_strlist *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->alloc = 0;
}

int cli_opt_bbox(const struct cli_option *opt, const char *arg, const char *cmd)
{
    return cli_parse_bbox(cmd, arg, (int)opt->defval, opt->value);
}

int cli_opt_latlon(const struct cli_option *opt, const char *arg, const char *cmd)
{
    strbuf name = STRBUF_INIT;
    sb_addf(&name, "--%s", opt->long_name);
    int rc = cli_parse_latlon(cmd, name.buf, arg, opt->value);
    sb_release(&name);
    return rc;
}

int cli_opt_focus(const struct cli_option *opt, const char *arg, const char *cmd)
{
    strbuf name = STRBUF_INIT;
    sb_addf(&name, "--%s", opt->long_name);
    int rc = cli_parse_focus(cmd, name.buf, arg, opt->value);
    sb_release(&name);
    return rc;
}

int cli_opt_country(const struct cli_option *opt, const char *arg, const char *cmd)
{
    char *cc = opt->value;
    if (strlen(arg) != 2 || !isalpha((unsigned char)arg[0]) || !isalpha((unsigned char)arg[1])) {
        cli_error(cmd, "--%s \"%s\" is not a two-letter ISO country code", opt->long_name, arg);
        return -1;
    }
    cc[0] = (char)toupper((unsigned char)arg[0]);
    cc[1] = (char)toupper((unsigned char)arg[1]);
    cc[2] = '\0';
    return 0;
}

int cli_opt_zoom(const struct cli_option *opt, const char *arg, const char *cmd)
{
    int *zoom = opt->value;
    (void)cmd; /* cli_parse_zoom's messages are tiles' */
    return cli_parse_zoom(arg, &zoom[0], &zoom[1]);
}

int cli_opt_size(const struct cli_option *opt, const char *arg, const char *cmd)
{
    int *size = opt->value;
    (void)cmd; /* cli_parse_size's messages are map's */
    return cli_parse_size(arg, &size[0], &size[1]);
}

/* "A, B or C" of a choice's values. */
static void add_choices(strbuf *sb, const char *const *choices)
{
    for (size_t i = 0; choices[i]; i++) {
        if (i) sb_adds(sb, choices[i + 1] ? ", " : " or ");
        sb_adds(sb, choices[i]);
    }
}

/* Check and store the value arg of the option o.  0, or -1 after saying why. */
static int take_value(const struct cli_option *o, const char *arg, const char *cmd)
{
    strbuf name = STRBUF_INIT;
    long number;
    int rc = 0;
    sb_addf(&name, "--%s", o->long_name);
    switch (o->type) {
    case OPTION_BOOL: *(int *)o->value = 1; break;
    case OPTION_STRING: *(const char **)o->value = arg; break;
    case OPTION_STRING_LIST: cli_strlist_push(o->value, arg); break;
    case OPTION_INTEGER:
        rc = cli_parse_int(cmd, name.buf, arg, o->min, o->max, &number);
        if (!rc) *(long *)o->value = number;
        break;
    case OPTION_CHOICE:
        rc = -1;
        for (int i = 0; o->choices[i] && rc; i++)
            if (!strcmp(arg, o->choices[i])) {
                *(int *)o->value = i;
                rc = 0;
            }
        if (rc) {
            strbuf list = STRBUF_INIT;
            add_choices(&list, o->choices);
            cli_error(cmd, "%s \"%s\" is not %s", name.buf, arg, list.buf);
            sb_release(&list);
        }
        break;
    case OPTION_CALLBACK: rc = o->callback(o, arg, cmd) < 0 ? -1 : 0; break;
    case OPTION_END:
    case OPTION_COLUMN: break;
    }
    if (!rc && o->given) *o->given = 1;
    sb_release(&name);
    return rc;
}

int parse_options(int argc, char **argv, const struct cli_option *options, const struct cli_usage *usage,
                  int flags)
{
    size_t n = 0, k = 0;
    while (options[n].type != OPTION_END) n++;
    struct option *longopts = xcalloc(n + 2, sizeof(*longopts));
    strbuf shortopts = STRBUF_INIT;
    if (flags & PARSE_OPT_STOP_AT_NON_OPTION) sb_addch(&shortopts, '+');
    sb_addch(&shortopts, 'h');
    for (size_t i = 0; i < n; i++) {
        const struct cli_option *o = &options[i];
        if (o->type == OPTION_COLUMN) continue;
        longopts[k++] = (struct option){ o->long_name, o->argh ? required_argument : no_argument, NULL,
                                         LONG_VAL_BASE + (int)i };
        if (o->short_name) {
            sb_addch(&shortopts, o->short_name);
            if (o->argh) sb_addch(&shortopts, ':');
        }
    }
    longopts[k] = (struct option){ "help", no_argument, NULL, 'h' };

    int rc = 0, c;
    opterr = 0;
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, shortopts.buf, longopts, NULL)) != -1) {
        const struct cli_option *o = NULL;
        if (c == 'h') {
            usage_with_options(stdout, usage, options);
            rc = PARSE_OPT_HELP;
            break;
        }
        if (c >= LONG_VAL_BASE) o = &options[c - LONG_VAL_BASE];
        for (size_t i = 0; !o && c != '?' && i < n; i++)
            if (options[i].type != OPTION_COLUMN && options[i].short_name == c) o = &options[i];
        if (!o) {
            cli_error(usage->cmd, (flags & PARSE_OPT_SAY_UNKNOWN) ? "unknown option '%s'"
                                                                  : "unknown option or missing value '%s'",
                      argv[optind - 1]);
            usage_with_options(stderr, usage, options);
            rc = PARSE_OPT_ERROR;
        } else if (take_value(o, optarg, usage->cmd) < 0) {
            rc = PARSE_OPT_ERROR;
        }
    }
    if (!rc) {
        rc = argc - optind;
        memmove(argv, argv + optind, (size_t)rc * sizeof(*argv));
        argv[rc] = NULL;
    }
    free(longopts);
    sb_release(&shortopts);
    return rc;
}

/* "  -o, --output FILE" and its help from column on (on a line of its own
 * when the option reaches the column), each line of it under the first. */
static void print_option(FILE *out, const struct cli_option *o, int column)
{
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "  ");
    if (o->short_name) sb_addf(&sb, "-%c, ", o->short_name);
    sb_addf(&sb, "--%s", o->long_name);
    if (o->argh) sb_addf(&sb, " %s", o->argh);
    size_t pos = sb.len; /* the width of the line so far */
    if (pos >= (size_t)column) {
        sb_addch(&sb, '\n');
        pos = 0;
    }
    for (const char *h = o->help;; pos = 0) {
        for (; pos < (size_t)column; pos++) sb_addch(&sb, ' ');
        size_t len = strcspn(h, "\n");
        sb_add(&sb, h, len);
        sb_addch(&sb, '\n');
        if (!h[len]) break;
        h += len + 1;
    }
    fputs(sb.buf, out);
    sb_release(&sb);
}

void usage_with_options(FILE *out, const struct cli_usage *usage, const struct cli_option *options)
{
    int column = CLI_HELP_COLUMN;
    fputs(usage->usage, out);
    fputc('\n', out);
    fputs(usage->text, out);
    fputc('\n', out);
    for (const struct cli_option *o = options; o->type != OPTION_END; o++) {
        if (o->type == OPTION_COLUMN) column = (int)o->min;
        else print_option(out, o, column);
    }
    if (usage->epilogue) {
        fputc('\n', out);
        fputs(usage->epilogue, out);
    }
}
