/*
 * gen_geonames.c - a synthetic GeoNames dump for the big-gazetteer benchmark
 * (bench/run_gazbig.sh): N rows (default 12,000,000, the size of
 * allCountries.txt) of the 19-column `geoname` table, and the matching
 * alternateNamesV2.txt (10 columns, about 4 rows for every 3 places), written
 * in one pass.  At the default size the two files are about 1.5 GB and
 * 0.8 GB, as the real ones are.
 *
 *   gen_geonames [-n N] [--seed S] -o GEONAMES.txt --alternates ALTNAMES.txt
 *   gen_geonames --version
 *
 * What is made to look like allCountries.txt: feature classes (P 40%, H 20%,
 * T 15%, S 12%, L 5%, A 4%, V, R, U the rest) with their usual codes; names
 * built from syllables, of realistic length, many of them shared by many
 * places (a Zipf-like draw from a pool of common names, the rest one-off), a
 * fifth with diacritics in `name` and their ASCII form in `asciiname`, class
 * words ("Creek", "Jabal", "School"); population mostly 0; countries weighted
 * as GeoNames is (US, CN, IN, MX, ...) with their time zones; the
 * alternatenames column empty on most rows and dozens of names long on a
 * few, in Latin spellings and in Cyrillic, Arabic, Greek, Hebrew, CJK, kana
 * and Hangul.  The alternates file has the same names by language plus the
 * pseudo-languages GeoNames mixes in (link, wkdt, post, iata, icao, unlc,
 * abbr), a few historic names, and preferred/short/colloquial flags.
 * geonameids start at 20,000,001 so that the rows never collide with a real
 * GeoNames table built beside them (cities1000.txt).
 *
 * The output is a function of N and the seed only, byte for byte: its own
 * PRNG (splitmix64 seeding xoshiro256**), integer arithmetic throughout
 * (coordinates in 1e-5 degrees, no libm), no locale.  Change GEN_VERSION
 * whenever the output changes, so that bench/run_gazbig.sh makes its cached
 * files again.  Not a test fixture: a load.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#define GEN_VERSION "gen_geonames 2"
#define DEFAULT_N 12000000
#define DEFAULT_SEED UINT64_C(20250202)
#define FIRST_ID 20000001
#define COMMON_NAMES 400000 /* the pool that shared names are drawn from */

/* ------------------------------------------------------------------ PRNG */

/* 1 with probability per_mille/1000. */
static int chance(int per_mille)
{
    return (int)below(1000) < per_mille;
}

/* A Zipf-like index in [0, n): a binary octave drawn uniformly from the
 * 8th (indices 128..255) up, then an index uniform within it, so that the
 * index i is drawn about 1/i as often as the index 128 (a name's share
 * falls as its rank grows) and no name is drawn more than about 1/(128 *
 * octaves) of the time: in allCountries.txt even the commonest names
 * ("Mill Creek", "San José") are a few thousand places, not a few percent. */
static uint32_t zipf_below(uint32_t n) /* n > 256 */
{
    int bits = 0;
    while (((uint32_t)1 << bits) < n) bits++;
    int e = 8 + (int)below((uint32_t)(bits - 7));
    uint32_t lo = (uint32_t)1 << (e - 1), hi = (uint32_t)1 << e;
    if (hi > n) hi = n;
    return lo + below(hi - lo);
}

#define PICK(arr) ((arr)[below((uint32_t)(sizeof(arr) / sizeof((arr)[0])))])
#define COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))

/* ------------------------------------------------------------ output */

typedef struct {
    FILE *f;
    char *buf;
    size_t len, cap;
    const char *path;
    uint64_t bytes;
} out_file;

static int out_flush(out_file *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) return -1;
    o->bytes += o->len;
    o->len = 0;
    return 0;
}

