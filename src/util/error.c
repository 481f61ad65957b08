/*
 * error.c - the caller-owned error message (see error.h).
 */
#include "error.h"

#include <stdarg.h>

#include "strbuf.h"
#include "banned.h"

int em_error(char **err, int code, const char *fmt, ...)
{
    if (err && !*err) {
        strbuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        sb_vaddf(&sb, fmt, ap);
        va_end(ap);
        *err = sb_detach(&sb, NULL);
    }
    return code;
}
