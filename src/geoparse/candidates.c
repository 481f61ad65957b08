/*
 * candidates.c - candidate events from news text: a sentence that reports an
 * incident (a raid, a shooting, a strike, a clash, a killing, an arrest, a
 * funeral, a protest...) becomes an event in ACLED's terms, placed at the
 * most specific place the sentence mentions (or, when it mentions none, at
 * the report's first incident), with the actors the sentence names, the
 * deaths it states and its date resolved against the publication date.
 *
 * These are proposals for a person to check, written so that `eventmap
 * import` reads them; the rules are plain keyword rules, listed below.
 */
#include "geoparse/geoparse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/strbuf.h"
#include "util/banned.h"

/* Incident words, most telling first: the first that a sentence holds
 * decides its type. */
static const struct {
    const char *word; /* lower case; matched at the start of a word */
    const char *type, *sub;
} incidents[] = {
    { "airstrike", "Explosions/Remote violence", "Air/drone strike" },
    { "air strike", "Explosions/Remote violence", "Air/drone strike" },
    { "drone strike", "Explosions/Remote violence", "Air/drone strike" },
    { "bombed", "Explosions/Remote violence", "Air/drone strike" },
    { "shelling", "Explosions/Remote violence", "Shelling/artillery/missile attack" },
    { "shelled", "Explosions/Remote violence", "Shelling/artillery/missile attack" },
    { "rocket", "Explosions/Remote violence", "Shelling/artillery/missile attack" },
    { "missile", "Explosions/Remote violence", "Shelling/artillery/missile attack" },
    { "car bomb", "Explosions/Remote violence", "Remote explosive/landmine/IED" },
    { "explosion", "Explosions/Remote violence", "Remote explosive/landmine/IED" },
    { "landmine", "Explosions/Remote violence", "Remote explosive/landmine/IED" },
    { "clash", "Battles", "Armed clash" },
    { "fighting", "Battles", "Armed clash" },
    { "ambush", "Battles", "Armed clash" },
    { "raid", "Violence against civilians", "Attack" },
    { "stormed", "Violence against civilians", "Attack" },
    { "shot", "Violence against civilians", "Attack" },
    { "gunmen", "Violence against civilians", "Attack" },
    { "killed", "Violence against civilians", "Attack" },
    { "killing", "Violence against civilians", "Attack" },
    { "died", "Violence against civilians", "Attack" },
    { "kidnap", "Violence against civilians", "Abduction/forced disappearance" },
    { "abducted", "Violence against civilians", "Abduction/forced disappearance" },
    { "arrest", "Strategic developments", "Arrests" },
    { "detained", "Strategic developments", "Arrests" },
    { "funeral", "Strategic developments", "Other" },
    { "wake", "Strategic developments", "Other" },
    { "protest", "Protests", "Peaceful protest" },
    { "demonstrat", "Protests", "Peaceful protest" },
    { "riot", "Riots", "Violent demonstration" },
};

/* Who a sentence names, as ACLED writes the actor. */
static const struct {
    const char *word; /* as written, case-sensitive; a whole word */
    const char *actor;
} actors[] = {
    { "Americans", "Military Forces of the United States" },
    { "American", "Military Forces of the United States" },
    { "US", "Military Forces of the United States" },
    { "FSA", "Syrian Free Army" },
    { "Free Syrian Army", "Syrian Free Army" },
    { "HTS", "HTS: Hayat Tahrir al-Sham" },
    { "Hayat Tahrir al-Sham", "HTS: Hayat Tahrir al-Sham" },
    { "ISIS", "IS: Islamic State" },
    { "Islamic State", "IS: Islamic State" },
    { "Daesh", "IS: Islamic State" },
    { "SDF", "SDF: Syrian Democratic Forces" },
    { "Russian", "Military Forces of Russia" },
    { "Turkish", "Military Forces of Turkey" },
    { "Israeli", "Military Forces of Israel" },
    { "Government security forces", "Government of Syria" },
    { "government forces", "Government of Syria" },
};

static const char *const weekdays[] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" };
static const char *const months[] = { "January", "February", "March",     "April",   "May",      "June",
                                      "July",    "August",   "September", "October", "November", "December" };
static const char *const small_numbers[] = { "zero", "one", "two",   "three", "four", "five",  "six",
                                             "seven", "eight", "nine", "ten",  "eleven", "twelve" };