static void out_add(out_file *o, const char *s, size_t n)
{
    if (o->len + n > o->cap) out_flush(o); /* a failed write shows in ferror at the end */
    if (n > o->cap) {
        fwrite(s, 1, n, o->f);
        o->bytes += n;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void out_s(out_file *o, const char *s)
{
    out_add(o, s, strlen(s));
}

static void out_c(out_file *o, char c)
{
    out_add(o, &c, 1);
}

static void out_u(out_file *o, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10); while ((v /= 10));
    out_add(o, tmp + sizeof(tmp) - n, (size_t)n);
}

/* v in 1e-5 degrees as GeoNames writes it: "-12.34567". */
static void out_deg(out_file *o, int32_t v)
{
    if (v < 0) {
        out_c(o, '-');
        v = -v;
    }
    out_u(o, (uint64_t)(v / 100000));
    char frac[6];
    int32_t f = v % 100000;
    for (int i = 4; i >= 0; i--, f /= 10) frac[i] = (char)('0' + f % 10);
    frac[5] = '\0';
    out_c(o, '.');
    out_s(o, frac);
}

/* ------------------------------------------------------------ names */

/* A small string builder on the stack; names are short. */
typedef struct {
    char s[512];
    size_t len;
} name_buf;

static void nb_add(name_buf *nb, const char *s)
{
    size_t n = strlen(s);
    if (nb->len + n >= sizeof(nb->s)) n = sizeof(nb->s) - 1 - nb->len;
    memcpy(nb->s + nb->len, s, n);
    nb->len += n;
    nb->s[nb->len] = '\0';
}

static const char *const SYLLABLES[] = {
    "al", "an", "ar", "as", "ba", "bar", "be", "ber", "bo", "bu", "ca", "car", "ce", "cha", "chi", "co",
    "da", "dar", "de", "di", "do", "du", "el", "en", "er", "es", "fa", "fe", "fi", "fo", "ga", "gar",
    "ge", "go", "gu", "ha", "han", "he", "hi", "ho", "hu", "ia", "in", "ir", "is", "ja", "jo", "ka",
    "kan", "ke", "ki", "ko", "ku", "la", "lan", "le", "li", "lo", "lu", "ma", "man", "me", "mi", "mo",
    "mu", "na", "nar", "ne", "ni", "no", "nu", "o", "or", "pa", "pe", "pi", "po", "qa", "ra", "re",
    "ri", "ro", "ru", "sa", "san", "se", "sha", "shi", "si", "so", "su", "ta", "tan", "te", "ti", "to",
    "tu", "u", "ur", "va", "ve", "vi", "vo", "wa", "we", "ya", "yo", "za", "ze", "zi", "zu", "ville",
    "burg", "ton", "field", "dorf", "abad", "pur", "stan", "grad", "ovo", "ice", "ingen", "heim", "by",
};

/* Accented forms of a letter in name (UTF-8), the plain letter stays in
 * asciiname. */
static const char *accented(char c)
{
    switch (c) {
    case 'a': return "á";
    case 'e': return "é";
    case 'i': return "í";
    case 'o': return "ö";
    case 'u': return "ü";
    case 'n': return "ñ";
    case 'h': return "ḩ";
    case 'd': return "ḑ";
    case 's': return "ş";
    case 'c': return "ç";
    default: return NULL;
    }
}

static const char *const PREFIX_H[] = { "Wadi ", "Nahr ", "Bir ", "Ain ", "Lake ", "Rio " };
static const char *const SUFFIX_H[] = { " Creek", " River", " Lake", " Brook", " Spring", " Canal", " Reservoir", " Well" };
static const char *const PREFIX_T[] = { "Jabal ", "Tall ", "Mount ", "Cerro ", "Gora " };
static const char *const SUFFIX_T[] = { " Hill", " Mountain", " Peak", " Valley", " Ridge", " Pass", " Island" };
static const char *const SUFFIX_S[] = { " School", " Church", " Farm", " Mosque", " Hotel", " Station", " Hospital", " Mine" };
static const char *const SUFFIX_L[] = { " Park", " Locality", " Reserve", " Area" };
static const char *const PREFIX_P[] = { "Al ", "San ", "El ", "Kafr ", "Deir ", "Nova ", "Saint-", "Ban " };

/* The name with number id, drawn from its own stream so that the same id
 * gives the same name on any row: ascii gets the plain form, name the form
 * with diacritics for about a fifth of ids (else the same). */
static void name_of(uint64_t id, name_buf *name, name_buf *ascii)
{
    uint64_t st = id * UINT64_C(0xD1B54A32D192ED03) + 7;
    uint64_t r = splitmix64(&st);
    int words = (r % 100) < 28 ? 2 : 1;
    int accent = (r >> 8) % 100 < 20;
    name->len = ascii->len = 0;
    name->s[0] = ascii->s[0] = '\0';
    for (int w = 0; w < words; w++) {
        uint64_t q = splitmix64(&st);
        int n_syl = (int)(q % 100);
        n_syl = n_syl < 8 ? 1 : n_syl < 45 ? 2 : n_syl < 85 ? 3 : 4;
        if (w) {
            nb_add(name, " ");
            nb_add(ascii, " ");
        }
        size_t word_start = ascii->len;
        for (int k = 0; k < n_syl; k++) {
            const char *syl = SYLLABLES[splitmix64(&st) % COUNT(SYLLABLES)];
            nb_add(ascii, syl);
        }
        /* capitalise the word; copy it into name, accenting one letter */
        ascii->s[word_start] = (char)(ascii->s[word_start] - 32 * (ascii->s[word_start] >= 'a' && ascii->s[word_start] <= 'z'));
        size_t accent_at = accent ? word_start + 1 + splitmix64(&st) % (ascii->len - word_start) : (size_t)-1;
        for (size_t i = word_start; i < ascii->len; i++) {
            const char *acc = i == accent_at ? accented(ascii->s[i]) : NULL;
            char one[2] = { ascii->s[i], '\0' };
            nb_add(name, acc ? acc : one);
        }
    }
}

/* A Latin spelling variant of s, as other languages and transliterations
 * write the same place: vowel changes, doubled letters, an article. */
static void variant_of(const char *s, name_buf *out)
{
    out->len = 0;
    out->s[0] = '\0';
    int kind = (int)below(6);
    if (kind == 0) nb_add(out, PICK(((const char *const[]){ "Al-", "El ", "La ", "Le ", "Ad " })));
    for (const char *p = s; *p; p++) {
        char c = *p, one[3] = { c, '\0', '\0' };
        if (kind == 1 && c == 'a' && chance(500)) one[0] = 'e';
        else if (kind == 2 && c == 'u' && chance(600)) one[0] = 'o';
        else if (kind == 3 && c == 'i') one[0] = 'y';
        else if (kind == 4 && (c == 'l' || c == 's' || c == 'r') && chance(400)) one[1] = c;
        else if (kind == 5 && c == 'k') { one[0] = 'q'; }
        nb_add(out, one);
    }
    if (kind == 5) nb_add(out, PICK(((const char *const[]){ "", "a", "ah", "e", "o" })));
}

/* Letters of a script, indexed by the Latin letter (a..z). */
static const char *const CYRILLIC[26] = { "а", "б", "ц", "д", "е", "ф", "г", "х", "и", "й", "к", "л", "м",
                                          "н", "о", "п", "к", "р", "с", "т", "у", "в", "в", "кс", "ы", "з" };
static const char *const ARABIC[26] = { "ا", "ب", "ك", "د", "", "ف", "غ", "ه", "ي", "ج", "ك", "ل", "م",
                                        "ن", "و", "ب", "ق", "ر", "س", "ت", "و", "ف", "و", "كس", "ي", "ز" };
static const char *const GREEK[26] = { "α", "β", "κ", "δ", "ε", "φ", "γ", "χ", "ι", "ζ", "κ", "λ", "μ",
                                       "ν", "ο", "π", "κ", "ρ", "σ", "τ", "ου", "β", "ου", "ξ", "υ", "ζ" };
static const char *const HEBREW[26] = { "א", "ב", "ק", "ד", "", "פ", "ג", "ה", "י", "ג", "ק", "ל", "מ",
                                        "נ", "ו", "פ", "ק", "ר", "ס", "ט", "ו", "ו", "ו", "קס", "י", "ז" };

static void put_utf8(name_buf *nb, uint32_t cp)
{
    char b[5];
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        b[2] = '\0';
    } else {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        b[3] = '\0';
    }
    nb_add(nb, b);
}

