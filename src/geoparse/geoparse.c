/*
 * geoparse.c - place mentions in running text (gp_parse).
 *
 * The text is cut into word tokens (byte offsets; "al-Dumair" one token,
 * "Hasakah's" the token "Hasakah" marked possessive, "U.S." one token, the
 * dot of "St." no sentence end) and sentences.  Capitalised tokens joined by
 * spaces form runs ("Khaled al-Masoud al-Badri", "Hayat Tahrir al-Sham"); a
 * title or an institution ends a run's place part ("Montreal Mayor ...",
 * "Kentucky State Police"); a run that looks like a person's name (a given
 * name, a title, an al- surname) is not a place, and its surnames are
 * remembered so that "Badri" alone later is not one either.  Inside other
 * runs: a run ending in a place's kind of word ("Metcalfe County", "Dean
 * Woods Road") is a place, known to the gazetteer or reported unresolved; a
 * country's adjective opening a run is a demonym ("Turkish"); an area's
 * abbreviation with its dot is that area ("Ky."); and spans of up to four
 * tokens, longest first, become mentions when their folded text is exactly
 * a gazetteer name (gaz_lookup_exact), a place in capitals opening a line
 * being a dateline ("WASHINGTON —").  A single common English word ("Most",
 * "However") is only a place after a cue word ("in", "near", "northeast
 * of").  Mentions are then resolved twice: once alone, after which every
 * reading votes for the document's country and then its admin-1 areas, and
 * again with those (and the middle of the confident places, when they lie
 * together) as hints; nesting ("Alvin, Texas") and world capitals are
 * settled last.
 */
#include "geoparse.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "demonyms.h"
#include "given_names.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

#define MAX_SPAN 4
#define N_RESOLVE 10
#define MIN_QUALITY 0.88  /* a mention must match a name, not just resemble it */
#define MIN_SCORE 0.55    /* ... and the place be a plausible reading */
#ifndef FUZZY_UNCUED
#define FUZZY_UNCUED 0.95 /* a near miss without a cue word must match this well (a spelling variant) */
#endif

enum {
    TK_CAP = 1,        /* first letter upper-case (after an al- article), or Arabic script */
    TK_ARTICLE = 2,    /* "al-Dumair", "ez-Zor" */
    TK_POSS = 4,       /* followed by 's, dropped from the token */
    TK_SENT_START = 8, /* first word of a sentence or a quotation */
    TK_JOINED = 16,    /* only spaces or tabs since the previous token */
    TK_ALLCAPS = 32,   /* every letter upper-case ("HTS", "US") */
    TK_ABBREV = 64     /* a dotted abbreviation ("U.S.", "B.C."), dots included */
};

typedef struct {
    uint32_t start, end;   /* byte offsets, end exclusive */
    uint32_t sentence;
    uint32_t flags;        /* TK_* */
} token;

/* ---- word lists ---- */

/* Common English words that start sentences or headings in capitals, and
 * the cue words themselves.  A single one of these is a place only after a
 * cue word. */
static const char *const common_words[] = {
    "a", "about", "above", "according", "across", "after", "again", "against", "all", "almost",
    "also", "although", "always", "american", "americans", "among", "an", "and", "another", "any",
    "anyone", "are", "around", "as", "asked", "at", "attack", "authorities", "back", "based", "be",
    "because", "been", "before", "being", "below", "best", "between", "both", "british", "but",
    "by", "can", "case", "central", "children", "city", "civil", "civilians", "clashes", "coalition",
    "come", "commander", "could", "country", "court", "day", "days", "dead", "death", "despite",
    "did", "do", "does", "down", "during", "each", "early", "east", "eastern", "either", "else",
    "even", "ever", "every", "everyone", "family", "far", "few", "fighters", "first", "five", "for",
    "forces", "former", "four", "free", "friday", "from", "further", "general", "get", "given", "go",
    "good", "government", "great", "group", "had", "has", "have", "he", "her", "here", "hers", "him",
    "his", "home", "how", "however", "if", "in", "including", "instead", "interim", "into", "is",
    "islamic", "it", "its", "just", "killed", "last", "late", "later", "leader", "least", "leave",
    "less", "let", "like", "little", "local", "long", "many", "may", "meanwhile", "men", "might",
    "military", "ministry", "monday", "more", "moreover", "most", "mother", "much", "must", "my",
    "near", "nearly", "neither", "never", "new", "news", "next", "nine", "no", "none", "nor",
    "north", "northern", "not", "nothing", "now", "of", "officials", "often", "on", "once", "one",
    "only", "operations", "or", "other", "others", "our", "out", "outside", "over", "own", "part",
    "people", "perhaps", "police", "president", "prime", "province", "quite", "rather", "read",
    "rebels", "red", "region", "residents", "same", "saturday", "say", "says", "second", "security",
    "see", "seven", "several", "she", "should", "since", "six", "so", "soldiers", "some", "someone",
    "something", "soon", "south", "southern", "special", "spring", "state", "still", "such",
    "summer", "sunday", "ten", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "thing", "third", "this", "those", "though", "three", "through", "thursday", "thus",
    "time", "to", "today", "together", "too", "town", "troops", "tuesday", "two", "under", "union",
    "unlike", "until", "up", "upon", "us", "very", "victory", "village", "war", "was", "we",
    "wednesday", "well", "were", "west", "western", "what", "when", "where", "whether", "which",
    "while", "white", "who", "whose", "why", "will", "winter", "with", "within", "without",
    "witnesses", "women", "world", "would", "year", "years", "yesterday", "yet", "you", "your",
    "leave", "comment", "share", "photo", "video", "image", "reuters", "afp", "ap", "update",
    "breaking", "live", "opinion", "analysis", "editor", "source", "sources", "independent",
    "guardian", "times", "post", "daily", "mail", "telegraph", "observer", "media", "press",
    "army", "navy", "air", "force", "council", "party", "front", "movement", "brigade", "brigades",
    "division", "unit", "units", "office", "committee", "hospital", "school", "university",
    "mosque", "church", "market", "street", "road", "bridge", "square", "palace", "prison", NULL
};

/* Never a place on its own: weekdays, months, organisations and words the
 * news uses that also name tiny places. */
static const char *const never_places[] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "isis", "isil", "daesh", "qaeda", "qaida", "hts", "sdf", "fsa",
    "sna", "ypg", "pkk", "nato", "un", "eu", "epa", "afp", "ap", "reuters", "sputnik", "kremlin",
    "pentagon", "hezbollah", "hamas", "taliban", "x", "twitter", "facebook", "telegram",
    "islam", "allah", "god", "ramadan", "eid", "christmas", "humvee", "humvees", "bedouin",
    "bedouins", "kurd", "kurds", "kurdish", "arab", "arabs", "arabic", "druze", "alawite",
    "alawites", "sunni", "sunnis", "shia", "shiite", "shiites", "turkmen", "christian",
    "christians", "muslim", "muslims", "syrian", "syrians", "iraqi", "iraqis", "turkish",
    "russian", "iranian", "israeli", "lebanese", "jordanian", "american", "european", "english",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "xinhua",
    "tass", "ria", "anadolu", "bloomberg", "cnn", "bbc", "nbc", "cbs", "abc", "fox", "google",
    "uber", "amazon", "apple", "microsoft", "instagram", "youtube", "whatsapp", "liberal", "liberals",
    "conservative", "conservatives", "labour", "democrat", "democrats", "republican", "republicans",
    "tory", "tories", NULL
};

static const char *const weekdays[] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", NULL
};

/* Given names that begin a person's name in the news. */
static const char *const given_names[] = {
    "abdul", "abdel", "abd", "abdullah", "abdallah", "abu", "umm", "ahmed", "ahmad", "ali",
    "bashar", "hafez", "hassan", "hussein", "hussain", "ibrahim", "ismail", "jamil", "khaled",
    "khalid", "mahmoud", "mohammed", "mohammad", "muhammad", "mohamed", "mustafa", "omar", "umar",
    "osama", "sabar", "saleh", "salah", "sami", "samir", "tom", "john", "james", "joe", "donald",
    "vladimir", "recep", "tayyip", "emmanuel", "david", "michael", "robert", "william", "mike",
    "marco", "antony", "hakan", "yousef", "youssef", "yusuf", "fatima", "maryam", "mariam",
    "nour", "layla", "rami", "maher", "asma", "anas", "asaad", "assaad", "mazloum", "abdi",
    "ilham", "qasim", "nasrallah", "hamza", "faisal", "walid", "ziad", "tarek", "tariq", NULL
};