/* Whether text[at..] starts word (case-insensitively when nocase) on a
 * word boundary; for incident stems the end need not be one. */
static int word_at(const char *s, size_t at, size_t len, const char *word, int nocase, int whole)
{
    size_t wl = strlen(word);
    if (at + wl > len) return 0;
    if (at > 0 && isalnum((unsigned char)s[at - 1])) return 0;
    if (nocase ? strncasecmp(s + at, word, wl) : strncmp(s + at, word, wl)) return 0;
    return !whole || at + wl == len || !isalnum((unsigned char)s[at + wl]);
}

/* The first place in [s, s + len) where word starts (as word_at), or -1. */
static long find_word(const char *s, size_t len, const char *word, int nocase, int whole)
{
    for (size_t i = 0; i < len; i++)
        if (word_at(s, i, len, word, nocase, whole)) return (long)i;
    return -1;
}

/* The number the digits at s[i..len) spell (capped at 1000000, so that a
 * long run cannot overflow); 0 when there are none.  Unlike atoi, never
 * reads past len: the text need not be NUL-terminated. */
static int digits_at(const char *s, size_t i, size_t len)
{
    int n = 0;
    for (; i < len && isdigit((unsigned char)s[i]); i++)
        if (n < 1000000) n = n * 10 + (s[i] - '0');
    return n;
}

/* Days since 1970-01-01 of y-m-d, and the weekday (0 Sunday) of a day. */
static int32_t days_of(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return (int32_t)(era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468);
}

static int weekday_of(int32_t day)
{
    int w = (int)((day + 4) % 7); /* 1970-01-01 was a Thursday */
    return w < 0 ? w + 7 : w;
}

/* The sentence's date: "last Saturday", "on Monday", "yesterday", "this
 * month", "in July", "15 March"...; 0 when it names none. */
static int sentence_date(const char *s, size_t len, int32_t published, int pub_year, int pub_month, int32_t *day,
                         int *precision)
{
    for (int w = 0; w < 7; w++) {
        long at = find_word(s, len, weekdays[w], 0, 1);
        if (at < 0) continue;
        int back = (weekday_of(published) - w + 7) % 7;
        /* "last Saturday" on a Saturday means a week ago */
        if (back == 0 && at >= 5 && !strncasecmp(s + at - 5, "last ", 5)) back = 7;
        *day = published - back;
        *precision = 1;
        return 1;
    }
    if (find_word(s, len, "yesterday", 1, 1) >= 0) {
        *day = published - 1;
        *precision = 1;
        return 1;
    }
    if (find_word(s, len, "today", 1, 1) >= 0) {
        *day = published;
        *precision = 1;
        return 1;
    }
    for (int m = 0; m < 12; m++) {
        long at = find_word(s, len, months[m], 0, 1);
        if (at < 0) continue;
        int y = m + 1 > pub_month ? pub_year - 1 : pub_year;
        /* "15 March" or "March 15": the day; else the month */
        int d = 0;
        size_t after = (size_t)at + strlen(months[m]);
        if (after + 1 < len && s[after] == ' ' && isdigit((unsigned char)s[after + 1])) d = digits_at(s, after + 1, len);
        else if (at >= 3 && isdigit((unsigned char)s[at - 2])) {
            long k = at - 2;
            while (k > 0 && isdigit((unsigned char)s[k - 1])) k--;
            d = digits_at(s, (size_t)k, len);
        }
        if (d >= 1 && d <= 31) {
            *day = days_of(y, m + 1, d);
            *precision = 1;
        } else {
            *day = days_of(y, m + 1, 1);
            *precision = 3;
        }
        return 1;
    }
    if (find_word(s, len, "this week", 1, 1) >= 0) {
        *day = published;
        *precision = 2;
        return 1;
    }
    if (find_word(s, len, "this month", 1, 1) >= 0) {
        *day = published;
        *precision = 3;
        return 1;
    }
    return 0;
}

/* Deaths the sentence states: "killing at least nine", "three people were
 * killed", "12 dead"; one for "he died" or "was killed"; else 0. */