enum { SCRIPT_CYRILLIC, SCRIPT_ARABIC, SCRIPT_GREEK, SCRIPT_HEBREW, SCRIPT_CJK, SCRIPT_KANA, SCRIPT_HANGUL };

/* ascii written in another script: letter by letter for the alphabets, a
 * character per two or three letters (chosen by the letters) for the
 * syllabic ones. */
static void script_of(const char *ascii, int script, name_buf *out)
{
    static const char *const *const alphabets[] = { CYRILLIC, ARABIC, GREEK, HEBREW };
    out->len = 0;
    out->s[0] = '\0';
    if (script <= SCRIPT_HEBREW) {
        for (const char *p = ascii; *p; p++) {
            char c = (char)(*p | 0x20);
            if (c >= 'a' && c <= 'z') nb_add(out, alphabets[script][c - 'a']);
            else if (*p == ' ' || *p == '-') nb_add(out, *p == ' ' ? " " : "-");
        }
        return;
    }
    uint32_t base = script == SCRIPT_CJK ? 0x4E00 : script == SCRIPT_KANA ? 0x30A1 : 0xAC00;
    uint32_t span = script == SCRIPT_CJK ? 0x5000 : script == SCRIPT_KANA ? 0x59 : 0x2B00;
    uint32_t h = 2166136261u;
    int run = 0;
    for (const char *p = ascii;; p++) {
        if (*p && *p != ' ') {
            h = (h ^ (unsigned char)(*p | 0x20)) * 16777619u;
            if (++run < 3) continue;
        }
        if (run) put_utf8(out, base + h % span);
        run = 0;
        h = 2166136261u;
        if (!*p) break;
    }
}