/* Titles before a name ("President Bashar al-Assad", "envoy Tom Barrack"). */
static const char *const titles[] = {
    "president", "mr", "mrs", "ms", "dr", "sheikh", "shaikh", "general", "gen", "colonel", "col",
    "minister", "envoy", "ambassador", "commander", "leader", "chief", "king", "prince", "emir",
    "imam", "father", "brother", "sister", "mother", "son", "daughter", "spokesman",
    "spokeswoman", "secretary", "senator", "governor", "mayor", "judge", "sir", "lord", "lady",
    "officer", "captain", "major", "lieutenant", "sergeant", "director", "dictator", "rev",
    "reverend", "pastor", "bishop", "archbishop", "rabbi", "pope", "cardinal", "coach", "detective",
    "constable", "inspector", "superintendent", "deputy", "trooper", "sgt", "cpl", "lt", "capt",
    "prof", "professor", "councillor", "councilor", "alderman", "chancellor", "premier", NULL
};

static const char *const cue_words[] = {
    "in", "near", "at", "outside", "from", "to", "into", "around", "across", "toward", "towards",
    "via", "inside", "reached", "entered", "visited", "through", NULL
};

/* Short words written with a dot that ends no sentence ("St. Thomas"). */
static const char *const dotted_words[] = {
    "st", "mt", "ft", "dr", "mr", "mrs", "ms", "gov", "sen", "rep", "gen", "lt", "col", "sgt", "capt",
    "rev", "jr", "sr", "prof", "hon", "supt", "insp", "cpl", "det", "ave", "rd", "blvd", "no", NULL
};

/* Words that may stand between a cue and its place ("in the northern
 * province of Idlib"). */
static const char *const skippable[] = {
    "the", "a", "of", "central", "northern", "southern", "eastern", "western", "northeastern",
    "northwestern", "southeastern", "southwestern", "north-eastern", "north-western",
    "south-eastern", "south-western", "rural", "nearby", "besieged", "town", "city", "village",
    "province", "governorate", "region", "outskirts", "countryside", "desert", "area", "capital",
    "district", "neighbourhood", "neighborhood", "camp", "base", "border", "small", "tiny",
    "remote", "coastal", NULL
};

static const char *const directions[] = {
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
    "north-east", "north-west", "south-east", "south-west", NULL
};

/* Words that may follow a place inside its capitalised run ("Idlib Province"). */
static const char *const kind_words[] = {
    "province", "governorate", "city", "region", "desert", "district", "countryside", "base",
    "crossing", "camp", "airport", "state", NULL
};

/* A place's institutions, named after it ("Kentucky State Police", "Enfield
 * Council", "the Turkish Embassy"): the run's place part ends before one,
 * as it does before a title ("Montreal Mayor Denis Coderre"). */
static const char *const institutions[] = {
    "police", "department", "dept", "court", "council", "government", "ministry", "embassy",
    "consulate", "sheriff", "coroner", "fire", "parliament", "legislature", "assembly", "senate",
    "troopers", "gov", "sen", "rep", "mla", "mp", "premier", "attorney", "prosecutor",
    "prosecutors", "officials", "authorities", NULL
};

/* The last word of a place's own name ("Metcalfe County", "Dean Woods
 * Road"): a run ending in one is a place even when the gazetteer lacks it. */
static const char *const place_heads[] = {
    "county", "road", "rd", "street", "avenue", "ave", "boulevard", "blvd", "lane", "drive",
    "highway", "square", "bridge", "river", "lake", "island", "islands", "mountain", "mountains",
    "valley", "bay", "beach", "township", "parish", "borough", "heights", "hills", "creek",
    "canyon", "peninsula", "strait", "park", "close", "neighbourhood", "neighborhood",
    NULL
};

static int in_list(const char *const *list, const char *w, size_t len)
{
    for (; *list; list++)
        if (strlen(*list) == len && !memcmp(*list, w, len)) return 1;
    return 0;
}

/* ---- tokens ---- */

/* Decode one code point at s[i] (valid UTF-8 is checked beforehand). */
static uint32_t decode(const unsigned char *s, size_t len, size_t i, size_t *step)
{
    unsigned c = s[i];
    if (c < 0x80 || i + 1 >= len) { *step = 1; return c; }
    if (c < 0xE0) { *step = 2; return ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu); }
    if (c < 0xF0 || i + 3 >= len) {
        *step = i + 2 < len ? 3 : 2;
        return ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (i + 2 < len ? (s[i + 2] & 0x3Fu) : 0);
    }
    *step = 4;
    return ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
}

static int is_word_cp(uint32_t cp)
{
    if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    if (cp >= 0xA0 && cp <= 0xBF) return 0;
    if (cp == 0xD7 || cp == 0xF7) return 0;
    if (cp >= 0x2000 && cp <= 0x206F) return 0;
    if (cp >= 0x3000 && cp <= 0x303F) return 0;
    if (cp == 0x060C || cp == 0x061B || cp == 0x061F || cp == 0x06D4 || cp == 0xFEFF) return 0;
    return 1;
}

static int is_upper_cp(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z') return 1;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return 1;
    if (cp >= 0x100 && cp <= 0x17F) return !(cp & 1);
    if (cp >= 0x600 && cp <= 0x6FF) return 1;  /* Arabic script has no case */
    return 0;
}

static int is_lower_cp(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 0xDF && cp <= 0xFF && cp != 0xF7);
}

static int is_apostrophe(uint32_t cp)
{
    return cp == '\'' || cp == 0x2019;
}

static const char *const articles[] = { "al", "el", "ad", "as", "ash", "at", "ar", "az", "an", "ez",
                                        "es", "ed", "er", "et", "en", NULL };

/* Length of an article prefix "al-" in s (the article and hyphen), 0 if none. */
static size_t article_prefix(const char *s, size_t len)
{
    const char *dash = memchr(s, '-', len < 5 ? len : 5);
    if (!dash || dash == s) return 0;
    size_t alen = (size_t)(dash - s);
    char low[4];
    if (alen > 3) return 0;
    for (size_t i = 0; i < alen; i++) low[i] = (char)(s[i] | 0x20);
    return in_list(articles, low, alen) ? alen + 1 : 0;
}

typedef struct {
    token *t;
    size_t n, alloc;
} token_list;

/* Finish the token s[start, end): possessive, article, case flags. */
static void add_token(token_list *tl, const unsigned char *s, size_t start, size_t end,
                      uint32_t sentence, uint32_t flags)
{
    /* possessive 's / ’s */
    if (end - start > 2 && (s[end - 1] == 's' || s[end - 1] == 'S')) {
        if (s[end - 2] == '\'') { end -= 2; flags |= TK_POSS; }
        else if (end - start > 4 && s[end - 4] == 0xE2 && s[end - 3] == 0x80 && s[end - 2] == 0x99) {
            end -= 4;
            flags |= TK_POSS;
        }
    }
    size_t body = start, step;
    size_t art = article_prefix((const char *)s + start, end - start);
    if (art && start + art < end) {
        body = start + art;
        flags |= TK_ARTICLE;
    }
    uint32_t first = decode(s, end, body, &step);
    if (is_upper_cp(first)) flags |= TK_CAP;
    else if (art) flags &= ~(uint32_t)TK_ARTICLE;
    /* "Damascus-controlled", "US-led": the capitalised part is the word */
    if ((flags & TK_CAP) && !art) {
        const unsigned char *dash = memchr(s + start, '-', end - start);
        if (dash && dash + 1 < s + end && is_lower_cp(dash[1])) end = (size_t)(dash - s);
    }
    int upper = 0, lower = 0;
    for (size_t i = body; i < end; i++) {
        if (s[i] >= 'A' && s[i] <= 'Z') upper++;
        else if (s[i] >= 'a' && s[i] <= 'z') lower++;
    }
    if (upper >= 2 && !lower) flags |= TK_ALLCAPS;
    ALLOC_GROW(tl->t, tl->n + 1, tl->alloc);
    tl->t[tl->n].start = (uint32_t)start;
    tl->t[tl->n].end = (uint32_t)end;
    tl->t[tl->n].sentence = sentence;
    tl->t[tl->n].flags = flags;
    tl->n++;
}

/* The length of a dotted abbreviation at s[i] ("U.S.", "U.K.", "B.C.",
 * "U.A.E."): two or more capital letters each followed by a dot, not
 * followed by a word character; 0 when there is none. */
