/*
 * date.c - event dates: the forms ACLED and UCDP exports and spreadsheets
 * write, to days since 1970-01-01 and back (proleptic Gregorian calendar).
 */
#include "events/event.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util/banned.h"

/* Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil). */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

static void civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, int m)
{
    static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dim[m - 1];
}

/* "YYYY-MM-DD" for a year in 0..9999. */
static void put_date(char out[11], int y, int m, int d)
{
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

/* Read exactly n digits at *p; -1 when they are not there. */
static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return v;
}

static int month_from_name(const char *s, size_t len)
{
    static const char *const names[] = { "january", "february", "march", "april", "may", "june", "july",
                                         "august", "september", "october", "november", "december" };
    if (len < 3) return -1;
    for (int i = 0; i < 12; i++) {
        /* the full name, or its first three letters ("Sep", "Sept" too) */
        if ((len == strlen(names[i]) || len == 3 || (i == 8 && len == 4)) && !strncasecmp(s, names[i], len))
            return i + 1;
    }
    return -1;
}

/* After the date: nothing, or a time part. */
static int time_tail_ok(const char *p)
{
    if (!*p) return 1;
    if (*p != ' ' && *p != 'T') return 0;
    p++;
    /* HH:MM[:SS[.fff]][Z|+hh:mm] */
    if (digits(&p, 2) < 0 || *p++ != ':' || digits(&p, 2) < 0) return 0;
    if (*p == ':') {
        p++;
        if (digits(&p, 2) < 0) return 0;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p)) return 0;
            while (isdigit((unsigned char)*p)) p++;
        }
    }
    if (*p == 'Z') p++;
    else if (*p == '+' || *p == '-') {
        p++;
        if (digits(&p, 2) < 0) return 0;
        if (*p == ':') p++;
        if (digits(&p, 2) < 0) return 0;
    }
    return *p == '\0';
}

int ev_parse_date(const char *s, int32_t *day, char out[11])
{
    int y = -1, m = -1, d = -1;
    const char *p = s;
    while (*p == ' ') p++;
    size_t len = strlen(p);
    while (len && p[len - 1] == ' ') len--;
    char buf[64];
    if (len == 0 || len >= sizeof(buf)) return -1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    p = buf;

    if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
        isdigit((unsigned char)p[3])) {
        /* 2024-03-15, 2024/03/15, with an optional time */
        y = digits(&p, 4);
        char sep = *p;
        if (sep != '-' && sep != '/') return -1;
        p++;
        m = digits(&p, 2);
        if (*p++ != sep) return -1;
        d = digits(&p, 2);
        if (!time_tail_ok(p)) return -1;
    } else if (isdigit((unsigned char)p[0])) {
        /* 15 March 2024, 15-Mar-24, 15-March-2024 */
        d = p[0] - '0';
        p++;
        if (isdigit((unsigned char)*p)) d = d * 10 + (*p++ - '0');
        char sep = *p;
        if (sep != ' ' && sep != '-') return -1;
        p++;
        const char *mstart = p;
        while (isalpha((unsigned char)*p)) p++;
        m = month_from_name(mstart, (size_t)(p - mstart));
        if (*p++ != sep) return -1;
        const char *ystart = p;
        while (isdigit((unsigned char)*p)) p++;
        size_t yl = (size_t)(p - ystart);
        if (*p || (yl != 4 && yl != 2)) return -1;
        y = digits(&ystart, (int)yl);
        if (yl == 2) y += y >= 70 ? 1900 : 2000;
    } else {
        return -1;
    }
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return -1;
    *day = days_from_civil(y, m, d);
    put_date(out, y, m, d);
    return 0;
}

void ev_format_date(int32_t day, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    if (y < 0) y = 0;
    if (y > 9999) y = 9999;
    put_date(out, y, m, d);
}