/* ------------------------------------------------------------ places */

typedef struct {
    const char *cc, *tz;
    int weight;                         /* rows per 10,000 */
    int32_t south, west, north, east;   /* 1e-5 degrees */
} country;

/* Shares near GeoNames' own (the US has about a sixth of allCountries). */
static const country COUNTRIES[] = {
    { "US", "America/Chicago", 1800, 2500000, -12400000, 4900000, -6700000 },
    { "CN", "Asia/Shanghai", 700, 2200000, 9800000, 4800000, 12200000 },
    { "IN", "Asia/Kolkata", 600, 800000, 7000000, 3200000, 8800000 },
    { "MX", "America/Mexico_City", 450, 1500000, -11500000, 3200000, -8700000 },
    { "ID", "Asia/Jakarta", 400, -800000, 9600000, 500000, 14000000 },
    { "RU", "Europe/Moscow", 400, 4500000, 3000000, 7000000, 13000000 },
    { "CA", "America/Toronto", 350, 4300000, -12500000, 6000000, -6000000 },
    { "IR", "Asia/Tehran", 350, 2600000, 4500000, 3900000, 6100000 },
    { "NO", "Europe/Oslo", 300, 5800000, 500000, 7000000, 3000000 },
    { "AU", "Australia/Sydney", 300, -3800000, 11500000, -1200000, 15300000 },
    { "BR", "America/Sao_Paulo", 300, -3000000, -6000000, -300000, -3500000 },
    { "PK", "Asia/Karachi", 280, 2500000, 6200000, 3600000, 7500000 },
    { "TH", "Asia/Bangkok", 250, 600000, 9800000, 2000000, 10500000 },
    { "DE", "Europe/Berlin", 250, 4750000, 600000, 5500000, 1500000 },
    { "FR", "Europe/Paris", 250, 4300000, -400000, 5100000, 750000 },
    { "AF", "Asia/Kabul", 200, 3000000, 6100000, 3800000, 7400000 },
    { "MA", "Africa/Casablanca", 180, 2900000, -1000000, 3550000, -150000 },
    { "DZ", "Africa/Algiers", 150, 2000000, -800000, 3700000, 1100000 },
    { "IQ", "Asia/Baghdad", 150, 2950000, 3900000, 3700000, 4800000 },
    { "SY", "Asia/Damascus", 120, 3250000, 3580000, 3720000, 4230000 },
    { "YE", "Asia/Aden", 120, 1300000, 4300000, 1900000, 5300000 },
    { "TR", "Europe/Istanbul", 200, 3600000, 2600000, 4200000, 4450000 },
    { "PH", "Asia/Manila", 200, 500000, 11800000, 1850000, 12600000 },
    { "VN", "Asia/Ho_Chi_Minh", 180, 900000, 10300000, 2300000, 10900000 },
    { "CD", "Africa/Kinshasa", 180, -1300000, 1300000, 500000, 3000000 },
    { "NG", "Africa/Lagos", 150, 450000, 300000, 1350000, 1450000 },
    { "ET", "Africa/Addis_Ababa", 150, 350000, 3400000, 1450000, 4700000 },
    { "GB", "Europe/London", 150, 5000000, -550000, 5800000, 170000 },
    { "IT", "Europe/Rome", 150, 3700000, 700000, 4700000, 1800000 },
    { "ES", "Europe/Madrid", 150, 3600000, -900000, 4350000, 300000 },
    { "UA", "Europe/Kyiv", 150, 4500000, 2300000, 5200000, 4000000 },
    { "PL", "Europe/Warsaw", 120, 4950000, 1450000, 5450000, 2400000 },
    { "AR", "America/Argentina/Buenos_Aires", 120, -5000000, -7200000, -2200000, -5400000 },
    { "CO", "America/Bogota", 120, 0, -7700000, 1100000, -6700000 },
    { "PE", "America/Lima", 120, -1700000, -8000000, -100000, -7000000 },
    { "KE", "Africa/Nairobi", 100, -450000, 3400000, 450000, 4100000 },
    { "SA", "Asia/Riyadh", 100, 1700000, 3600000, 3100000, 5500000 },
    { "EG", "Africa/Cairo", 100, 2300000, 2500000, 3150000, 3400000 },
    { "LB", "Asia/Beirut", 40, 3310000, 3520000, 3450000, 3660000 },
    { "JO", "Asia/Amman", 40, 2950000, 3500000, 3300000, 3900000 },
    { "SE", "Europe/Stockholm", 120, 5550000, 1150000, 6900000, 2400000 },
    { "JP", "Asia/Tokyo", 150, 3100000, 13000000, 4500000, 14500000 },
    { "KR", "Asia/Seoul", 80, 3400000, 12600000, 3850000, 12950000 },
    { "GR", "Europe/Athens", 80, 3500000, 2000000, 4150000, 2800000 },
    { "IL", "Asia/Jerusalem", 40, 2950000, 3430000, 3330000, 3590000 },
};

