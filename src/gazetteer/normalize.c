/*
 * normalize.c - the two keys every name is matched on.
 *
 * The folded key (gaz_fold) is what a reader would call "the same text":
 * Unicode compatibility decomposition, case folding and mark stripping
 * through utf8proc, apostrophes and ayn/hamza signs dropped, every other
 * non-letter a single space, Arabic script letter variants folded (alef
 * forms, ta marbuta, alef maqsura, hamza seats, Persian kaf and ya).
 *
 * The transliteration key (gaz_translit) folds what English-language
 * reporters spell differently for the same Arabic sound: the article
 * (al-, el-, ad-, ash-, ...) is dropped, kh/h, q/k, dh/z, ch/sh, ou/u,
 * e/i, o/u, ei/ay are folded, semivowels in a syllable coda become vowels,
 * endings -ah/-eh/-a meet, doubled letters are single, and the tokens are
 * joined so that "Abu Kamal" meets "Abukamal".  "Deir ez-Zor" and "Dayr az
 * Zawr" both become "dairzur"; "al-Dumair" and "Ad Dumayr" both "dumair".
 */
#include "gazetteer_int.h"

#include <string.h>
#include <utf8proc.h>

#include "util/banned.h"

/* Characters that are dropped without separating words. */
static int is_elided(utf8proc_int32_t c)
{
    switch (c) {
    case '\'': case '`': case 0x00B4: case 0x2018: case 0x2019: case 0x201B:
    case 0x02BB: case 0x02BC: case 0x02BE: case 0x02BF: case 0x02C8: case 0x2032:
    case 0x0621: /* hamza */
    case 0x0640: /* tatweel */
        return 1;
    default:
        return 0;
    }
}

static utf8proc_int32_t fold_arabic(utf8proc_int32_t c)
{
    switch (c) {
    case 0x0622: case 0x0623: case 0x0625: case 0x0671: case 0x0672: case 0x0673:
        return 0x0627; /* alef variants -> bare alef */
    case 0x0629: return 0x0647; /* ta marbuta -> ha */
    case 0x0649: case 0x06CC: case 0x0626: return 0x064A; /* alef maqsura, Farsi ya, hamza on ya -> ya */
    case 0x0624: return 0x0648; /* hamza on waw -> waw */
    case 0x06A9: return 0x0643; /* keheh -> kaf */
    default: return c;
    }
}

/* Latin letters that do not decompose to ASCII. */
static const char *latin_extra(utf8proc_int32_t c)
{
    switch (c) {
    case 0x00F8: return "o";  /* ø */
    case 0x00E6: return "ae"; /* æ */
    case 0x0153: return "oe"; /* œ */
    case 0x00DF: return "ss"; /* ß */
    case 0x0111: return "d";  /* đ */
    case 0x0142: return "l";  /* ł */
    case 0x0131: return "i";  /* dotless i */
    case 0x0259: return "e";  /* schwa */
    case 0x00F0: return "d";  /* eth */
    case 0x00FE: return "th"; /* thorn */
    case 0x0127: return "h";  /* ħ */
    default: return NULL;
    }
}

int gaz_fold(const char *s, size_t len, strbuf *out)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t left = (utf8proc_ssize_t)len;
    int pending_space = 0;
    sb_reset(out);
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_int32_t parts[32];
        utf8proc_ssize_t step, n;
        if (*p < 0x80) {
            /* ASCII fast path. */
            cp = *p;
            step = 1;
            if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
            parts[0] = cp;
            n = 1;
        } else {
            step = utf8proc_iterate(p, left, &cp);
            if (step < 0) return EM_EINPUT;
            int boundclass = 0;
            n = utf8proc_decompose_char(cp, parts, 32,
                    UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                    UTF8PROC_STRIPMARK | UTF8PROC_IGNORE | UTF8PROC_LUMP, &boundclass);
            if (n < 0 || n > 32) n = 0;
        }
        p += step;
        left -= step;
        for (utf8proc_ssize_t i = 0; i < n; i++) {
            utf8proc_int32_t c = parts[i];
            if (is_elided(c)) continue;
            const char *extra = latin_extra(c);
            if (extra) {
                if (pending_space && out->len) sb_addch(out, ' ');
                pending_space = 0;
                sb_adds(out, extra);
                continue;
            }
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                if (pending_space && out->len) sb_addch(out, ' ');
                pending_space = 0;
                sb_addch(out, (char)c);
                continue;
            }
            if (c >= 0x80) {
                utf8proc_category_t cat = utf8proc_category(c);
                if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL ||
                    cat == UTF8PROC_CATEGORY_LT || cat == UTF8PROC_CATEGORY_LO ||
                    cat == UTF8PROC_CATEGORY_LM || cat == UTF8PROC_CATEGORY_ND) {
                    utf8proc_uint8_t enc[4];
                    c = fold_arabic(c);
                    if (pending_space && out->len) sb_addch(out, ' ');
                    pending_space = 0;
                    sb_add(out, enc, (size_t)utf8proc_encode_char(c, enc));
                    continue;
                }
                if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
                    cat == UTF8PROC_CATEGORY_ME || cat == UTF8PROC_CATEGORY_CF)
                    continue; /* leftover marks and format characters */
            }
            pending_space = 1;
        }
    }
    return 0;
}