static size_t dotted_abbreviation(const unsigned char *s, size_t len, size_t i)
{
    size_t n = 0, j = i;
    while (j + 1 < len && s[j] >= 'A' && s[j] <= 'Z' && s[j + 1] == '.') {
        n++;
        j += 2;
    }
    size_t step;
    if (n < 2 || (j < len && is_word_cp(decode(s, len, j, &step)))) return 0;
    return j - i;
}

static void tokenize(const char *text, size_t len, token_list *tl)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, step;
    uint32_t sentence = 0;
    int new_sentence = 1, quote_start = 0, joined = 0;
    while (i < len) {
        uint32_t cp = decode(s, len, i, &step);
        if (!is_word_cp(cp)) {
            if (cp == '.' || cp == '!' || cp == '?' || cp == '\n' || cp == 0x2026) {
                if (!new_sentence && tl->n) sentence++;
                new_sentence = 1;
            }
            if (cp == 0x201C || cp == '"' || cp == ':' || cp == 0x2018 || cp == '(') quote_start = 1;
            if (cp != ' ' && cp != '\t') joined = 0;
            i += step;
            continue;
        }
        size_t start = i;
        /* "U.S.": one word, and its dots end no sentence */
        size_t abbr = dotted_abbreviation(s, len, i);
        if (abbr) {
            add_token(tl, s, start, start + abbr, sentence,
                      TK_ABBREV | (new_sentence || quote_start ? TK_SENT_START : 0) | (joined ? TK_JOINED : 0));
            i = start + abbr;
            new_sentence = quote_start = 0;
            joined = 1;
            continue;
        }
        for (;;) {
            i += step;
            if (i >= len) break;
            cp = decode(s, len, i, &step);
            if (is_word_cp(cp)) continue;
            /* an apostrophe or hyphen between word characters stays inside */
            if (cp == '-' || is_apostrophe(cp)) {
                size_t next_step;
                if (i + step < len && is_word_cp(decode(s, len, i + step, &next_step))) continue;
            }
            break;
        }
        uint32_t flags = 0;
        if (new_sentence || quote_start) flags |= TK_SENT_START;
        if (joined) flags |= TK_JOINED;
        add_token(tl, s, start, i, sentence, flags);
        new_sentence = quote_start = 0;
        joined = 1;
        /* "St. Thomas", "Rev. Smith": the dot of a short title ends no
         * sentence and keeps the name joined to it */
        if (i < len && s[i] == '.' && i - start <= 4) {
            char low[5];
            for (size_t k = 0; k < i - start; k++) low[k] = (char)(s[start + k] | 0x20);
            if (in_list(dotted_words, low, i - start)) i++;
        }
    }
}

/* ---- the document's people ---- */


/* Folded lower-case word of token t without its article, in out. */
static void token_word(const char *text, const token *t, strbuf *out)
{
    size_t art = (t->flags & TK_ARTICLE) ? article_prefix(text + t->start, t->end - t->start) : 0;
    if (gaz_fold(text + t->start + art, t->end - t->start - art, out) < 0) sb_reset(out);
}

/* Transliteration key of token t's word (article dropped), in key. */
static void token_key(const char *text, const token *t, strbuf *fold, strbuf *key)
{
    token_word(text, t, fold);
    gaz_translit(fold->buf, key);
}

/* ---- mentions ---- */

typedef struct {
    char *folded;
    int n1;
    gaz_result r1[N_RESOLVE];
    int n2;
    gaz_result r2[N_RESOLVE];
    size_t count;
    size_t first_span;    /* the span that resolves it */
} distinct;

typedef struct {
    distinct *d;
    size_t n, alloc;
    uint32_t *slot;    /* open addressing: index + 1, 0 empty */
    size_t cap;
} distinct_map;

static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Whether folded is in the map. */
static int distinct_has(const distinct_map *dm, const char *folded)
{
    if (!dm->cap) return 0;
    size_t s = str_hash(folded) & (dm->cap - 1);
    for (; dm->slot[s]; s = (s + 1) & (dm->cap - 1))
        if (!strcmp(dm->d[dm->slot[s] - 1].folded, folded)) return 1;
    return 0;
}

/* The entry for folded, added when new. */
static size_t distinct_get(distinct_map *dm, const char *folded)
{
    if (2 * (dm->n + 1) > dm->cap) {
        size_t cap = dm->cap ? dm->cap * 2 : 64;
        uint32_t *slot = xcalloc(cap, sizeof(*slot));
        for (size_t i = 0; i < dm->n; i++) {
            size_t s = str_hash(dm->d[i].folded) & (cap - 1);
            while (slot[s]) s = (s + 1) & (cap - 1);
            slot[s] = (uint32_t)i + 1;
        }
        free(dm->slot);
        dm->slot = slot;
        dm->cap = cap;
    }
    size_t s = str_hash(folded) & (dm->cap - 1);
    while (dm->slot[s]) {
        if (!strcmp(dm->d[dm->slot[s] - 1].folded, folded)) return dm->slot[s] - 1;
        s = (s + 1) & (dm->cap - 1);
    }
    ALLOC_GROW(dm->d, dm->n + 1, dm->alloc);
    memset(&dm->d[dm->n], 0, sizeof(dm->d[0]));
    dm->d[dm->n].folded = xstrdup(folded);
    dm->slot[s] = (uint32_t)++dm->n;
    return dm->n - 1;
}

typedef struct {
    size_t first, last;   /* token range, inclusive */
    size_t d;             /* distinct index */
    int cue;
    int acronym;          /* "US", "UK": only a country will do */
    int dateline;         /* "WASHINGTON —" opening a line */
    int dot;              /* 1: the dot after the last token is the name's ("Ky.") */
    int trailing;         /* inside a longer name ("Environment Canada"): a big place only */
    int unknown;          /* a place-shaped name the gazetteer need not know: "Dean Woods Road" */
    const gp_demonym *demonym; /* "Turkish": its country's adjective */
    char *qualifier;
} span;