typedef struct {
    char cls;
    int weight;                   /* per 1,000 rows */
    const char *const *codes;     /* the first is the common one */
    size_t n_codes;
} feature_class;

static const char *const CODES_P[] = { "PPL", "PPL", "PPL", "PPL", "PPL", "PPL", "PPL", "PPLX", "PPLL", "PPLA4",
                                       "PPLA3", "PPLA2", "PPLQ", "PPLH", "PPLW", "PPLF", "PPLA" };
static const char *const CODES_H[] = { "STM", "STM", "STM", "LK", "RSV", "SPNG", "WLL", "STMI", "PND", "BAY", "CNL", "WAD" };
static const char *const CODES_T[] = { "MT", "HLL", "HLL", "PK", "VAL", "RDGE", "PASS", "CAPE", "ISL", "PLN", "SLP" };
static const char *const CODES_S[] = { "SCH", "CH", "FRM", "BLDG", "HTL", "RSTN", "AIRP", "MUS", "HSP", "CMTY", "MSQE", "MN" };
static const char *const CODES_L[] = { "PRK", "LCTY", "AREA", "RES", "CMN" };
static const char *const CODES_A[] = { "ADM4", "ADM3", "ADM3", "ADM2", "ADMD" };
static const char *const CODES_V[] = { "FRST", "GRSLD", "SCRB" };
static const char *const CODES_R[] = { "RD", "RR", "TRL" };
static const char *const CODES_U[] = { "SMU", "RDGU", "CNYU" };

#define CLASS(c, w, arr) { c, w, arr, COUNT(arr) }
static const feature_class CLASSES[] = {
    CLASS('P', 400, CODES_P), CLASS('H', 200, CODES_H), CLASS('T', 150, CODES_T),
    CLASS('S', 120, CODES_S), CLASS('L', 50, CODES_L),  CLASS('A', 40, CODES_A),
    CLASS('V', 20, CODES_V),  CLASS('R', 12, CODES_R),  CLASS('U', 8, CODES_U),
};

static int country_total;

static const country *pick_country(void)
{
    int r = (int)below((uint32_t)country_total);
    for (size_t i = 0; i < COUNT(COUNTRIES); i++) {
        if (r < COUNTRIES[i].weight) return &COUNTRIES[i];
        r -= COUNTRIES[i].weight;
    }
    return &COUNTRIES[0];
}

static const feature_class *pick_class(void)
{
    int r = (int)below(1000);
    for (size_t i = 0; i < COUNT(CLASSES); i++) {
        if (r < CLASSES[i].weight) return &CLASSES[i];
        r -= CLASSES[i].weight;
    }
    return &CLASSES[0];
}