int gaz_is_dotted_abbrev(const char *name, size_t len)
{
    size_t run = 0, n_runs = 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
            run++;
        } else if (c == '.' && run) {
            run = 0;
            n_runs++;
        } else {
            return 0;
        }
    }
    return n_runs > 0 && run == 0;
}

/* Article forms that news spellings add or drop before a name. */
static int is_article(const char *tok, size_t len)
{
    static const char *const articles[] = {
        "al", "el", "il", "ul", "ad", "adh", "ar", "as", "ash", "at", "az", "an",
        "ed", "er", "es", "esh", "et", "ez", "en", "the", NULL
    };
    for (int i = 0; articles[i]; i++)
        if (strlen(articles[i]) == len && !memcmp(articles[i], tok, len)) return 1;
    /* Arabic script: the article written alone (rare) */
    return len == 4 && !memcmp(tok, "\xd8\xa7\xd9\x84", 4);
}

static int is_vowel(int c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* Fold one ASCII token into out (see the file comment for the rules). */
static void translit_latin(const char *tok, size_t len, strbuf *out)
{
    char buf[256];
    size_t n = 0;
    if (len > sizeof(buf) / 2) len = sizeof(buf) / 2;

    /* Pass 1: consonant digraphs and single-letter spellings. */
    for (size_t i = 0; i < len; i++) {
        char c = tok[i], d = i + 1 < len ? tok[i + 1] : '\0';
        if (c == 'k' && d == 'h') { buf[n++] = 'h'; i++; continue; }
        if (c == 'g' && d == 'h') { buf[n++] = 'g'; i++; continue; }
        if (c == 's' && d == 'h') { buf[n++] = 'S'; i++; continue; }
        if (c == 'c' && d == 'h') { buf[n++] = 'S'; i++; continue; }
        if (c == 't' && d == 'h') { buf[n++] = 't'; i++; continue; }
        if (c == 'd' && d == 'h') { buf[n++] = 'z'; i++; continue; }
        if (c == 'z' && d == 'h') { buf[n++] = 'j'; i++; continue; }
        if (c == 'p' && d == 'h') { buf[n++] = 'f'; i++; continue; }
        if (c == 'd' && d == 'j') { buf[n++] = 'j'; i++; continue; }
        if (c == 'c' && d == 'k') { buf[n++] = 'k'; i++; continue; }
        if (c == 'q' || c == 'c') { buf[n++] = 'k'; continue; }
        if (c == 'x') { buf[n++] = 'h'; continue; } /* Kurdish Latin x = kh */
        buf[n++] = c;
    }

    /* Endings: -ah, -eh, -ih -> -a (ta marbuta and its spellings). */
    if (n >= 3 && buf[n - 1] == 'h' && (buf[n - 2] == 'a' || buf[n - 2] == 'e') )
        buf[--n - 1] = 'a';

    /* Pass 2: vowels and semivowels. */
    char v[256];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        char next = i + 1 < n ? buf[i + 1] : '\0';
        char prev = m ? v[m - 1] : '\0';
        if (c == 'y' || c == 'w') {
            int before_vowel = is_vowel(next);
            int after_vowel = prev && (prev == 'a' || prev == 'i' || prev == 'u');
            if (after_vowel && !before_vowel) {
                c = c == 'y' ? 'i' : 'u';
            } else if (c == 'y' && prev == 'i' && before_vowel) {
                continue; /* -iya- = -ia- */
            } else if (c == 'y' && prev && !after_vowel && before_vowel) {
                c = 'i'; /* abyad = abiad */
            } else {
                v[m++] = c;
                continue;
            }
        }
        if (c == 'e') {
            /* ei / ey = ai: "Deir" meets "Dayr" */
            c = (next == 'i' || next == 'y') ? 'a' : 'i';
        } else if (c == 'o') {
            c = 'u';
        }
        if (c == 'a' || c == 'i' || c == 'u') {
            if (prev == c) continue;                         /* aa, ii, uu, oo, ee */
            if (prev == 'a' && c == 'u') { v[m - 1] = 'u'; continue; } /* au / aw = u */
            if (prev == 'u' && c == 'a' && i + 1 == n) { v[m++] = c; continue; }
        }
        v[m++] = c;
    }

    /* Pass 3: doubled letters. */
    for (size_t i = 0; i < m; i++) {
        if (i && v[i] == v[i - 1]) continue;
        sb_addch(out, v[i]);
    }
}