/* Lower-case copy of token t's text (ASCII folding only) into out. */
static void token_lower(const char *text, const token *t, strbuf *out)
{
    sb_reset(out);
    for (uint32_t i = t->start; i < t->end; i++) {
        char c = text[i];
        sb_addch(out, c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
}

/* Whether the span starting at token `first` follows a cue word; a
 * relative phrase ("northeast of", "outside", "near") goes to *qualifier. */
static int find_cue(const char *text, const token *tk, size_t first, char **qualifier, strbuf *w)
{
    *qualifier = NULL;
    if (!first) return 0;
    int skipped = 0, cue = 0;
    for (size_t j = first; j-- > 0;) {
        const token *t = &tk[j];
        if (t->sentence != tk[first].sentence) break;
        if (!(tk[j + 1].flags & TK_JOINED)) break;
        token_lower(text, t, w);
        int after_of = j + 1 < first && tk[j + 1].end - tk[j + 1].start == 2 &&
                       !memcmp(text + tk[j + 1].start, "of", 2);
        if (in_list(directions, w->buf, w->len) && after_of) {
            if (!*qualifier) {
                strbuf q = STRBUF_INIT;
                sb_addf(&q, "%s of", w->buf);
                *qualifier = sb_detach(&q, NULL);
            }
            return 1;
        }
        if (!strcmp(w->buf, "outside") || !strcmp(w->buf, "near") || !strcmp(w->buf, "around") ||
            (!strcmp(w->buf, "outskirts") && after_of)) {
            if (!*qualifier) {
                strbuf q = STRBUF_INIT;
                sb_addf(&q, "%s%s", w->buf, after_of ? " of" : "");
                *qualifier = sb_detach(&q, NULL);
            }
            return 1;
        }
        if (in_list(cue_words, w->buf, w->len)) { cue = 1; break; }
        if (in_list(skippable, w->buf, w->len) && skipped < 4) { skipped++; continue; }
        break;
    }
    return cue;
}

/* The demonym that tokens first..last spell ("Turkish", "South Korean"),
 * or NULL: capitalised words, not all capitals, joined by spaces. */
static const gp_demonym *demonym_at(const char *text, const token *tk, size_t first, size_t last, strbuf *w)
{
    strbuf low = STRBUF_INIT;
    const gp_demonym *d = NULL;
    for (size_t j = first; j <= last; j++) {
        if (!(tk[j].flags & TK_CAP) || (tk[j].flags & (TK_ALLCAPS | TK_ABBREV | TK_ARTICLE)) ||
            (j > first && !(tk[j].flags & TK_JOINED)) || (j < last && (tk[j].flags & TK_POSS)))
            goto done;
        token_lower(text, &tk[j], w);
        if (j > first) sb_addch(&low, ' ');
        sb_add(&low, w->buf, w->len);
    }
    d = gp_demonym_lookup(low.buf);
done:
    sb_release(&low);
    return d;
}

/* Whether tokens first..last open a line in capitals and a comma or dash
 * follows: a dateline ("WASHINGTON —", "GLASGOW, Ky. (WBKO) --"). */
static int dateline_at(const char *text, size_t len, const token *tk, size_t first, size_t last)
{
    for (size_t j = first; j <= last; j++)
        if (!(tk[j].flags & TK_ALLCAPS) && tk[j].end - tk[j].start > 1) return 0;
    size_t b = tk[first].start;
    while (b > 0 && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r')) b--;
    if (b > 0 && text[b - 1] != '\n') return 0;
    size_t e = tk[last].end;
    while (e < len && text[e] == ' ') e++;
    if (e >= len) return 0;
    if (text[e] == ',' || text[e] == '-' || text[e] == '(') return 1;
    /* "WASHINGTON Barack Obama pardoned": a word of four capitals or more
     * opening the line, then the report's first capitalised word */
    if (tk[last].end - tk[first].start >= 4 && e > tk[last].end && text[e] >= 'A' && text[e] <= 'Z') return 1;
    /* an em or en dash */
    return e + 2 < len && (unsigned char)text[e] == 0xE2 && (unsigned char)text[e + 1] == 0x80 &&
           ((unsigned char)text[e + 2] == 0x94 || (unsigned char)text[e + 2] == 0x93);
}

/* Copy an ISO alpha-2 code (at most 3 bytes kept) into dst[4]. */
static void copy_cc(char dst[4], const char *src)
{
    size_t n = strnlen(src, 3);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int is_country(const gaz_result *r)
{
    return !strcmp(r->feature, "A.PCLI") || !strncmp(r->id, "country:", 8);
}

/* A country, a first-level area, a capital or a city of half a million:
 * a place that names an organisation's branch ("CBC Toronto"). */
static int is_big_place(const gaz_result *r)
{
    return is_country(r) || !strcmp(r->feature, "A.ADM1") || !strcmp(r->feature, "P.PPLC") ||
           !strcmp(r->feature, "P.PPLA") || (r->feature[0] == 'P' && r->population >= 500000);
}

/* UTF-8 check: the offset of the first invalid byte or NUL, len if none. */
static size_t utf8_bad(const unsigned char *s, size_t len, int *nul)
{
    size_t i = 0;
    *nul = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c == 0) { *nul = 1; return i; }
        if (c < 0x80) { i++; continue; }
        size_t n;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; min = 0x10000; }
        else return i;
        if (i + n > len) return i;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += n;
    }
    return len;
}

static size_t line_of(const char *text, size_t off)
{
    size_t line = 1;
    for (const char *p = text; (p = memchr(p, '\n', (size_t)(text + off - p))) != NULL; p++) line++;
    return line;
}

void gp_mentions_release(gp_mentions *out)
{
    if (!out) return;
    for (size_t i = 0; i < out->n; i++) {
        free(out->m[i].text);
        free(out->m[i].qualifier);
    }
    free(out->m);
    out->m = NULL;
    out->n = out->alloc = 0;
}

/* Whether token t and the dot after it are a first-level area's
 * abbreviation ("Ky.", "Alta.", "Calif."), in which case *w holds the
 * abbreviation.  Only a capitalised word of two to five letters followed
 * by a dot is asked, and the gazetteer must match it as that abbreviation. */
static int dotted_area(const gaz *g, const char *text, size_t len, const token *t, strbuf *w)
{
    size_t n = t->end - t->start;
    if (n < 2 || n > 5 || t->end >= len || text[t->end] != '.' || !(t->flags & TK_CAP) ||
        (t->flags & (TK_ALLCAPS | TK_ABBREV | TK_POSS | TK_ARTICLE)))
        return 0;
    sb_reset(w);
    sb_add(w, text + t->start, n + 1);
    gaz_result r[1];
    if (gaz_resolve(g, w->buf, NULL, r, 1, NULL) < 1 || r[0].quality < 0.95 || strcmp(r[0].feature, "A.ADM1"))
        return 0;
    size_t ml = strlen(r[0].matched);
    return ml && r[0].matched[ml - 1] == '.';
}

/* Whether the capitalised words from token i on begin with a gazetteer
 * name of two words or more: "New York", "West Virginia" and "South
 * Carolina" open a sentence as a name, not as the words "new", "west". */
static int opens_name(const gaz *g, const char *text, const token *tk, size_t n, size_t i, strbuf *fold)
{
    for (size_t last = i + 1; last < n && last < i + MAX_SPAN; last++) {
        if (!(tk[last].flags & TK_CAP) || !(tk[last].flags & TK_JOINED) || (tk[last - 1].flags & TK_POSS) ||
            tk[last].sentence != tk[i].sentence)
            break;
        if (gaz_fold(text + tk[i].start, tk[last].end - tk[i].start, fold) == 0 &&
            gaz_lookup_exact(g, fold->buf, NULL) == 2)
            return 1;
    }
    return 0;
}

/* Whether token j of the run first..last is inside a gazetteer name of
 * the run ("West Virginia State Police": "Virginia" is a given name, and
 * part of a place's). */
static int in_name(const gaz *g, const char *text, const token *tk, size_t first, size_t last, size_t j,
                   strbuf *fold)
{
    for (size_t a = j >= first + MAX_SPAN ? j - MAX_SPAN + 1 : first; a <= j; a++)
        for (size_t b = j; b <= last && b < a + MAX_SPAN; b++) {
            if (a == b) continue;
            if (gaz_fold(text + tk[a].start, tk[b].end - tk[a].start, fold) == 0 &&
                gaz_lookup_exact(g, fold->buf, NULL) == 2)
                return 1;
        }
    return 0;
}

/* Whether tokens first..last (a capitalised run) read as a person's name:
 * a given name ("Khaled", or an English one opening a run of two or more:
 * "Christopher Steele"), a title before or inside it, or al- surnames. */
static int person_run(const gaz *g, const char *text, const token *tk, size_t first, size_t last,
                      strbuf *w, strbuf *fold)
{
    int given = 0, title = 0, article = 0, english = 0;
    for (size_t i = first; i <= last; i++) {
        token_word(text, &tk[i], w);
        if (in_list(given_names, w->buf, w->len)) given = 1;
        if (in_list(titles, w->buf, w->len)) title = 1;
        if (tk[i].flags & TK_ARTICLE) article = 1;
    }
    if (last > first && !(tk[first].flags & (TK_ALLCAPS | TK_ABBREV | TK_POSS))) {
        token_word(text, &tk[first], w);
        english = gp_given_name(w->buf);
        /* "Beverly Hills", "Virginia Beach", "Carson City": a place's kind closes it */
        token_word(text, &tk[last], w);
        if (english && (in_list(place_heads, w->buf, w->len) || in_list(kind_words, w->buf, w->len)))
            english = 0;
    }
    if (first > 0 && tk[first - 1].sentence == tk[first].sentence) {
        token_lower(text, &tk[first - 1], w);
        if (in_list(titles, w->buf, w->len)) title = 1;
    }
    if (!given && !english && !title && !(article && last > first)) return 0;
    /* "Abu Kamal", "Deir ez-Zor", "Ras al-Ain": a run that is wholly a
     * place name is one after a cue word or when it has no given name;
     * "Sierra Leone", "Abu Dhabi": a country or a capital always */
    double prior = 0;
    if (gaz_fold(text + tk[first].start, tk[last].end - tk[first].start, fold) == 0 &&
        gaz_lookup_exact(g, fold->buf, &prior) == 2 && !title) {
        char *q = NULL;
        int cue = find_cue(text, tk, first, &q, w);
        free(q);
        if (cue || (!given && !english) || prior >= 0.7) return 0;
    }
    return 1;
}

/* Whether the span `next` follows `sp` after a comma and names an area
 * (a first-level area or a country) that sp's name has a place in: then
 * sp resolved with it as context ("Alvin, Texas"), in *out, and the area
 * itself in *area_out, which may be another reading of next's name than
 * its own best ("Atlanta, Georgia": the state, not the country). */
static int nested_in_next(const gaz *g, const char *text, const token *tk, const span *sp, const span *next,
                          const distinct *nd, const gaz_query *q, gaz_result *out, gaz_result *area_out)
{
    size_t gap = tk[sp->last].end + sp->dot, start = tk[next->first].start;
    while (gap < start && text[gap] == ' ') gap++;
    if (gap >= start || text[gap] != ',') return 0;
    for (gap++; gap < start; gap++)
        if (text[gap] != ' ') return 0;
    if (!nd->n2 || next->demonym) return 0;
    char *both = xstrndup(text + tk[sp->first].start, tk[next->last].end + next->dot - tk[sp->first].start);
    gaz_result rs[1];
    int n = gaz_resolve(g, both, q, rs, 1, NULL);
    free(both);
    if (n < 1) return 0;
    /* the place must lie in one of the areas next's name can be, or it is
     * no nesting: its best reading first, then the others as good as it */
    for (int pass = 0; pass < 2; pass++) {
        const gaz_result *rd = pass ? nd->r1 : nd->r2;
        int nr = pass ? nd->n1 : nd->n2;
        for (int i = 0; i < nr; i++) {
            const gaz_result *area = &rd[i];
            if (pass == 0 && i > 0) break;
            if (area->quality < (pass ? 0.95 : 0.0) || area->score < (pass ? MIN_SCORE : 0.8) ||
                (strcmp(area->feature, "A.ADM1") && !is_country(area)))
                continue;
            if (strcmp(rs[0].country, area->country)) continue;
            if (!is_country(area) && strcmp(rs[0].admin1_code, area->admin1_code)) continue;
            *out = rs[0];
            *area_out = *area;
            return 1;
        }
    }
    return 0;
}

/* ---- the document's country and areas ---- */

#define LOCUS_KM 250     /* the story's confident places all lie this close to their middle */
#define AREA_VOTES 1.5   /* an admin-1 area the names agree on: about two names' worth */
/* A place outside the document's country named with no cue word must read
 * at least as well as a city of some 300,000 (or a seat) does there; a
 * smaller one is more often a word or a person ("Axel", "Hydro", "Justice") */
#ifndef FOREIGN_MIN
#define FOREIGN_MIN 0.85
#endif
#ifndef OBSCURE_SCORE
#define OBSCURE_SCORE 0.95 /* a name's best reading scores below this: its vote falls off */
#endif
#ifndef VOTE_SPREAD
#define VOTE_SPREAD 0.1  /* score difference that divides a reading's vote by e */
#endif

typedef struct {
    struct { char key[24]; double votes; } *v;
    size_t n, alloc;
} vote_table;

static void vote_add(vote_table *t, const char *key, double votes)
{
    size_t i = 0;
    while (i < t->n && strcmp(t->v[i].key, key)) i++;
    if (i == t->n) {
        ALLOC_GROW(t->v, t->n + 1, t->alloc);
        snprintf(t->v[i].key, sizeof(t->v[i].key), "%s", key);
        t->v[i].votes = 0;
        t->n++;
    }
    t->v[i].votes += votes;
}

static const char *vote_best(const vote_table *t)
{
    size_t best = 0;
    for (size_t i = 1; i < t->n; i++)
        if (t->v[i].votes > t->v[best].votes) best = i;
    return t->n ? t->v[best].key : "";
}

static void vote_release(vote_table *t)
{
    free(t->v);
    memset(t, 0, sizeof(*t));
}

/* What a reading votes for: its country; or, in the document's country cc,
 * its admin-1 area (its own code for an admin-1 area).  "" for none. */
typedef const char *(*vote_key_fn)(const gaz_result *r, const char *cc);

static const char *countries_of(const gaz_result *r, const char *cc)
{
    (void)cc;
    return !strcmp(r->feature, "L.CONT") ? "" : r->country;
}

static const char *areas_of(const gaz_result *r, const char *cc)
{
    return strcmp(r->country, cc) || is_country(r) ? "" : r->admin1_code;
}

/* One name's readings vote: weight shared among the keys they give, each
 * key's share falling off with how far its best reading scores below the
 * name's best (VOTE_SPREAD: a reading 0.1 behind gets about a third of
 * the top one's share), so that a famous namesake keeps the vote
 * ("London") while near-equal readings ("Edmonton", Alberta or Kentucky)
 * split it.  Readings that only resemble the name do not vote; a
 * country's own name votes for it alone. */
static void vote_readings(vote_key_fn key_of, const gaz_result *r, int n, const char *cc, double weight,
                          vote_table *t)
{
    struct { const char *key; double s; } k[N_RESOLVE];
    int nk = 0;
    double best = -1, total = 0;
    if (is_country(&r[0]) && r[0].quality >= 0.95) n = 1;
    for (int i = 0; i < n; i++) {
        if (r[i].quality < MIN_QUALITY || (r[i].match == GAZ_MATCH_FUZZY && !is_country(&r[i]))) continue;
        const char *key = key_of(&r[i], cc);
        if (!*key) continue;
        int j = 0;
        while (j < nk && strcmp(k[j].key, key)) j++;
        if (j == nk) {
            k[nk].key = key;
            k[nk++].s = r[i].score;
        } else if (r[i].score > k[j].s) {
            k[j].s = r[i].score;
        }
        if (r[i].score > best) best = r[i].score;
    }
    for (int j = 0; j < nk; j++) total += exp((k[j].s - best) / VOTE_SPREAD);
    for (int j = 0; j < nk; j++) vote_add(t, k[j].key, weight * exp((k[j].s - best) / VOTE_SPREAD) / total);
}

/* Whether a name's best reading alone is a confident place (not a country,
 * region or continent) in the document's country cc: the places whose
 * middle hints where the story is. */
static int confident_place(const distinct *d, const char *cc)
{
    const gaz_result *r = &d->r1[0];
    return d->n1 && r->score >= 0.8 && !is_country(r) && !r->is_region && strcmp(r->feature, "L.CONT") &&
           !strcmp(r->country, cc);
}

/* "Paris" in an American story is the capital of France, not the town in
 * Texas, unless the story names Texas: the story's country does not
 * outweigh a world capital (the first pass's reading) for a town a tenth
 * its size, whose own area the story does not name.  The same holds for a
 * first-level area, as big as GAZ_AREA_POPULATION: "England" in an
 * American story is not the town in Arkansas. */
static void world_capital_first(distinct *d, const char *areas)
{
    if (!d->n1 || !d->n2 || d->r1[0].quality < MIN_QUALITY) return;
    const gaz_result *cap = &d->r1[0], *r = &d->r2[0];
    int64_t size;
    if (!strcmp(cap->feature, "P.PPLC")) size = cap->population;
    else if (!strcmp(cap->feature, "A.ADM1") && r->feature[0] == 'P') size = GAZ_AREA_POPULATION;
    else return;
    if (r->place == cap->place || r->quality > cap->quality || r->population * 10 > size) return;
    if (areas && *r->admin1_code && gaz_code_listed(areas, r->admin1_code)) return;
    /* first, the others after it (it may be below the story's country's
     * namesakes and their near misses, or not among them at all) */
    int at = 1;
    while (at < d->n2 && d->r2[at].place != cap->place) at++;
    if (at == d->n2) at = d->n2 < N_RESOLVE ? d->n2++ : d->n2 - 1;
    memmove(&d->r2[1], &d->r2[0], (size_t)at * sizeof(d->r2[0]));
    d->r2[0] = *cap;
}

/* Readings of two different names that lie within NEIGHBOUR_KM of each
 * other ("Edmonton" and "Enfield" in north London) are what a local story
 * looks like.  Each such name votes once more for what key_of gives for
 * its reading that has a neighbour (its country, or its area in the
 * document's country cc) when both give the same, and only when one of
 * the two is its name's best reading, as much as the other is a plausible
 * one (falling off as in vote_readings): two hamlets that happen to share
 * a county ("California" and "Redding" in Falkirk) do not outvote the
 * state.  Only places and first-level areas the names match exactly
 * count: a country or a region is near everything. */
#define NEIGHBOUR_KM 25

typedef struct {
    double lat, lon;
    long band;           /* floor(lat / the band's height) */
    size_t d;            /* the distinct name */
    const char *key;     /* what it votes for: its country, or its area */
    double share;        /* how plausible a reading of its name it is, 0..1 */
} reading_pt;

/* Readings sort by a band of latitude NEIGHBOUR_KM high, then by
 * longitude: a reading's neighbours lie in its band and the two beside it,
 * each a run of longitudes found by binary search. */
static int cmp_reading(const void *pa, const void *pb)
{
    const reading_pt *a = pa, *b = pb;
    if (a->band != b->band) return a->band < b->band ? -1 : 1;
    return a->lon < b->lon ? -1 : a->lon > b->lon;
}

/* The first reading at or after (band, lon) in pt[0..np), sorted by cmp_reading. */
static size_t reading_lower_bound(const reading_pt *pt, size_t np, long band, double lon)
{
    size_t lo = 0, hi = np;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pt[mid].band < band || (pt[mid].band == band && pt[mid].lon < lon)) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void vote_neighbours(vote_key_fn key_of, const distinct *d, size_t n, const char *cc, const double *weight,
                            vote_table *t)
{
    const double dlat = NEIGHBOUR_KM / 111.0;
    reading_pt *pt = xmalloc((n * N_RESOLVE + 1) * sizeof(*pt));
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < d[i].n1; j++) {
            const gaz_result *r = &d[i].r1[j];
            if (r->quality < 0.95 || r->match == GAZ_MATCH_FUZZY || is_country(r) || r->is_region ||
                (r->feature[0] != 'P' && strcmp(r->feature, "A.ADM1")))
                continue;
            const char *key = key_of(r, cc);
            if (!*key) continue;
            double share = exp((r->score - d[i].r1[0].score) / VOTE_SPREAD);
            pt[np++] = (reading_pt){ r->lat_deg, r->lon_deg, (long)floor(r->lat_deg / dlat), i, key,
                                     share > 1 ? 1 : share };
        }
    qsort(pt, np, sizeof(*pt), cmp_reading);
    /* per name, the keys whose readings found a neighbour and how much each
     * votes: a name has at most N_RESOLVE readings, so as many keys */
    struct { const char *key; double share; } (*found)[N_RESOLVE] = xcalloc(n + 1, sizeof(*found));
    for (size_t a = 0; a < np; a++) {
        /* the best partner: an anchor (share 1) gives the most, so the
         * scan stops at the first; an anchor takes its partner's share
         * (no neighbours across the antimeridian) */
        double c = cos(pt[a].lat * M_PI / 180.0);
        double dlon = c > 0.05 ? dlat / c : 360;
        double joint = 0;
        for (long band = pt[a].band - 1; band <= pt[a].band + 1 && joint < pt[a].share; band++)
            for (size_t b = reading_lower_bound(pt, np, band, pt[a].lon - dlon);
                 b < np && pt[b].band == band && pt[b].lon <= pt[a].lon + dlon && joint < pt[a].share; b++) {
                if (pt[a].d == pt[b].d || strcmp(pt[a].key, pt[b].key)) continue;
                if (pt[a].share < 0.999 && pt[b].share < 0.999) continue;
                geo_point pa = { pt[a].lat, pt[a].lon }, pb = { pt[b].lat, pt[b].lon };
                if (geo_distance_km(pa, pb) > NEIGHBOUR_KM) continue;
                if (pt[a].share * pt[b].share > joint) joint = pt[a].share * pt[b].share;
            }
        if (joint <= 0) continue;
        int m = 0;
        while (m < N_RESOLVE && found[pt[a].d][m].key && strcmp(found[pt[a].d][m].key, pt[a].key)) m++;
        if (m == N_RESOLVE) continue;
        found[pt[a].d][m].key = pt[a].key;
        if (joint > found[pt[a].d][m].share) found[pt[a].d][m].share = joint;
    }
    for (size_t i = 0; i < n; i++)
        for (int m = 0; m < N_RESOLVE && found[i][m].key; m++) vote_add(t, found[i][m].key, weight[i] * found[i][m].share);
    free(found);
    free(pt);
}