/* The place's name: a shared one for about 45% of places (Zipf-like over
 * the pool), else its own; with its class's word. */
static void place_name(uint64_t row, char cls, name_buf *name, name_buf *ascii)
{
    uint64_t id = chance(450) ? zipf_below(COMMON_NAMES) : COMMON_NAMES + row;
    name_of(id, name, ascii);
    const char *pre = NULL, *suf = NULL;
    switch (cls) {
    case 'H': if (chance(300)) pre = PICK(PREFIX_H); else if (chance(700)) suf = PICK(SUFFIX_H); break;
    case 'T': if (chance(300)) pre = PICK(PREFIX_T); else if (chance(600)) suf = PICK(SUFFIX_T); break;
    case 'S': if (chance(800)) suf = PICK(SUFFIX_S); break;
    case 'L': if (chance(500)) suf = PICK(SUFFIX_L); break;
    case 'P': if (chance(120)) pre = PICK(PREFIX_P); break;
    default: break;
    }
    if (pre) {
        name_buf n2 = { "", 0 }, a2 = { "", 0 };
        nb_add(&n2, pre);
        nb_add(&n2, name->s);
        nb_add(&a2, pre);
        nb_add(&a2, ascii->s);
        *name = n2;
        *ascii = a2;
    }
    if (suf) {
        nb_add(name, suf);
        nb_add(ascii, suf);
    }
}

/* How many alternate names a place gets: none for most, a few for some,
 * dozens for the populous and the administrative. */
static int n_alternates(char cls, uint64_t population)
{
    int r = (int)below(1000);
    if (population > 100000) return between(10, 60);
    if (population > 5000) return between(2, 15);
    if (cls == 'A') return r < 500 ? 0 : between(1, 12);
    if (cls == 'P') return r < 760 ? 0 : r < 930 ? between(1, 3) : r < 990 ? between(4, 10) : between(11, 40);
    return r < 900 ? 0 : r < 975 ? between(1, 3) : between(4, 12);
}

typedef struct {
    const char *lang;
    int weight;      /* per 1,000 alternate rows */
    int script;      /* SCRIPT_*, or -1 for Latin */
} language;

/* Languages of the alternates file, GeoNames' pseudo-codes included. */
static const language LANGS[] = {
    { "", 250, -1 },    { "en", 90, -1 },   { "link", 110, -1 }, { "wkdt", 70, -1 }, { "post", 70, -1 },
    { "de", 25, -1 },   { "fr", 25, -1 },   { "es", 25, -1 },    { "it", 15, -1 },   { "pt", 15, -1 },
    { "nl", 15, -1 },   { "pl", 10, -1 },   { "tr", 10, -1 },    { "ru", 50, SCRIPT_CYRILLIC },
    { "uk", 20, SCRIPT_CYRILLIC }, { "bg", 10, SCRIPT_CYRILLIC }, { "ar", 40, SCRIPT_ARABIC },
    { "fa", 15, SCRIPT_ARABIC },   { "ur", 5, SCRIPT_ARABIC },    { "el", 10, SCRIPT_GREEK },
    { "he", 10, SCRIPT_HEBREW },   { "zh", 30, SCRIPT_CJK },      { "ja", 20, SCRIPT_KANA },
    { "ko", 15, SCRIPT_HANGUL },   { "iata", 5, -1 },  { "icao", 5, -1 },  { "unlc", 5, -1 },
    { "abbr", 5, -1 },  { "faac", 5, -1 },
};
static int lang_total;

static const language *pick_lang(void)
{
    int r = (int)below((uint32_t)lang_total);
    for (size_t i = 0; i < COUNT(LANGS); i++) {
        if (r < LANGS[i].weight) return &LANGS[i];
        r -= LANGS[i].weight;
    }
    return &LANGS[0];
}

static void upper_code(name_buf *nb, int len)
{
    nb->len = 0;
    for (int i = 0; i < len; i++) nb->s[nb->len++] = (char)('A' + below(26));
    nb->s[nb->len] = '\0';
}

/* One alternate name of a place in lang: its text in alt; whether it also
 * goes into the geoname row's alternatenames column (not links, ids, post
 * codes). */