/* What news calls one kind of facility, many ways: "Hama airfield", "Hama
 * military airport" and "Hama Air Base" are one place.  Longer phrases
 * first; each becomes its kind's one word in the key. */
static const struct {
    const char *phrase;
    const char *kind;
} facilities[] = {
    { "military air base", "airbase" }, { "military airbase", "airbase" },
    { "military airport", "airbase" },  { "military airfield", "airbase" },
    { "military air field", "airbase" }, { "international airport", "airbase" },
    { "air force base", "airbase" },    { "air base", "airbase" },
    { "air field", "airbase" },         { "air port", "airbase" },
    { "air strip", "airbase" },         { "airbase", "airbase" },
    { "airfield", "airbase" },          { "airport", "airbase" },
    { "airstrip", "airbase" },
    { "border crossing point", "crossing" }, { "border crossing", "crossing" },
    { "crossing point", "crossing" },   { "border post", "crossing" },
    { "crossing", "crossing" },
    { "refugee camp", "camp" },         { "displacement camp", "camp" },
    { "displaced camp", "camp" },       { "idp camp", "camp" },
    { "camp", "camp" },
    { "military base", "base" },        { "army base", "base" },
    { "garrison", "base" },             { "base", "base" },
    { NULL, NULL }
};

/* How many tokens from toks[i] the phrase covers, 0 when it does not match. */
static size_t match_phrase(const char *phrase, const char *const *toks, const size_t *lens,
                           size_t i, size_t n)
{
    size_t k = 0;
    const char *p = phrase;
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t wl = sp ? (size_t)(sp - p) : strlen(p);
        if (i + k >= n || lens[i + k] != wl || memcmp(toks[i + k], p, wl)) return 0;
        k++;
        p += wl;
        if (*p) p++;
    }
    return k;
}

void gaz_translit(const char *folded, strbuf *out)
{
    const char *toks[64];
    size_t lens[64];
    size_t n = 0;
    const char *p = folded;
    sb_reset(out);
    while (*p && n < 64) {
        while (*p == ' ') p++;
        if (!*p) break;
        const char *start = p;
        while (*p && *p != ' ') p++;
        toks[n] = start;
        lens[n] = (size_t)(p - start);
        n++;
    }
    for (size_t i = 0; i < n; i++) {
        const char *t = toks[i];
        size_t len = lens[i];
        if (n > 1 && i + 1 < n && is_article(t, len)) continue;
        size_t covered = 0;
        for (int f = 0; i > 0 && !covered && facilities[f].phrase; f++) {
            covered = match_phrase(facilities[f].phrase, toks, lens, i, n);
            if (covered) translit_latin(facilities[f].kind, strlen(facilities[f].kind), out);
        }
        if (covered) {
            i += covered - 1;
            continue;
        }
        if ((unsigned char)t[0] < 0x80) {
            translit_latin(t, len, out);
        } else {
            /* Arabic script: drop the attached article. */
            if (len > 6 && !memcmp(t, "\xd8\xa7\xd9\x84", 4)) {
                t += 4;
                len -= 4;
            }
            sb_add(out, t, len);
        }
    }
}