static int sentence_deaths(const char *s, size_t len, int dies)
{
    static const char *const death_words[] = { "killed", "dead", "died", "deaths", "killing" };
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && isalnum((unsigned char)s[i - 1])) continue;
        int n = -1;
        size_t end = i;
        if (isdigit((unsigned char)s[i])) {
            n = digits_at(s, i, len);
            while (end < len && isdigit((unsigned char)s[end])) end++;
        } else {
            for (int k = 1; k <= 12 && n < 0; k++)
                if (word_at(s, i, len, small_numbers[k], 1, 1)) {
                    n = k;
                    end = i + strlen(small_numbers[k]);
                }
        }
        if (n < 0) continue;
        /* a death word within the next four words, or "killing (at least) N" before */
        const char *q = s + end;
        size_t rest = len - end < 40 ? len - end : 40;
        for (size_t k = 0; k < sizeof(death_words) / sizeof(death_words[0]); k++)
            if (find_word(q, rest, death_words[k], 1, 0) >= 0 && n < 100000) return n;
        size_t from = i > 24 ? i - 24 : 0;
        if (find_word(s + from, i - from, "killing", 1, 1) >= 0) return n;
    }
    return dies ? 1 : 0;
}

/* Sentence spans: ends at '.', '!' or '?' followed by a space and a capital
 * or a line break, or at a blank line. */
static size_t next_sentence_end(const char *s, size_t at, size_t len)
{
    for (size_t i = at; i < len; i++) {
        if (s[i] == '\n' && i + 1 < len && s[i + 1] == '\n') return i + 1;
        if ((s[i] == '.' || s[i] == '!' || s[i] == '?') &&
            (i + 1 == len || s[i + 1] == '\n' ||
             (s[i + 1] == ' ' && i + 2 < len && (isupper((unsigned char)s[i + 2]) || s[i + 2] == '"'))))
            return i + 1;
    }
    return len;
}

/* The most specific place of the sentence: a town or site before a region;
 * not a country (in "the US thought" or "Syria's president" the country is
 * not where anything happened), not a place outside the country the report
 * is about, not one the sentence only names as somebody's base. */
static int best_mention(const char *text, const gp_mentions *ms, size_t start, size_t end, const char *country)
{
    int best = -1, best_rank = 99;
    /* the mentions are in text order: the sentence's first by bisection */
    size_t lo = 0, hi = ms->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ms->m[mid].start < start) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i < ms->n && ms->m[i].start < end; i++) {
        const gp_mention *m = &ms->m[i];
        /* a country's adjective, or the dateline (where the report was
         * written), is never where it happened */
        if (!m->resolved || m->end > end || m->kind == GP_KIND_DEMONYM || m->dateline) continue;
        if (m->start >= 9 && !strncasecmp(text + m->start - 9, "based in ", 9)) continue;
        /* "Damascus-controlled forces", "US-backed units": an adjective */
        if (m->end < end && text[m->end] == '-') continue; /* end may be the end of the text */
        const char *f = m->place.feature;
        if (!strncmp(f, "A.PCL", 5) || (*country && strcmp(m->place.country, country))) continue;
        int rank = f[0] == 'P' || f[0] == 'S' || !strcmp(f, "L.MILB") ? 0 : !strcmp(f, "A.ADM1") ? 2
                   : !strncmp(f, "A.PCL", 5)                               ? 3
                                                                           : 1;
        if (m->qualifier) rank += 1; /* "northeast of Damascus": a pointer, not the place */
        if (rank < best_rank) {
            best_rank = rank;
            best = (int)i;
        }
    }
    return best;
}

/* A set of strings (open addressing), for the incidents already seen. */
typedef struct {
    char **slots;
    size_t cap, count;
} seen_set;

static size_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)h;
}

static int seen_has(const seen_set *set, const char *s)
{
    if (!set->cap) return 0;
    for (size_t i = str_hash(s) & (set->cap - 1); set->slots[i]; i = (i + 1) & (set->cap - 1))
        if (!strcmp(set->slots[i], s)) return 1;
    return 0;
}