static int make_alternate(const language *lang, const name_buf *ascii, uint64_t geonameid, name_buf *alt)
{
    alt->len = 0;
    alt->s[0] = '\0';
    if (!strcmp(lang->lang, "link")) {
        nb_add(alt, "https://en.wikipedia.org/wiki/");
        for (const char *p = ascii->s; *p; p++) nb_add(alt, *p == ' ' ? "_" : (char[2]){ *p, '\0' });
        return 0;
    }
    if (!strcmp(lang->lang, "wkdt")) {
        char q[24];
        snprintf(q, sizeof(q), "Q%llu", (unsigned long long)(geonameid % 90000000 + 1000));
        nb_add(alt, q);
        return 0;
    }
    if (!strcmp(lang->lang, "post")) {
        char code[16];
        snprintf(code, sizeof(code), "%05u", (unsigned)below(100000));
        nb_add(alt, code);
        return 0;
    }
    if (!strcmp(lang->lang, "iata") || !strcmp(lang->lang, "faac")) {
        upper_code(alt, 3);
        return 1; /* GeoNames puts airport codes into the column too */
    }
    if (!strcmp(lang->lang, "icao") || !strcmp(lang->lang, "unlc") || !strcmp(lang->lang, "abbr")) {
        upper_code(alt, 4);
        return !strcmp(lang->lang, "icao");
    }
    if (lang->script >= 0) {
        script_of(ascii->s, lang->script, alt);
        return alt->len > 0;
    }
    if (chance(350)) nb_add(alt, ascii->s); /* the same name, listed under a language */
    else variant_of(ascii->s, alt);
    return 1;
}

/* ------------------------------------------------------------ rows */

typedef struct {
    out_file places, alts;
    uint64_t next_alt_id;
    name_buf column[1]; /* scratch */
} gen;

static void write_place(gen *g, uint64_t row, uint64_t geonameid)
{
    const country *c = pick_country();
    const feature_class *fc = pick_class();
    const char *code = fc->codes[below((uint32_t)fc->n_codes)];
    name_buf name, ascii;
    place_name(row, fc->cls, &name, &ascii);
    uint64_t population = 0;
    if (fc->cls == 'P' && chance(60)) {
        int octave = between(2, 6);
        population = 1;
        for (int i = 0; i < octave; i++) population *= 10;
        population += below((uint32_t)(population * 9));
    } else if (fc->cls == 'A' && chance(100)) {
        population = between(500, 900000);
    }
    int32_t lat = c->south + (int32_t)below((uint32_t)(c->north - c->south));
    int32_t lon = c->west + (int32_t)below((uint32_t)(c->east - c->west));

    /* the alternates: written to the alternates file now, and the names
     * among them gathered for this row's alternatenames column */
    static char column[1 << 16];
    size_t column_len = 0;
    int n_alt = n_alternates(fc->cls, population);
    for (int i = 0; i < n_alt; i++) {
        const language *lang = pick_lang();
        name_buf alt;
        int in_column = make_alternate(lang, &ascii, geonameid, &alt);
        if (!alt.len) continue;
        int historic = chance(25), preferred = !historic && chance(60), short_name = chance(20),
            colloquial = chance(8);
        out_file *a = &g->alts;
        out_u(a, g->next_alt_id);
        g->next_alt_id += 1 + below(3);
        out_c(a, '\t');
        out_u(a, geonameid);
        out_c(a, '\t');
        out_s(a, lang->lang);
        out_c(a, '\t');
        out_add(a, alt.s, alt.len);
        out_s(a, preferred ? "\t1" : "\t");
        out_s(a, short_name ? "\t1" : "\t");
        out_s(a, colloquial ? "\t1" : "\t");
        out_s(a, historic ? "\t1" : "\t");
        out_s(a, historic && chance(500) ? "\t1920\t1946\n" : "\t\t\n");
        if (in_column && column_len + alt.len + 1 < sizeof(column)) {
            if (column_len) column[column_len++] = ',';
            memcpy(column + column_len, alt.s, alt.len);
            column_len += alt.len;
        }
    }

    out_file *o = &g->places;
    out_u(o, geonameid);
    out_c(o, '\t');
    out_add(o, name.s, name.len);
    out_c(o, '\t');
    out_add(o, ascii.s, ascii.len);
    out_c(o, '\t');
    out_add(o, column, column_len);
    out_c(o, '\t');
    out_deg(o, lat);
    out_c(o, '\t');
    out_deg(o, lon);
    out_c(o, '\t');
    out_c(o, fc->cls);
    out_c(o, '\t');
    out_s(o, code);
    out_c(o, '\t');
    out_s(o, c->cc);
    out_c(o, '\t');
    if (chance(5)) out_s(o, COUNTRIES[below(COUNT(COUNTRIES))].cc); /* cc2 */
    out_c(o, '\t');
    char admin[8];
    snprintf(admin, sizeof(admin), "%02u", (unsigned)between(1, 40));
    out_s(o, admin); /* admin1 */
    out_c(o, '\t');
    if (chance(700)) out_u(o, (uint64_t)between(1, 9999)); /* admin2 */
    out_c(o, '\t');
    if (chance(250)) out_u(o, (uint64_t)between(1, 99999)); /* admin3 */
    out_c(o, '\t');
    if (chance(80)) out_u(o, (uint64_t)between(1, 999999)); /* admin4 */
    out_c(o, '\t');
    out_u(o, population);
    out_c(o, '\t');
    if (chance(100)) out_u(o, (uint64_t)between(0, 3000)); /* elevation */
    out_c(o, '\t');
    int dem = between(-20, 3200);
    if (dem < 0) {
        out_c(o, '-');
        dem = -dem;
    }
    out_u(o, (uint64_t)dem);
    out_c(o, '\t');
    out_s(o, c->tz);
    out_c(o, '\t');
    char date[16];
    snprintf(date, sizeof(date), "%04d-%02d-%02d", between(2006, 2024), between(1, 12), between(1, 28));
    out_s(o, date);
    out_c(o, '\n');
}