/* The place a demonym stands for, in *out: its country, or the continent
 * the gazetteer holds as a region ("European").  Returns 1, or 0 when the
 * gazetteer has no such place. */
static int demonym_place(const gaz *g, const gp_demonym *dem, gaz_result *out)
{
    if (!strncmp(dem->code, "continent:", 10)) {
        gaz_result r[1];
        if (gaz_resolve(g, dem->code + 10, NULL, r, 1, NULL) < 1 || r[0].quality < 0.95 ||
            strcmp(r[0].feature, "L.CONT"))
            return 0;
        *out = r[0];
    } else {
        char cc[3] = { dem->code[0], dem->code[1], '\0' };
        if (!gaz_country_place(g, cc, out)) return 0;
        out->matched = out->name;
    }
    out->match = GAZ_MATCH_EXACT;
    out->score = out->quality = 1.0;
    return 1;
}

int gp_parse(const gaz *g, const char *name, const char *text, size_t len,
             const gp_options *opt, gp_mentions *out, char **err)
{
    token_list tl = { NULL, 0, 0 };
    distinct_map people = { NULL, 0, 0, NULL, 0 }; /* surnames' transliteration keys */
    distinct_map dm = { NULL, 0, 0, NULL, 0 };
    distinct_map lower_words = { NULL, 0, 0, NULL, 0 }; /* the words the text writes in lower case */
    span *spans = NULL;
    size_t n_spans = 0, spans_alloc = 0;
    strbuf w = STRBUF_INIT, fold = STRBUF_INIT, key = STRBUF_INIT, areas = STRBUF_INIT;
    int rc = 0, nul;

    if (len > UINT32_MAX - 1) {
        rc = em_error(err, EM_EINPUT, "%s: text too large (%zu bytes)", name, len);
        goto cleanup;
    }
    size_t bad = utf8_bad((const unsigned char *)text, len, &nul);
    if (bad < len) {
        rc = em_error(err, EM_EINPUT, "%s:%zu: %s", name, line_of(text, bad),
                      nul ? "NUL byte: binary data, not text" : "invalid UTF-8");
        goto cleanup;
    }
    tokenize(text, len, &tl);
    token *tk = tl.t;

    /* the words the text writes in lower case: "Crystal" opening a sentence
     * is the word "crystal" when the text also writes it so */
    for (size_t i = 0; i < tl.n; i++) {
        if (tk[i].flags & (TK_CAP | TK_ARTICLE)) continue;
        token_word(text, &tk[i], &w);
        if (w.len > 2) distinct_get(&lower_words, w.buf);
    }

    /* capitalised runs: find the people first, over the whole document */
    size_t *run_end = xmalloc((tl.n + 1) * sizeof(*run_end)); /* run start -> last token, or SIZE_MAX */
    char *in_person = xcalloc(tl.n + 1, 1);
    char *run_split = xcalloc(tl.n + 1, 1); /* run start -> a title or institution followed it */
    for (size_t i = 0; i < tl.n; i++) run_end[i] = SIZE_MAX;
    for (size_t i = 0; i < tl.n;) {
        if (!(tk[i].flags & TK_CAP)) { i++; continue; }
        size_t first = i;
        if (tk[i].flags & TK_SENT_START) {
            token_lower(text, &tk[i], &w);
            if (in_list(common_words, w.buf, w.len) && !(tk[i].flags & (TK_POSS | TK_ALLCAPS)) &&
                !demonym_at(text, tk, i, i, &w) && !opens_name(g, text, tk, tl.n, i, &fold)) {
                i++;
                continue;
            }
        }
        size_t last = i;
        while (last + 1 < tl.n && !(tk[last].flags & TK_POSS) && (tk[last + 1].flags & TK_JOINED) &&
               tk[last + 1].sentence == tk[i].sentence) {
            const token *nx = &tk[last + 1];
            if (nx->flags & TK_CAP) {
                /* "snow is expected in Toronto Saturday": a weekday is no part of a name */
                token_lower(text, nx, &w);
                if (in_list(weekdays, w.buf, w.len)) break;
                last++;
                continue;
            }
            /* "Ras al Ain": a bare article inside a run */
            token_lower(text, nx, &w);
            if ((!strcmp(w.buf, "al") || !strcmp(w.buf, "el") || !strcmp(w.buf, "bin") ||
                 !strcmp(w.buf, "ibn")) && last + 2 < tl.n && (tk[last + 2].flags & TK_CAP) &&
                (tk[last + 2].flags & TK_JOINED)) {
                last += 2;
                continue;
            }
            break;
        }
        /* "Montreal Mayor Denis Coderre", "Kentucky State Police": a title
         * or an institution ends the run's place part; the rest is a run of
         * its own (a person's name after a title) */
        for (size_t j = first + 1; j <= last; j++) {
            token_word(text, &tk[j], &w);
            if (in_list(titles, w.buf, w.len) || in_list(institutions, w.buf, w.len)) {
                last = j - 1;
                run_split[first] = 1;
                break;
            }
            /* "WASHINGTON Christopher Steele": a given name and a surname
             * after the run's first words, unless the whole is a place */
            if (j < last && !(tk[j].flags & (TK_ALLCAPS | TK_ABBREV)) && gp_given_name(w.buf) &&
                !in_name(g, text, tk, first, last, j, &fold)) {
                last = j - 1;
                break;
            }
        }
        run_end[first] = last;
        if (person_run(g, text, tk, first, last, &w, &fold)) {
            for (size_t j = first; j <= last; j++) {
                in_person[j] = 1;
                token_word(text, &tk[j], &w);
                if (in_list(titles, w.buf, w.len) || in_list(common_words, w.buf, w.len)) continue;
                gaz_translit(w.buf, &key);
                if (key.len) distinct_get(&people, key.buf);
            }
        }
        i = last + 1;
    }

    /* spans inside runs, longest first */
    for (size_t first = 0; first < tl.n; first++) {
        if (run_end[first] == SIZE_MAX) continue;
        size_t last_of_run = run_end[first];
        size_t from = first;
        /* "Metcalfe County", "Dean Woods Road": a run that ends in a place's
         * own kind of name is a place, known to the gazetteer or not */
        for (size_t j = first + 1; j <= last_of_run && j < first + MAX_SPAN + 1; j++) {
            token_word(text, &tk[j], &w);
            if (!in_list(place_heads, w.buf, w.len)) continue;
            /* "The Plymouth County": not its article */
            size_t hf = first;
            for (; hf < j; hf++) {
                token_lower(text, &tk[hf], &w);
                if (strcmp(w.buf, "the") && strcmp(w.buf, "a") && strcmp(w.buf, "an")) break;
            }
            int ok = hf < j && !(tk[j - 1].flags & TK_POSS);
            for (size_t k = hf; k <= j && ok; k++)
                if (in_person[k] || (tk[k].flags & TK_ALLCAPS)) ok = 0;
            if (ok && gaz_fold(text + tk[hf].start, tk[j].end - tk[hf].start, &fold) == 0) {
                ALLOC_GROW(spans, n_spans + 1, spans_alloc);
                span *sp = &spans[n_spans];
                memset(sp, 0, sizeof(*sp));
                sp->first = hf;
                sp->last = j;
                sp->unknown = 1;
                sp->d = distinct_get(&dm, fold.buf);
                if (!dm.d[sp->d].count++) dm.d[sp->d].first_span = n_spans;
                n_spans++;
                from = j + 1;
            }
            break;
        }
        for (size_t i = from; i <= last_of_run;) {
            size_t matched = 0;
            /* "Glasgow, Ky.", "Calgary, Alta.": an area's abbreviation with its dot */
            if (i == last_of_run && !in_person[i] && dotted_area(g, text, len, &tk[i], &w)) {
                ALLOC_GROW(spans, n_spans + 1, spans_alloc);
                span *sp = &spans[n_spans];
                memset(sp, 0, sizeof(*sp));
                sp->first = sp->last = i;
                sp->dot = 1;
                sp->cue = 1;
                sb_reset(&fold);
                sb_addf(&fold, "\002%s", w.buf);
                sp->d = distinct_get(&dm, fold.buf);
                if (!dm.d[sp->d].count++) dm.d[sp->d].first_span = n_spans;
                n_spans++;
                i++;
                continue;
            }
            if (!in_person[i] && (tk[i].flags & TK_CAP)) {
                size_t max_last = i + MAX_SPAN - 1 < last_of_run ? i + MAX_SPAN - 1 : last_of_run;
                for (size_t last = max_last + 1; last-- > i;) {
                    if (!(tk[last].flags & TK_CAP)) continue;
                    /* "Turkish", "South Korean" opening a run: the country's adjective */
                    const gp_demonym *dem = i == first && last - i < 2 ? demonym_at(text, tk, i, last, &w) : NULL;
                    if (dem) {
                        sb_reset(&fold);
                        sb_addf(&fold, "\001%s", dem->code);
                    } else {
                        if (gaz_fold(text + tk[i].start, tk[last].end - tk[i].start, &fold) < 0) continue;
                        if (!gaz_lookup_exact(g, fold.buf, NULL)) continue;
                    }
                    matched = last - i + 1;
                    int dateline = !dem && dateline_at(text, len, tk, i, last);
                    /* a part of a longer name ("Badia Special Forces") is not
                     * the place, unless the rest are kind words or the run's
                     * place part ends at an institution ("Queensland Police") */
                    int ok = 1, trailing = 0;
                    if (!dem && !(dateline && i == first))
                        for (size_t j = first; j <= last_of_run && ok; j++) {
                            if (j >= i && j <= last) continue;
                            token_word(text, &tk[j], &w);
                            /* "Environment Canada", "CBC Toronto", "the U.S.
                             * Transportation Department": a big place inside
                             * a name is its place (checked once resolved) */
                            if (j < i) trailing = 1;
                            else if (!run_split[first] && !in_list(kind_words, w.buf, w.len)) ok = 0;
                        }
                    char *qualifier = NULL;
                    int cue = find_cue(text, tk, i, &qualifier, &w) || dateline;
                    if (dem) {
                        /* the adjective itself is the evidence */
                    } else if (ok && matched == 1) {
                        token_word(text, &tk[i], &w);
                        size_t wlen = tk[i].end - tk[i].start;
                        if (tk[i].flags & TK_ABBREV) wlen /= 2; /* its letters */
                        gaz_translit(w.buf, &key);
                        if (wlen < 2 || in_list(never_places, w.buf, w.len) ||
                            distinct_has(&people, key.buf))
                            ok = 0;
                        else if ((tk[i].flags & TK_ALLCAPS) && wlen > 3 && !dateline)
                            ok = 0;
                        else if (!cue && !(tk[i].flags & TK_ALLCAPS) && in_list(common_words, w.buf, w.len))
                            ok = 0;
                        else if (!cue && (tk[i].flags & TK_SENT_START) && distinct_has(&lower_words, w.buf))
                            ok = 0;
                    } else if (ok && !cue) {
                        for (size_t j = i; j <= last && ok; j++) {
                            token_key(text, &tk[j], &w, &key);
                            if (distinct_has(&people, key.buf)) ok = 0;
                        }
                    }
                    if (!ok) {
                        free(qualifier);
                        break;
                    }
                    ALLOC_GROW(spans, n_spans + 1, spans_alloc);
                    span *sp = &spans[n_spans];
                    memset(sp, 0, sizeof(*sp));
                    sp->first = i;
                    sp->last = last;
                    sp->cue = cue;
                    sp->dateline = dateline;
                    sp->demonym = dem;
                    sp->acronym = !dem && !dateline && matched == 1 && (tk[i].flags & TK_ALLCAPS) &&
                                  !(tk[i].flags & TK_ABBREV);
                    sp->trailing = trailing;
                    sp->qualifier = qualifier;
                    sp->d = distinct_get(&dm, fold.buf);
                    if (!dm.d[sp->d].count++) dm.d[sp->d].first_span = n_spans;
                    n_spans++;
                    break;
                }
            }
            i += matched ? matched : 1;
        }
        first = last_of_run;
    }
    free(run_end);
    free(in_person);
    free(run_split);

    /* first pass: each distinct name alone, with no home country: the
     * document is to say where it is */
    gaz_query q;
    memset(&q, 0, sizeof(q));
    q.country = opt && opt->country && *opt->country ? opt->country : NULL;
    q.focus = "";
    for (size_t i = 0; i < dm.n; i++) {
        const span *sp = &spans[dm.d[i].first_span];
        if (sp->demonym) {
            dm.d[i].n1 = demonym_place(g, sp->demonym, &dm.d[i].r1[0]);
            continue;
        }
        char *name_text = xstrndup(text + tk[sp->first].start, tk[sp->last].end + sp->dot - tk[sp->first].start);
        int n = gaz_resolve(g, name_text, &q, dm.d[i].r1, N_RESOLVE, NULL);
        dm.d[i].n1 = n < 0 ? 0 : n;
        free(name_text);
    }

    /* the document's country and areas: each name votes for the countries
     * (then the admin-1 areas) its readings lie in, shared by how good a
     * reading each one is, so that ten local names outvote one famous
     * namesake ("Edmonton" among Enfield, Tottenham and Wood Green) */
    vote_table countries = { 0 }, area_votes = { 0 };
    double *weight = xcalloc(dm.n + 1, sizeof(*weight));
    for (size_t i = 0; i < dm.n; i++) {
        const span *sp = &spans[dm.d[i].first_span];
        /* an adjective says less than a name */
        weight[i] = (sp->demonym ? 0.5 : 1.0) * (1.0 + 0.25 * (double)(dm.d[i].count - 1));
    }
    /* a dateline says where the report was written: three times each */
    for (size_t k = 0; k < n_spans; k++)
        if (spans[k].dateline) weight[spans[k].d] *= 3.0;
    for (size_t i = 0; i < dm.n; i++) {
        if (!dm.d[i].n1) continue;
        /* a name whose best reading is a hamlet says little about the
         * country ("Crescent", "Superior"), though as much as any about
         * the area within it */
        double votes = weight[i];
        if (dm.d[i].r1[0].score < OBSCURE_SCORE) votes *= exp((dm.d[i].r1[0].score - OBSCURE_SCORE) / VOTE_SPREAD);
        vote_readings(countries_of, dm.d[i].r1, dm.d[i].n1, NULL, votes, &countries);
    }
    vote_neighbours(countries_of, dm.d, dm.n, NULL, weight, &countries);
    char doc_country[4] = "";
    if (q.country) copy_cc(doc_country, q.country);
    else if (countries.n) copy_cc(doc_country, vote_best(&countries));
    if (doc_country[0]) {
        for (size_t i = 0; i < dm.n; i++)
            if (dm.d[i].n1) vote_readings(areas_of, dm.d[i].r1, dm.d[i].n1, doc_country, weight[i], &area_votes);
        vote_neighbours(areas_of, dm.d, dm.n, doc_country, weight, &area_votes);
    }
    free(weight);

    /* where the confident places in that country lie */
    double lat_sum = 0, lon_sum = 0;
    int n_pts = 0;
    for (size_t i = 0; i < dm.n; i++) {
        const gaz_result *r = &dm.d[i].r1[0];
        if (!confident_place(&dm.d[i], doc_country)) continue;
        lat_sum += r->lat_deg;
        lon_sum += r->lon_deg;
        n_pts++;
    }
    /* ... when they lie together: the middle of Washington and Chicago is
     * no place the story is about */
    if (n_pts) {
        geo_point mid = { lat_sum / n_pts, lon_sum / n_pts };
        for (size_t i = 0; i < dm.n && n_pts; i++) {
            const gaz_result *r = &dm.d[i].r1[0];
            if (!confident_place(&dm.d[i], doc_country)) continue;
            geo_point here = { r->lat_deg, r->lon_deg };
            if (geo_distance_km(mid, here) > LOCUS_KM) n_pts = 0;
        }
    }

    /* the first-level areas the text names with confidence ("West Virginia",
     * "Idlib province") or that its names agree on: a town in one of them
     * is the one meant */
    sb_reset(&areas);
    for (size_t i = 0; i < dm.n; i++) {
        const gaz_result *r = &dm.d[i].r1[0];
        if (!dm.d[i].n1 || r->score < 0.8 || strcmp(r->feature, "A.ADM1") || !*r->admin1_code) continue;
        if (areas.len) sb_addch(&areas, ',');
        sb_adds(&areas, r->admin1_code);
    }
    for (size_t v = 0; v < area_votes.n; v++) {
        if (area_votes.v[v].votes < AREA_VOTES) continue;
        if (areas.len) sb_addch(&areas, ',');
        sb_adds(&areas, area_votes.v[v].key);
    }
    vote_release(&countries);
    vote_release(&area_votes);

    /* second pass: with the country, the areas and the centroid as hints */
    q.country = doc_country[0] ? doc_country : NULL;
    q.areas = areas.len ? areas.buf : NULL;
    if (n_pts) {
        q.has_near = 1;
        q.near.lat_deg = lat_sum / n_pts;
        q.near.lon_deg = lon_sum / n_pts;
    }
    for (size_t i = 0; i < dm.n; i++) {
        if (!dm.d[i].n1) continue;
        /* a country's own name is that country in any story: the story's
         * country must not make "China" a town in Maine */
        if ((is_country(&dm.d[i].r1[0]) && dm.d[i].r1[0].quality >= 0.95) || spans[dm.d[i].first_span].demonym) {
            memcpy(dm.d[i].r2, dm.d[i].r1, sizeof(dm.d[i].r2));
            dm.d[i].n2 = dm.d[i].n1;
            continue;
        }
        const span *sp = &spans[dm.d[i].first_span];
        char *name_text = xstrndup(text + tk[sp->first].start, tk[sp->last].end + sp->dot - tk[sp->first].start);
        int n = gaz_resolve(g, name_text, &q, dm.d[i].r2, N_RESOLVE, NULL);
        dm.d[i].n2 = n < 0 ? 0 : n;
        free(name_text);
        world_capital_first(&dm.d[i], areas.buf);
    }

    gaz_result nest_area;    /* the area a nesting chose for the span nest_for */
    size_t nest_for = SIZE_MAX;
    for (size_t k = 0; k < n_spans; k++) {
        const span *sp = &spans[k];
        const distinct *d = &dm.d[sp->d];
        ALLOC_GROW(out->m, out->n + 1, out->alloc);
        gp_mention *m = &out->m[out->n++];
        memset(m, 0, sizeof(*m));
        m->start = tk[sp->first].start;
        m->end = tk[sp->last].end + sp->dot;
        m->sentence = (int)tk[sp->first].sentence;
        m->text = xstrndup(text + m->start, m->end - m->start);
        m->qualifier = sp->qualifier;
        spans[k].qualifier = NULL;
        m->kind = sp->demonym ? GP_KIND_DEMONYM : GP_KIND_NAME;
        m->dateline = sp->dateline;
        m->reported = sp->unknown;
        if (!d->n2) continue;
        const gaz_result *r = &d->r2[0];
        /* "Georgia" after "Atlanta, ": the area the place before it lies in */
        if (nest_for == k) r = &nest_area;
        if (sp->demonym) {
            m->reported = m->resolved = 1;
            m->place = *r;
            m->confidence = 0.9;
            continue;
        }
        /* "Alvin, Texas", "Vancouver, B.C.": the area named right after it */
        gaz_result nested;
        if (k + 1 < n_spans && !(is_country(r) && r->quality >= 0.95) && /* "Russia, U.S. officials" is a list */
            nested_in_next(g, text, tk, sp, &spans[k + 1], &dm.d[spans[k + 1].d], &q, &nested, &nest_area)) {
            r = &nested;
            nest_for = k + 1;
        }
        /* a reading that only resembles the name, or an obscure place far
         * from the story with no cue word to vouch for it */
        if (r->quality < MIN_QUALITY || r->score < MIN_SCORE) continue;
        if (sp->acronym && !is_country(r)) continue;
        /* a name one letter off a place's ("Sears", "Soars") is a place only after a cue word */
        if (r->match == GAZ_MATCH_FUZZY && r->quality < FUZZY_UNCUED && !sp->cue) continue;
        if (sp->trailing && !is_big_place(r)) continue;
        /* "Metcalfe County" is not the town of Metcalfe: a place-shaped name
         * resolves only to a place of that whole name */
        if (sp->unknown && r->quality < 0.99) continue;
        if (!sp->cue && doc_country[0] && strcmp(r->country, doc_country) && !is_country(r) &&
            (r->score < FOREIGN_MIN || r->match == GAZ_MATCH_FUZZY || sp->unknown))
            continue;
        /* "Ky." names Kentucky; the bare word "Ky" does not */
        size_t ml = r->matched ? strlen(r->matched) : 0;
        if (ml && r->matched[ml - 1] == '.' && text[m->end - 1] != '.' && (m->end >= len || text[m->end] != '.'))
            continue;
        m->reported = m->resolved = 1;
        m->place = *r;
        double conf = r->score;
        if (d->n2 > 1 && r->score - d->r2[1].score < 0.03) conf *= 0.85;
        if (!sp->cue && d->count == 1) conf *= 0.95;
        m->confidence = conf > 1 ? 1 : conf;
    }

cleanup:
    sb_release(&areas);
    for (size_t i = 0; i < n_spans; i++) free(spans[i].qualifier);
    free(spans);
    for (size_t i = 0; i < dm.n; i++) free(dm.d[i].folded);
    free(dm.d);
    free(dm.slot);
    for (size_t i = 0; i < lower_words.n; i++) free(lower_words.d[i].folded);
    free(lower_words.d);
    free(lower_words.slot);
    for (size_t i = 0; i < people.n; i++) free(people.d[i].folded);
    free(people.d);
    free(people.slot);
    free(tl.t);
    sb_release(&w);
    sb_release(&fold);
    sb_release(&key);
    return rc;
}