static void seen_add(seen_set *set, const char *s)
{
    if (seen_has(set, s)) return;
    if (2 * (set->count + 1) > set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 64;
        char **slots = xcalloc(cap, sizeof(char *));
        for (size_t i = 0; i < set->cap; i++) {
            if (!set->slots[i]) continue;
            size_t j = str_hash(set->slots[i]) & (cap - 1);
            while (slots[j]) j = (j + 1) & (cap - 1);
            slots[j] = set->slots[i];
        }
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    size_t i = str_hash(s) & (set->cap - 1);
    while (set->slots[i]) i = (i + 1) & (set->cap - 1);
    set->slots[i] = xstrdup(s);
    set->count++;
}

static void seen_free(seen_set *set)
{
    for (size_t i = 0; i < set->cap; i++) free(set->slots[i]);
    free(set->slots);
}

int gp_candidates_find(const char *text, size_t len, const gp_mentions *ms, int32_t published, gp_candidates *out)
{
    char date[11];
    ev_format_date(published, date);
    int pub_year = atoi(date), pub_month = atoi(date + 5);
    int first_place = -1;
    /* the country most resolved mentions lie in (A-Z A-Z: 676 counters) */
    char country[3] = "";
    size_t *votes = xcalloc(26 * 26, sizeof(size_t)), best_votes = 0;
    for (size_t i = 0; i < ms->n; i++) {
        const char *cc = ms->m[i].place.country;
        if (!ms->m[i].resolved || ms->m[i].kind == GP_KIND_DEMONYM || ms->m[i].dateline) continue;
        if (strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z') continue;
        size_t v = ++votes[(cc[0] - 'A') * 26 + (cc[1] - 'A')];
        if (v > best_votes) {
            best_votes = v;
            memcpy(country, cc, 3);
        }
    }
    free(votes);
    seen_set seen = { NULL, 0, 0 };
    strbuf key = STRBUF_INIT;
    for (size_t start = 0; start < len;) {
        size_t end = next_sentence_end(text, start, len);
        const char *s = text + start;
        size_t slen = end - start;
        int kind = -1;
        for (size_t k = 0; k < sizeof(incidents) / sizeof(incidents[0]) && kind < 0; k++)
            if (find_word(s, slen, incidents[k].word, 1, 0) >= 0) kind = (int)k;
        if (kind >= 0) {
            gp_candidate e;
            memset(&e, 0, sizeof(e));
            e.start = start;
            e.end = end;
            e.event_type = incidents[kind].type;
            e.sub_event_type = incidents[kind].sub;
            e.mention = best_mention(text, ms, start, end, country);
            e.inferred_place = e.mention < 0;
            if (e.mention < 0) e.mention = first_place;
            e.has_date = sentence_date(s, slen, published, pub_year, pub_month, &e.day, &e.time_precision);
            if (!e.has_date) {
                e.day = published;
                e.time_precision = 2;
            }
            int dies = find_word(s, slen, "died", 1, 1) >= 0 || find_word(s, slen, "was killed", 1, 1) >= 0 ||
                       find_word(s, slen, "shot dead", 1, 1) >= 0;
            e.fatalities = sentence_deaths(s, slen, dies);
            int n_actors = 0;
            for (size_t a = 0; a < sizeof(actors) / sizeof(actors[0]) && n_actors < 2; a++) {
                if (find_word(s, slen, actors[a].word, 0, 1) < 0) continue;
                if (n_actors == 1 && !strcmp(e.actor[0], actors[a].actor)) continue;
                e.actor[n_actors++] = actors[a].actor;
            }
            /* the same incident told again (the same place and kind, and no
             * date of its own or the same date) adds nothing */
            if (e.mention >= 0) {
                const char *id = ms->m[e.mention].place.id;
                sb_reset(&key);
                if (e.has_date) sb_addf(&key, "%s|%s|%ld", id, e.sub_event_type, (long)e.day);
                else sb_addf(&key, "%s|%s", id, e.sub_event_type);
                if (!seen_has(&seen, key.buf)) {
                    seen_add(&seen, key.buf);
                    sb_reset(&key);
                    sb_addf(&key, "%s|%s", id, e.sub_event_type);
                    seen_add(&seen, key.buf);
                    sb_reset(&key);
                    sb_addf(&key, "%s|%s|%ld", id, e.sub_event_type, (long)e.day);
                    seen_add(&seen, key.buf);
                    if (first_place < 0) first_place = e.mention;
                    ALLOC_GROW(out->e, out->n + 1, out->alloc);
                    out->e[out->n++] = e;
                }
            }
        }
        start = end;
        while (start < len && isspace((unsigned char)text[start])) start++;
    }
    seen_free(&seen);
    sb_release(&key);
    return 0;
}

void gp_candidates_release(gp_candidates *out)
{
    if (!out) return;
    free(out->e);
    memset(out, 0, sizeof(*out));
}