static void usage(FILE *f)
{
    fputs("usage: gen_geonames [-n N] [--seed S] -o GEONAMES.txt --alternates ALTNAMES.txt\n"
          "       gen_geonames --version\n"
          "N rows (default 12000000) of GeoNames' geoname table and the matching\n"
          "alternateNamesV2 rows; the same bytes for the same N and seed.\n",
          f);
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-') return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno) return -1;
    *out = v;
    return 0;
}

static int open_out(out_file *o, const char *path)
{
    o->path = path;
    o->f = fopen(path, "wb");
    o->cap = 1 << 20;
    o->buf = malloc(o->cap);
    if (!o->f || !o->buf) {
        fprintf(stderr, "gen_geonames: %s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int close_out(out_file *o)
{
    int bad = out_flush(o) || fflush(o->f) || ferror(o->f);
    bad |= fclose(o->f) != 0;
    free(o->buf);
    if (bad) fprintf(stderr, "gen_geonames: %s: write error: %s\n", o->path, strerror(errno));
    return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
    uint64_t n = DEFAULT_N, seed = DEFAULT_SEED;
    const char *path = NULL, *alt_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--version")) {
            puts(GEN_VERSION);
            return 0;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-n") && i + 1 < argc) {
            if (parse_u64(argv[++i], &n) || n == 0 || n > 100000000) {
                fprintf(stderr, "gen_geonames: -n: expected a count from 1 to 100000000, got \"%s\"\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--seed") && i + 1 < argc) {
            if (parse_u64(argv[++i], &seed)) {
                fprintf(stderr, "gen_geonames: --seed: expected a non-negative integer, got \"%s\"\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "-o") && i + 1 < argc) {
            path = argv[++i];
        } else if (!strcmp(a, "--alternates") && i + 1 < argc) {
            alt_path = argv[++i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!path || !alt_path) {
        usage(stderr);
        return 2;
    }
    for (size_t i = 0; i < COUNT(COUNTRIES); i++) country_total += COUNTRIES[i].weight;
    for (size_t i = 0; i < COUNT(LANGS); i++) lang_total += LANGS[i].weight;
    seed_rng(seed);
    gen g;
    memset(&g, 0, sizeof(g));
    g.next_alt_id = 1;
    if (open_out(&g.places, path) < 0 || open_out(&g.alts, alt_path) < 0) return 1;
    uint64_t geonameid = FIRST_ID;
    for (uint64_t row = 0; row < n; row++) {
        write_place(&g, row, geonameid);
        geonameid += 1 + (chance(300) ? below(4) : 0); /* GeoNames' ids have gaps */
    }
    int rc = close_out(&g.places);
    rc |= close_out(&g.alts);
    return rc ? 1 : 0;
}
