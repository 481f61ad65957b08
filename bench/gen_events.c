/*
 * gen_events.c - a synthetic ACLED-style CSV for the benchmarks: N events
 * (default 1,000,000) with ACLED's export columns, clustered around real
 * places in Syria (most), Iraq, Yemen, Lebanon and Turkey, dated 2017-2025
 * and listed newest first as ACLED's exports are.  The content is made to
 * look like ACLED's: its event and sub-event types, actor names and
 * interaction codes, notes that hold commas and doubled quotes (so fields
 * need RFC 4180 quoting), fatalities mostly 0 with a long tail to 50.
 *
 *   gen_events [-n N] [--seed S] [-o FILE]     (stdout without -o)
 *   gen_events --points N [--seed S] [-o FILE]
 *   gen_events [-n N] [--seed S] --places CITIES.txt ADMIN1.json COUNTRIES.tsv
 *              [--distinct D] [-o FILE]
 *   gen_events --version | --places-version
 *
 * --points writes N query centres instead, one "LAT,LON" a line, drawn as the
 * events are (same countries and places, same weights) but spread wider
 * (about 30 km), so that radius queries land where the events are dense and
 * where they thin out; bench/run_events.sh gives the same centres to eventmap
 * and to PostGIS.
 *
 * --places writes the same events with no coordinates and D distinct place
 * strings in their location, admin1 and country cells (see "place strings"
 * below), for timing the import's geocoding against the located import.
 *
 * The output is a function of N and the seed only, byte for byte, on every
 * machine: its own PRNG (splitmix64 seeding xoshiro256**), integer
 * arithmetic throughout (coordinates in 1e-4 degrees, no libm), no locale.
 * Change GEN_VERSION whenever the output changes, so that bench/run_events.sh
 * knows to make its cached file again.
 *
 * Town coordinates are GeoNames cities1000 (CC BY 4.0), or the well-known
 * position for the few it lacks; names are spelt as ACLED spells them.  Half
 * the events happen in made-up villages within about 30 km of a town (kept
 * off the sea), so that a map of them looks like a conflict map rather than
 * a few hundred dots.  Not a test fixture: a load.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#define GEN_VERSION "gen_events 2"
#define DEFAULT_N 1000000
#define DEFAULT_SEED UINT64_C(20250101)

/* ------------------------------------------------------------------ PRNG */

/* 1 with probability pct/100. */
static int chance(int pct)
{
    return (int)below(100) < pct;
}

/* Roughly normal, mean 0, in [-3r, 3r] (sum of three uniforms). */
static int spread(int r)
{
    return between(-r, r) + between(-r, r) + between(-r, r);
}

#define PICK(arr) ((arr)[below((uint32_t)(sizeof(arr) / sizeof((arr)[0])))])

/* ----------------------------------------------------------------- dates */

/* Days since 1970-01-01 <-> civil date (H. Hinnant's algorithms). */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
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

static const char *const MONTHS[] = {"January", "February", "March",     "April",   "May",      "June",
                                     "July",    "August",   "September", "October", "November", "December"};

/* --------------------------------------------------------------- places */

enum { SYR, IRQ, YEM, LBN, TUR, N_COUNTRIES };

typedef struct {
    const char *iso3, *name;
    int iso_num;
    int weight; /* share of events, per mille */
} country;

static const country COUNTRIES[N_COUNTRIES] = {
    [SYR] = {"SYR", "Syria", 760, 700},   [IRQ] = {"IRQ", "Iraq", 368, 100},
    [YEM] = {"YEM", "Yemen", 887, 80},    [LBN] = {"LBN", "Lebanon", 422, 60},
    [TUR] = {"TUR", "Turkey", 792, 60},
};

typedef struct {
    int country;
    const char *admin1, *admin2, *admin3, *location;
    int lat, lon; /* 1e-4 degrees */
    int weight;
} place;

static const place PLACES[] = {
    /* Syria */
    {SYR, "Aleppo", "Jebel Saman", "Jebel Saman", "Aleppo", 362012, 371612, 60},
    {SYR, "Aleppo", "Al Bab", "Al Bab", "Al Bab", 363705, 375157, 40},
    {SYR, "Aleppo", "Al Bab", "Tadaf", "Tadaf", 363481, 375309, 12},
    {SYR, "Aleppo", "Afrin", "Afrin", "Afrin", 365119, 368695, 35},
    {SYR, "Aleppo", "A'zaz", "A'zaz", "Azaz", 365866, 370463, 25},
    {SYR, "Aleppo", "A'zaz", "Tall Refaat", "Tall Refaat", 364723, 370947, 18},
    {SYR, "Aleppo", "A'zaz", "Nobol", "Nobol", 363787, 369929, 6},
    {SYR, "Aleppo", "Menbij", "Menbij", "Menbij", 365282, 379550, 35},
    {SYR, "Aleppo", "Ain Al Arab", "Ain Al Arab", "Ain Al Arab", 368910, 383535, 20},
    {SYR, "Aleppo", "Jarablus", "Jarablus", "Jarablus", 368175, 380111, 15},
    {SYR, "Aleppo", "As-Safira", "As-Safira", "As Safira", 360770, 373725, 8},
    {SYR, "Aleppo", "Jebel Saman", "Atareb", "Al Atareb", 361391, 368250, 20},
    {SYR, "Aleppo", "Jebel Saman", "Dayr Hafir", "Dayr Hafir", 361569, 377078, 6},
    {SYR, "Idleb", "Idleb", "Idleb", "Idleb", 359306, 366339, 45},
    {SYR, "Idleb", "Idleb", "Saraqab", "Saraqab", 358645, 368059, 30},
    {SYR, "Idleb", "Ariha", "Ariha", "Ariha", 358137, 366096, 25},
    {SYR, "Idleb", "Jisr Ash-Shugur", "Jisr Ash-Shugur", "Jisr Ash-Shugur", 358142, 363198, 25},
    {SYR, "Idleb", "Harim", "Dana", "Sarmada", 361797, 367222, 20},
    {SYR, "Idleb", "Harim", "Harim", "Harim", 362118, 365208, 10},
    {SYR, "Idleb", "Idleb", "Maaret Tamsrin", "Maaret Tamsrin", 360115, 366718, 10},
    {SYR, "Idleb", "Maarrat An-Nu'man", "Maarrat An-Nu'man", "Maarrat An-Nu'man", 356483, 366769, 30},
    {SYR, "Idleb", "Maarrat An-Nu'man", "Kafr Nobol", "Kafr Nobol", 356138, 365645, 20},
    {SYR, "Idleb", "Maarrat An-Nu'man", "Khan Shaykun", "Khan Shaykun", 354421, 366510, 15},
    {SYR, "Hama", "Hama", "Hama", "Hama", 351318, 367578, 25},
    {SYR, "Hama", "As-Suqaylabiyah", "As-Suqaylabiyah", "As-Suqaylabiyah", 353667, 363936, 15},
    {SYR, "Hama", "Muhradah", "Muhradah", "Muhradah", 352479, 365725, 8},
    {SYR, "Hama", "Salamiyeh", "Salamiyeh", "Salamiyeh", 350113, 370532, 10},
    {SYR, "Homs", "Homs", "Homs", "Homs", 347268, 367234, 30},
    {SYR, "Homs", "Tadmor", "Tadmor", "Tadmor", 345624, 382840, 20},
    {SYR, "Homs", "Tadmor", "Al Sukhneh", "Al Sukhneh", 348853, 388711, 15},
    {SYR, "Homs", "Tadmor", "Tadmor", "At Tanf", 335100, 386600, 4},
    {SYR, "Homs", "Ar-Rastan", "Ar-Rastan", "Ar-Rastan", 349267, 367324, 8},
    {SYR, "Homs", "Homs", "Al Qaryatayn", "Al Qaryatayn", 342296, 372407, 8},
    {SYR, "Homs", "Al Qusayr", "Al Qusayr", "Al Qusayr", 345078, 365803, 6},
    {SYR, "Homs", "Tall Kalakh", "Tall Kalakh", "Tall Kalakh", 346684, 362600, 4},
    {SYR, "Damascus", "Damascus", "Damascus", "Damascus", 335102, 362913, 35},
    {SYR, "Rural Damascus", "Duma", "Duma", "Duma", 335718, 364027, 20},
    {SYR, "Rural Damascus", "Darayya", "Darayya", "Darayya", 334584, 362326, 8},
    {SYR, "Rural Damascus", "Duma", "Harasta", "Harasta", 335587, 363652, 8},
    {SYR, "Rural Damascus", "Duma", "Ad Dumayr", "Ad Dumayr", 336439, 366938, 6},
    {SYR, "Rural Damascus", "An Nabk", "Yabroud", "Yabroud", 339692, 366573, 4},
    {SYR, "Rural Damascus", "Az-Zabdani", "Az-Zabdani", "Az-Zabdani", 337249, 361005, 5},
    {SYR, "Rural Damascus", "Markaz Rif Dimashq", "Babella", "Sayyida Zeinab", 334444, 363406, 8},
    {SYR, "Rural Damascus", "Markaz Rif Dimashq", "Jaramana", "Jaramana", 334862, 363461, 6},
    {SYR, "Rural Damascus", "Qatana", "Qatana", "Qatana", 334376, 360789, 4},
    {SYR, "Rural Damascus", "Markaz Rif Dimashq", "Kisweh", "Kisweh", 333581, 362419, 4},
    {SYR, "Dar'a", "Dar'a", "Dar'a", "Dar'a", 326189, 361021, 40},
    {SYR, "Dar'a", "Izra'", "Izra'", "Izra'", 328706, 362545, 10},
    {SYR, "Dar'a", "Dar'a", "Mzeireb", "Tafas", 327371, 360665, 15},
    {SYR, "Dar'a", "As-Sanamayn", "As-Sanamayn", "As-Sanamayn", 330719, 361832, 10},
    {SYR, "Dar'a", "Dar'a", "Busra Esh-Sham", "Busra Esh-Sham", 325201, 364826, 6},
    {SYR, "Dar'a", "As-Sanamayn", "Jasim", "Jasim", 329923, 360602, 12},
    {SYR, "Dar'a", "As-Sanamayn", "Nawa", "Nawa", 328904, 360399, 10},
    {SYR, "Dar'a", "As-Sanamayn", "Sheikh Miskine", "Sheikh Miskine", 328294, 361593, 6},
    {SYR, "Quneitra", "Quneitra", "Khan Arnaba", "Khan Arnaba", 331838, 358916, 6},
    {SYR, "Quneitra", "Quneitra", "Quneitra", "Quneitra", 331260, 358246, 4},
    {SYR, "As-Sweida", "As-Sweida", "As-Sweida", "As-Sweida", 327090, 365695, 15},
    {SYR, "As-Sweida", "Shahba", "Shahba", "Shahba", 328551, 366290, 5},
    {SYR, "Lattakia", "Lattakia", "Lattakia", "Lattakia", 355317, 357901, 12},
    {SYR, "Lattakia", "Jablah", "Jablah", "Jablah", 353621, 359276, 6},
    {SYR, "Lattakia", "Al Haffa", "Al Haffa", "Al Haffa", 355982, 360301, 6},
    {SYR, "Lattakia", "Al Qardaha", "Al Qardaha", "Al Qardaha", 354564, 360591, 3},
    {SYR, "Tartous", "Tartous", "Tartous", "Tartous", 348890, 358866, 5},
    {SYR, "Tartous", "Banyas", "Banyas", "Banyas", 351819, 359487, 3},
    {SYR, "Ar-Raqqa", "Ar-Raqqa", "Ar-Raqqa", "Ar-Raqqa", 359528, 390079, 30},
    {SYR, "Ar-Raqqa", "Ath-Thawrah", "Ath-Thawrah", "Ath-Thawrah", 358376, 385483, 12},
    {SYR, "Ar-Raqqa", "Tell Abiad", "Tell Abiad", "Tell Abiad", 366965, 389538, 15},
    {SYR, "Ar-Raqqa", "Tell Abiad", "Ein Issa", "Ein Issa", 363855, 388623, 12},
    {SYR, "Ar-Raqqa", "Ar-Raqqa", "Al Karama", "Al Karama", 358687, 392780, 5},
    {SYR, "Deir ez Zor", "Deir ez Zor", "Deir ez Zor", "Deir-ez-Zor", 353359, 401408, 35},
    {SYR, "Deir ez Zor", "Al Mayadin", "Al Mayadin", "Al Mayadin", 350198, 404515, 25},
    {SYR, "Deir ez Zor", "Al Mayadin", "Thiban", "Thiban", 350150, 405103, 15},
    {SYR, "Deir ez Zor", "Al Mayadin", "Al Busayrah", "Al Busayrah", 351562, 404272, 15},
    {SYR, "Deir ez Zor", "Abu Kamal", "Abu Kamal", "Al Bukamal", 344523, 409185, 20},
    {SYR, "Deir ez Zor", "Abu Kamal", "Hajin", "Hajin", 346951, 408314, 15},
    {SYR, "Al Hasakeh", "Al Hasakeh", "Al Hasakeh", "Al Hasakeh", 365024, 407477, 25},
    {SYR, "Al Hasakeh", "Quamishli", "Quamishli", "Quamishli", 370522, 412314, 15},
    {SYR, "Al Hasakeh", "Ras Al Ain", "Ras Al Ain", "Ras Al Ain", 368503, 400706, 20},
    {SYR, "Al Hasakeh", "Al Hasakeh", "Tal Tamer", "Tal Tamer", 366556, 403708, 15},
    {SYR, "Al Hasakeh", "Al Hasakeh", "Al Hol", "Al Hol", 363904, 411498, 10},
    {SYR, "Al Hasakeh", "Al Hasakeh", "Ash Shadadah", "Ash Shadadah", 360576, 407348, 8},
    {SYR, "Al Hasakeh", "Al Malikeyyeh", "Al Malikeyyeh", "Al Malikeyyeh", 371770, 421401, 4},
    {SYR, "Al Hasakeh", "Quamishli", "Amuda", "Amuda", 371042, 409300, 4},
    {SYR, "Al Hasakeh", "Quamishli", "Tal Hmis", "Tal Hmis", 367568, 413994, 3},
    /* Iraq */
    {IRQ, "Baghdad", "Karkh", "Markaz Al-Karkh", "Baghdad", 333406, 444009, 30},
    {IRQ, "Ninewa", "Mosul", "Markaz Al-Mosul", "Mosul", 363350, 431189, 20},
    {IRQ, "Ninewa", "Sinjar", "Markaz Sinjar", "Sinjar", 363209, 418766, 10},
    {IRQ, "Ninewa", "Telafar", "Markaz Telafar", "Tal Afar", 363791, 424481, 5},
    {IRQ, "Kirkuk", "Kirkuk", "Markaz Kirkuk", "Kirkuk", 354681, 443922, 15},
    {IRQ, "Kirkuk", "Hawiga", "Markaz Al-Hawiga", "Hawija", 353157, 437633, 10},
    {IRQ, "Erbil", "Erbil", "Markaz Erbil", "Erbil", 361833, 440119, 10},
    {IRQ, "Sulaymaniyah", "Sulaymaniyah", "Markaz Sulaymaniyah", "Sulaymaniyah", 355650, 454329, 8},
    {IRQ, "Duhok", "Zakho", "Markaz Zakho", "Zakho", 371487, 426859, 10},
    {IRQ, "Salah al-Din", "Tikrit", "Markaz Tikrit", "Tikrit", 346158, 436786, 10},
    {IRQ, "Salah al-Din", "Samarra", "Markaz Samarra", "Samarra", 341959, 438857, 8},
    {IRQ, "Salah al-Din", "Beygee", "Markaz Beygee", "Baiji", 349292, 434888, 5},
    {IRQ, "Salah al-Din", "Tooz", "Markaz Tooz", "Tuz Khurmatu", 348881, 446326, 6},
    {IRQ, "Diyala", "Baquba", "Markaz Baquba", "Baquba", 337540, 446052, 10},
    {IRQ, "Diyala", "Khanaqin", "Markaz Khanaqin", "Khanaqin", 343482, 453907, 6},
    {IRQ, "Anbar", "Falluja", "Markaz Al-Falluja", "Falluja", 333491, 437860, 6},
    {IRQ, "Anbar", "Ramadi", "Markaz Al-Ramadi", "Ramadi", 334206, 433078, 6},
    {IRQ, "Anbar", "Al-Kaim", "Markaz Al-Kaim", "Al Qaim", 343925, 409895, 5},
    {IRQ, "Basrah", "Basrah", "Markaz Al-Basrah", "Basrah", 305085, 477804, 12},
    {IRQ, "Najaf", "Najaf", "Markaz Al-Najaf", "Najaf", 320259, 443463, 5},
    {IRQ, "Kerbala", "Kerbala", "Markaz Kerbala", "Kerbala", 326160, 440249, 4},
    {IRQ, "Thi-Qar", "Nassriya", "Markaz Al-Nassriya", "Nassriya", 310580, 462573, 8},
    /* Yemen */
    {YEM, "Amanat al Asimah", "Old City", "", "Sanaa", 153547, 442067, 12},
    {YEM, "Aden", "Al Mualla", "", "Aden", 127794, 450367, 10},
    {YEM, "Taizz", "Al Qahirah", "", "Taizz", 135795, 440209, 25},
    {YEM, "Al Hudaydah", "Al Hali", "", "Al Hudaydah", 147978, 429545, 20},
    {YEM, "Al Hudaydah", "Hays", "", "Hays", 139317, 434831, 8},
    {YEM, "Marib", "Marib City", "", "Marib", 154625, 453258, 20},
    {YEM, "Sadah", "Sadah", "", "Sadah", 169402, 437639, 15},
    {YEM, "Al Bayda", "Al Bayda City", "", "Al Bayda", 139852, 455727, 8},
    {YEM, "Shabwah", "Ataq", "", "Ataq", 145377, 468319, 4},
    {YEM, "Hadramawt", "Al Mukalla City", "", "Al Mukalla", 145425, 491242, 3},
    {YEM, "Hajjah", "Hajjah City", "", "Hajjah", 156943, 436058, 6},
    {YEM, "Ad Dali", "Ad Dali", "", "Ad Dali", 136957, 447314, 8},
    {YEM, "Lahij", "Al Hawtah", "", "Lahij", 130567, 448819, 4},
    {YEM, "Abyan", "Zinjibar", "", "Zinjibar", 131287, 453807, 4},
    /* Lebanon */
    {LBN, "Beirut", "Beirut", "Beirut", "Beirut", 338933, 355016, 12},
    {LBN, "South", "Tyre", "Tyre", "Tyre", 332733, 351939, 12},
    {LBN, "South", "Tyre", "Naqoura", "Naqoura", 331181, 351397, 10},
    {LBN, "South", "Saida", "Saida", "Saida", 335575, 353715, 6},
    {LBN, "Nabatieh", "Nabatieh", "Nabatieh", "Nabatieh", 333772, 354836, 10},
    {LBN, "Nabatieh", "Bent Jbeil", "Bent Jbeil", "Bent Jbeil", 331208, 354333, 15},
    {LBN, "Nabatieh", "Marjaayoun", "Khiam", "Khiam", 333286, 356103, 12},
    {LBN, "Baalbek-Hermel", "Baalbek", "Baalbek", "Baalbek", 340058, 362181, 8},
    {LBN, "Baalbek-Hermel", "Hermel", "Hermel", "Hermel", 343942, 363847, 4},
    {LBN, "North", "Tripoli", "Tripoli", "Tripoli", 344335, 358442, 8},
    /* Turkey */
    {TUR, "Sanliurfa", "Akcakale", "", "Akcakale", 367111, 389475, 10},
    {TUR, "Sanliurfa", "Ceylanpinar", "", "Ceylanpinar", 368472, 400500, 8},
    {TUR, "Sanliurfa", "Eyyubiye", "", "Sanliurfa", 371671, 387939, 6},
    {TUR, "Gaziantep", "Sahinbey", "", "Gaziantep", 370594, 373825, 6},
    {TUR, "Kilis", "Kilis", "", "Kilis", 367161, 371150, 8},
    {TUR, "Hatay", "Reyhanli", "", "Reyhanli", 362679, 365675, 6},
    {TUR, "Mardin", "Nusaybin", "", "Nusaybin", 370703, 412147, 8},
    {TUR, "Diyarbakir", "Baglar", "", "Diyarbakir", 379136, 402172, 8},
    {TUR, "Sirnak", "Cizre", "", "Cizre", 373302, 421848, 6},
    {TUR, "Sirnak", "Sirnak", "", "Sirnak", 375139, 424543, 6},
    {TUR, "Hakkari", "Yuksekova", "", "Yuksekova", 375736, 442872, 6},
    {TUR, "Hakkari", "Hakkari", "", "Hakkari", 375744, 437408, 6},
    {TUR, "Istanbul", "Fatih", "", "Istanbul", 410138, 289497, 8},
    {TUR, "Ankara", "Cankaya", "", "Ankara", 399199, 328543, 4},
};
#define N_PLACES (sizeof(PLACES) / sizeof(PLACES[0]))

/* --------------------------------------------------------------- actors */

enum { STATE = 1, REBEL, MILITIA, IDENTITY, RIOTER, PROTESTER, CIVILIAN, EXTERNAL };

typedef struct {
    const char *name;  /* actor1/actor2 as ACLED names it */
    const char *short_; /* how the notes say it */
    int inter;
} actor;

/* The armed actors per country: state forces, rebels, militias, identity
 * militias, and other states' forces (inter 8). */
static const actor SYR_ARMED[] = {
    {"Military Forces of Syria (2000-2024)", "Syrian regime forces", STATE},
    {"Police Forces of Syria (2000-2024)", "regime police", STATE},
    {"HTS: Hayat Tahrir al Sham", "HTS", REBEL},
    {"Islamic State (Syria)", "IS", REBEL},
    {"SNA: Syrian National Army", "the Turkish-backed SNA", REBEL},
    {"SDF: Syrian Democratic Forces", "the SDF", REBEL},
    {"Hurras al Din", "Hurras al Din", REBEL},
    {"NDF: National Defence Forces", "the NDF", MILITIA},
    {"Unidentified Armed Group (Syria)", "unidentified gunmen", MILITIA},
    {"Hezbollah", "Hezbollah", MILITIA},
    {"Al Baggara Tribal Militia (Syria)", "Al Baggara tribesmen", IDENTITY},
    {"Military Forces of Turkey (2016-)", "Turkish forces", EXTERNAL},
    {"Military Forces of Russia (2000-)", "Russian warplanes", EXTERNAL},
    {"Military Forces of Israel (2022-)", "Israeli forces", EXTERNAL},
    {"Military Forces of the United States (2021-)", "US-led coalition forces", EXTERNAL},
};
static const actor SYR_ARMED_2024[] = { /* after 8 December 2024 */
    {"Military Forces of Syria (2024-)", "forces of the transitional government", STATE},
    {"Police Forces of Syria (2024-) General Security Service", "General Security forces", STATE},
    {"Islamic State (Syria)", "IS", REBEL},
    {"SNA: Syrian National Army", "the Turkish-backed SNA", REBEL},
    {"SDF: Syrian Democratic Forces", "the SDF", REBEL},
    {"Unidentified Armed Group (Syria)", "unidentified gunmen", MILITIA},
    {"Former Military Forces of Syria (2000-2024)", "former regime soldiers", MILITIA},
    {"Druze Ethnic Militia (Syria)", "Druze gunmen", IDENTITY},
    {"Military Forces of Israel (2022-)", "Israeli forces", EXTERNAL},
    {"Military Forces of Turkey (2016-)", "Turkish forces", EXTERNAL},
};
static const actor IRQ_ARMED[] = {
    {"Military Forces of Iraq (2022-)", "Iraqi forces", STATE},
    {"Police Forces of Iraq (2022-)", "Iraqi police", STATE},
    {"Islamic State (Iraq)", "IS", REBEL},
    {"PKK: Kurdistan Workers Party", "the PKK", REBEL},
    {"PMF: Popular Mobilization Forces", "the PMF", MILITIA},
    {"Unidentified Armed Group (Iraq)", "unidentified gunmen", MILITIA},
    {"Unidentified Tribal Militia (Iraq)", "tribesmen", IDENTITY},
    {"Military Forces of Turkey (2016-)", "Turkish forces", EXTERNAL},
    {"Military Forces of the United States (2021-)", "US forces", EXTERNAL},
};
static const actor YEM_ARMED[] = {
    {"Military Forces of Yemen (2017-) Houthi", "Houthi forces", STATE},
    {"Military Forces of Yemen (2017-) Hadi", "forces loyal to the Yemeni government", STATE},
    {"STC: Southern Transitional Council", "STC forces", MILITIA},
    {"AQAP: Al Qaeda in the Arabian Peninsula", "AQAP", REBEL},
    {"Giants Brigades", "the Giants Brigades", MILITIA},
    {"Unidentified Armed Group (Yemen)", "unidentified gunmen", MILITIA},
    {"Al Awaliq Tribal Militia (Yemen)", "Al Awaliq tribesmen", IDENTITY},
    {"Military Forces of Saudi Arabia (2015-)", "Saudi-led coalition aircraft", EXTERNAL},
    {"Military Forces of the United States (2021-)", "US forces", EXTERNAL},
};
static const actor LBN_ARMED[] = {
    {"Military Forces of Lebanon (2021-)", "the Lebanese army", STATE},
    {"Hezbollah", "Hezbollah", MILITIA},
    {"Amal Movement", "Amal", MILITIA},
    {"Unidentified Armed Group (Lebanon)", "unidentified gunmen", MILITIA},
    {"Al Jaafar Clan Militia (Lebanon)", "members of the Jaafar clan", IDENTITY},
    {"Military Forces of Israel (2022-)", "Israeli forces", EXTERNAL},
};
static const actor TUR_ARMED[] = {
    {"Military Forces of Turkey (2016-)", "Turkish forces", STATE},
    {"Police Forces of Turkey (2016-)", "Turkish police", STATE},
    {"Gendarmerie of Turkey (2016-)", "gendarmerie", STATE},
    {"PKK: Kurdistan Workers Party", "the PKK", REBEL},
    {"Unidentified Armed Group (Turkey)", "unidentified gunmen", MILITIA},
};

typedef struct {
    const actor *armed;
    size_t n_armed;
    const char *const *sources;
    size_t n_sources;
    const char *const *assoc_civ, *const *assoc_armed;
    size_t n_assoc_civ, n_assoc_armed;
} country_actors;

static const char *const SYR_SOURCES[] = {"Syrian Observatory for Human Rights", "SANA", "Step News Agency",
                                          "North Press Agency", "Enab Baladi", "Deir Ezzor 24", "Hawar News Agency",
                                          "Horan Free League", "Suwayda 24", "Syria Direct", "Ain Al-Furat Network",
                                          "Sound and Picture Organization"};
static const char *const IRQ_SOURCES[] = {"Shafaq News", "Rudaw", "Kurdistan 24", "Iraqi News Agency",
                                          "Alsumaria", "Baghdad Today", "Xinhua"};
static const char *const YEM_SOURCES[] = {"Saba News Agency (Houthi)", "Al Masirah", "Aden al-Ghad", "South24",
                                          "Al Masdar Online", "Yemen Monitor", "Al Ayyam (Yemen)"};
static const char *const LBN_SOURCES[] = {"National News Agency (Lebanon)", "L'Orient-Le Jour", "Al Manar",
                                          "Naharnet", "Times of Israel", "Al Akhbar (Lebanon)"};
static const char *const TUR_SOURCES[] = {"Anadolu Agency", "Bianet", "Mezopotamya Agency", "Hurriyet",
                                          "Turkish Ministry of National Defense", "Firat News Agency"};

static const char *const SYR_ASSOC_CIV[] = {"Women (Syria)", "Children (Syria)", "Kurdish Ethnic Group (Syria)",
                                            "Farmers (Syria)", "Refugees/IDPs (Syria)", "Health Workers (Syria)",
                                            "Druze Religious Group (Syria)", "Alawite Religious Group (Syria)"};
static const char *const SYR_ASSOC_ARMED[] = {"YPG: People's Protection Units", "Sultan Murad Division",
                                              "Jaysh al Izza", "Ahrar al Sham", "Liwa Fatemiyoun",
                                              "Military Forces of Iran (1989-) Islamic Revolutionary Guard Corps",
                                              "Sham Legion"};
static const char *const IRQ_ASSOC_CIV[] = {"Women (Iraq)", "Children (Iraq)", "Yazidi Religious Group (Iraq)",
                                            "Farmers (Iraq)", "Refugees/IDPs (Iraq)"};
static const char *const IRQ_ASSOC_ARMED[] = {"Kataib Hezbollah", "Asaib Ahl al Haq", "Peshmerga",
                                              "YBS: Sinjar Resistance Units"};
static const char *const YEM_ASSOC_CIV[] = {"Women (Yemen)", "Children (Yemen)", "Fishers (Yemen)",
                                            "Refugees/IDPs (Yemen)", "Migrants (Ethiopia)"};
static const char *const YEM_ASSOC_ARMED[] = {"Security Belt Forces", "Islah Party", "Hadrami Elite Forces",
                                              "National Resistance Forces"};
static const char *const LBN_ASSOC_CIV[] = {"Women (Lebanon)", "Children (Lebanon)", "Health Workers (Lebanon)",
                                            "Refugees/IDPs (Syria)", "Journalists (Lebanon)"};
static const char *const LBN_ASSOC_ARMED[] = {"Islamic Resistance in Lebanon", "Hamas Movement",
                                              "Al Jamaa al Islamiya"};
static const char *const TUR_ASSOC_CIV[] = {"Women (Turkey)", "Kurdish Ethnic Group (Turkey)",
                                            "Refugees/IDPs (Syria)", "Labor Group (Turkey)"};
static const char *const TUR_ASSOC_ARMED[] = {"YPG: People's Protection Units", "HPG: People's Defence Forces"};

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
static const country_actors ACTORS[N_COUNTRIES] = {
    [SYR] = {SYR_ARMED, LEN(SYR_ARMED), SYR_SOURCES, LEN(SYR_SOURCES), SYR_ASSOC_CIV, SYR_ASSOC_ARMED,
             LEN(SYR_ASSOC_CIV), LEN(SYR_ASSOC_ARMED)},
    [IRQ] = {IRQ_ARMED, LEN(IRQ_ARMED), IRQ_SOURCES, LEN(IRQ_SOURCES), IRQ_ASSOC_CIV, IRQ_ASSOC_ARMED,
             LEN(IRQ_ASSOC_CIV), LEN(IRQ_ASSOC_ARMED)},
    [YEM] = {YEM_ARMED, LEN(YEM_ARMED), YEM_SOURCES, LEN(YEM_SOURCES), YEM_ASSOC_CIV, YEM_ASSOC_ARMED,
             LEN(YEM_ASSOC_CIV), LEN(YEM_ASSOC_ARMED)},
    [LBN] = {LBN_ARMED, LEN(LBN_ARMED), LBN_SOURCES, LEN(LBN_SOURCES), LBN_ASSOC_CIV, LBN_ASSOC_ARMED,
             LEN(LBN_ASSOC_CIV), LEN(LBN_ASSOC_ARMED)},
    [TUR] = {TUR_ARMED, LEN(TUR_ARMED), TUR_SOURCES, LEN(TUR_SOURCES), TUR_ASSOC_CIV, TUR_ASSOC_ARMED,
             LEN(TUR_ASSOC_CIV), LEN(TUR_ASSOC_ARMED)},
};

static const char *const SOURCE_SCALES[] = {"National", "Subnational", "Local partner-Other", "New media",
                                            "International", "National-International", "Subnational-National",
                                            "Other-New media"};

/* ------------------------------------------------------- event types */

enum { BATTLE, EXPLOSION, VAC, PROTEST, RIOT, STRATEGIC, N_TYPES };
static const char *const TYPE_NAMES[N_TYPES] = {
    "Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
    "Strategic developments"};
static const int TYPE_WEIGHT[N_COUNTRIES][N_TYPES] = { /* per mille */
    [SYR] = {200, 400, 120, 120, 30, 130}, [IRQ] = {120, 250, 120, 330, 50, 130},
    [YEM] = {300, 380, 90, 110, 20, 100},  [LBN] = {60, 560, 40, 200, 40, 100},
    [TUR] = {80, 120, 60, 560, 50, 130},
};

typedef struct {
    const char *name;
    int weight;
    /* Notes: %1 actor1, %2 actor2, %L location, %A admin2, %G a group's name in quotes, %S a slogan or charge in quotes. */
    const char *notes[3];
} sub_type;

static const sub_type BATTLE_SUBS[] = {
    {"Armed clash", 85,
     {"%1 clashed with %2 in %L (%A), using heavy machine guns, mortars and RPGs.",
      "%1 and %2 exchanged fire on the frontline near %L (%A). The clashes lasted for hours, according to local sources.",
      "%1 attacked positions of %2 near %L (%A), in an operation claimed by a group calling itself %G."}},
    {"Government regains territory", 8,
     {"%1 regained control of %L (%A) from %2 after heavy fighting, advancing on the surrounding farms.",
      "%1 recaptured several positions around %L (%A), pushing back %2.", NULL}},
    {"Non-state actor overtakes territory", 7,
     {"%1 took over %L (%A) and the nearby hills after %2 withdrew.",
      "%1 seized checkpoints of %2 in %L (%A), then declared the area a \"military zone\".", NULL}},
};
static const sub_type EXPLOSION_SUBS[] = {
    {"Shelling/artillery/missile attack", 55,
     {"%1 shelled %L (%A) with artillery and rocket launchers, targeting positions of %2.",
      "%1 fired several missiles at %L (%A). Material damage was reported, and %2 responded in kind.",
      "%1 shelled the outskirts of %L (%A), in what it called a response to \"repeated violations\"."}},
    {"Air/drone strike", 30,
     {"%1 carried out an air strike on %L (%A), targeting a site used by %2.",
      "A drone operated by %1 struck a vehicle near %L (%A), reportedly carrying members of %2.",
      "Warplanes of %1 conducted several raids on %L (%A), hitting what the statement called \"terrorist hideouts\"."}},
    {"Remote explosive/landmine/IED", 12,
     {"An IED planted by %1 exploded near %L (%A), targeting a vehicle of %2.",
      "A landmine left by %1 went off in a field near %L (%A), while shepherds were grazing sheep.", NULL}},
    {"Grenade", 2, {"%1 threw a hand grenade at a house in %L (%A), during a dispute with %2.",
                    "%1 threw a hand grenade at a shop in %L (%A), wounding its owner.", NULL}},
    {"Suicide bomb", 1, {"A suicide bomber of %1 blew himself up at a checkpoint of %2 in %L (%A).",
                         "A suicide bomber of %1 blew himself up in a crowded market in %L (%A).", NULL}},
};
static const sub_type VAC_SUBS[] = {
    {"Attack", 70,
     {"%1 shot and killed a civilian in %L (%A), on the road to the market.",
      "%1 attacked a family in their home in %L (%A), accusing them of %S.",
      "%1 stabbed a man to death in %L (%A); the motive is unclear."}},
    {"Abduction/forced disappearance", 25,
     {"%1 abducted a young man from %L (%A) at a checkpoint, and his whereabouts remain unknown.",
      "%1 kidnapped two civilians in %L (%A), demanding a ransom.", NULL}},
    {"Sexual violence", 5, {"%1 sexually assaulted a woman in %L (%A), according to a relative.", NULL, NULL}},
};
static const sub_type PROTEST_SUBS[] = {
    {"Peaceful protest", 88,
     {"Residents of %L (%A) demonstrated against the deterioration of living conditions, the high prices and power cuts.",
      "People in %L (%A) held a sit-in, demanding the release of detainees, under the slogan %S.",
      "Teachers and students protested in %L (%A), calling for unpaid salaries to be paid."}},
    {"Protest with intervention", 10,
     {"%2 dispersed a protest in %L (%A) and arrested several participants, who had chanted %S.", NULL, NULL}},
    {"Excessive force against protesters", 2,
     {"%2 opened fire on protesters in %L (%A), who were demanding the exit of %1.", NULL, NULL}},
};
static const sub_type RIOT_SUBS[] = {
    {"Violent demonstration", 60,
     {"Rioters in %L (%A) burned tyres, blocked roads and threw stones at a government building.",
      "Demonstrators stormed the local council in %L (%A), shouting %S.", NULL}},
    {"Mob violence", 40,
     {"A mob attacked a man in %L (%A), accusing him of theft.",
      "Residents of %L (%A) beat a suspected informant, then handed him over to %2.", NULL}},
};
static const sub_type STRATEGIC_SUBS[] = {
    {"Arrests", 35,
     {"%1 arrested several people in %L (%A) on charges of dealing with %2.",
      "%1 carried out a raid in %L (%A), arresting people wanted for \"terrorism\".", NULL}},
    {"Looting/property destruction", 15,
     {"%1 looted houses and burned crops in %L (%A), after the residents fled.", NULL, NULL}},
    {"Disrupted weapons use", 15,
     {"%1 dismantled an IED planted on the road near %L (%A), found by a patrol.",
      "%1 shot down a drone over %L (%A), reportedly launched by %2.", NULL}},
    {"Change to group/activity", 15,
     {"%1 sent reinforcements, including tanks and troops, to %L (%A).",
      "%1 announced the formation of a new brigade in %L (%A), named %G.", NULL}},
    {"Agreement", 7, {"%1 and %2 agreed on a ceasefire in %L (%A), brokered by tribal notables.", NULL, NULL}},
    {"Headquarters or base established", 5, {"%1 set up a new base near %L (%A), on a hill overlooking the town.", NULL, NULL}},
    {"Non-violent transfer of territory", 3, {"%2 handed over positions in %L (%A) to %1, without fighting.", NULL, NULL}},
    {"Other", 5, {"%1 held a meeting with dignitaries in %L (%A), discussing the security situation.", NULL, NULL}},
};

typedef struct {
    const sub_type *subs;
    size_t n;
} sub_list;
static const sub_list SUBS[N_TYPES] = {
    [BATTLE] = {BATTLE_SUBS, LEN(BATTLE_SUBS)},       [EXPLOSION] = {EXPLOSION_SUBS, LEN(EXPLOSION_SUBS)},
    [VAC] = {VAC_SUBS, LEN(VAC_SUBS)},                [PROTEST] = {PROTEST_SUBS, LEN(PROTEST_SUBS)},
    [RIOT] = {RIOT_SUBS, LEN(RIOT_SUBS)},             [STRATEGIC] = {STRATEGIC_SUBS, LEN(STRATEGIC_SUBS)},
};

/* Names in quotes inside notes: ACLED quotes group names and slogans, and
 * a CSV writer doubles those quotes. */
static const char *const QUOTED_GROUPS[] = {"\"Saraya Ansar al-Sunna\"", "\"Popular Resistance\"",
                                            "\"Sons of the East\"", "\"Freedom Brigade\"",
                                            "\"Saraya Awliya al-Dam\"", "\"Men of Dignity\""};
static const char *const QUOTED_SAYINGS[] = {"\"the people want the fall of the regime\"",
                                             "\"collaborating with the regime\"", "\"dealing with the SDF\"",
                                             "\"no to starvation\"", "\"the martyrs' blood will not be wasted\"",
                                             "\"spying for the coalition\""};

static const char *const CROWD[] = {"crowd size=no report", "crowd size=no report", "crowd size=no report",
                                    "crowd size=dozens",    "crowd size=around 100", "crowd size=hundreds",
                                    "crowd size=around 50", "crowd size=several"};

/* --------------------------------------------------------------- output */

static char *out_buf;
static size_t out_len, out_cap;

static void flush_out(FILE *f)
{
    if (out_len && fwrite(out_buf, 1, out_len, f) != out_len) {
        fprintf(stderr, "gen_events: write error: %s\n", strerror(errno));
        exit(1);
    }
    out_len = 0;
}

static void put(const char *s, size_t n)
{
    if (out_len + n > out_cap) {
        fprintf(stderr, "gen_events: row too long\n");
        exit(1);
    }
    memcpy(out_buf + out_len, s, n);
    out_len += n;
}

static void puts_(const char *s)
{
    put(s, strlen(s));
}

static void putch(char c)
{
    put(&c, 1);
}

static void put_int(long long v)
{
    char tmp[24];
    int n = 0;
    unsigned long long u = v < 0 ? (unsigned long long)(-v) : (unsigned long long)v;
    do tmp[n++] = (char)('0' + u % 10); while ((u /= 10));
    if (v < 0) putch('-');
    while (n) putch(tmp[--n]);
}

/* A value in 1e-4 units as "-12.3456". */
static void put_e4(int v)
{
    if (v < 0) {
        putch('-');
        v = -v;
    }
    put_int(v / 10000);
    char frac[5] = {(char)('0' + v / 1000 % 10), (char)('0' + v / 100 % 10), (char)('0' + v / 10 % 10),
                    (char)('0' + v % 10), 0};
    putch('.');
    put(frac, 4);
}

/* One CSV field, quoted (quotes doubled) when it holds , " or a newline. */
static void put_field(const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        puts_(s);
        return;
    }
    putch('"');
    for (; *s; s++) {
        if (*s == '"') putch('"');
        putch(*s);
    }
    putch('"');
}

/* ---------------------------------------------------------------- rows */

typedef struct {
    int total;
    int cum[N_PLACES];
} place_table;

static place_table TABLES[N_COUNTRIES];

static void build_tables(void)
{
    for (size_t i = 0; i < N_PLACES; i++) {
        place_table *t = &TABLES[PLACES[i].country];
        t->total += PLACES[i].weight;
        t->cum[i] = t->total;
    }
}

/* Villages around each place: ACLED codes most events to the village or
 * hamlet where they happened, so the events of an area are spread over
 * many points, not piled on its town.  Village k of place i is a pure
 * function of (i, k): the same position and name every time.  The names are
 * made up from common Levantine place-name parts. */
#define N_VILLAGES 32
#define VILLAGE_RADIUS 3000 /* 1e-4 degrees: about 33 km */

static const char *const VILLAGE_HEADS[] = {"Kafr", "Tall", "Ain", "Deir", "Khirbet", "Umm", "Jisr", "Beit",
                                            "Qasr", "Arab", "Tal", "Mazraat", "Bir", "Ard"};
static const char *const VILLAGE_TAILS[] = {"Zeitoun", "Hamra", "Sultan", "Ruman", "Nasr", "Bayda", "Salam",
                                            "Abbas", "Nakhl", "Shaykh", "Jamil", "Tin", "Ghazal", "Hajar",
                                            "Sawda", "Jadid", "Kabir", "Saghir", "Ward", "Nahr", "Qamar",
                                            "Sharqi", "Gharbi", "Jurn", "Karm", "Ashiq", "Mahmud", "Hadid"};

typedef struct {
    int lat, lon;
    char name[40];
} village;

/* The sea's side of a coastal place ('W', 'S'), 'X' for a place with no
 * villages, 0 inland: villages stay on land. */
static int coast_of(const place *p)
{
    static const char *const WEST[] = {"Beirut", "Tyre", "Naqoura", "Saida", "Tripoli", "Lattakia",
                                       "Jablah", "Tartous", "Banyas", "Al Hudaydah"};
    static const char *const SOUTH[] = {"Aden", "Al Mukalla", "Zinjibar"};
    for (size_t i = 0; i < LEN(WEST); i++)
        if (!strcmp(p->location, WEST[i])) return 'W';
    for (size_t i = 0; i < LEN(SOUTH); i++)
        if (!strcmp(p->location, SOUTH[i])) return 'S';
    return !strcmp(p->location, "Istanbul") ? 'X' : 0;
}

static void village_of(size_t place_idx, uint32_t k, const place *p, village *v)
{
    uint64_t x = UINT64_C(0x76696C6C616765) ^ ((uint64_t)place_idx << 8 | k);
    int dy, dx;
    do { /* a point in the disc, by rejection */
        uint64_t h = splitmix64(&x);
        dy = (int)(h % (2 * VILLAGE_RADIUS + 1)) - VILLAGE_RADIUS;
        dx = (int)((h >> 24) % (2 * VILLAGE_RADIUS + 1)) - VILLAGE_RADIUS;
    } while ((long long)dx * dx + (long long)dy * dy > (long long)VILLAGE_RADIUS * VILLAGE_RADIUS);
    int coast = coast_of(p);
    if (coast == 'W' && dx < 0) dx = -dx;
    if (coast == 'S' && dy < 0) dy = -dy;
    if (coast == 'X') dx = dy = 0;
    uint64_t h = splitmix64(&x);
    v->lat = p->lat + dy;
    v->lon = p->lon + dx;
    snprintf(v->name, sizeof v->name, "%s %s", VILLAGE_HEADS[h % LEN(VILLAGE_HEADS)],
             VILLAGE_TAILS[(h >> 16) % LEN(VILLAGE_TAILS)]);
}

static const place *pick_place(int c)
{
    const place_table *t = &TABLES[c];
    int r = (int)below((uint32_t)t->total);
    for (size_t i = 0; i < N_PLACES; i++)
        if (PLACES[i].country == c && r < t->cum[i]) return &PLACES[i];
    return NULL; /* not reached */
}

static int pick_weighted(const int *w, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++) total += w[i];
    int r = (int)below((uint32_t)total);
    for (int i = 0; i < n; i++) {
        if (r < w[i]) return i;
        r -= w[i];
    }
    return n - 1;
}

static const sub_type *pick_sub(const sub_list *l)
{
    int w[16];
    for (size_t i = 0; i < l->n; i++) w[i] = l->subs[i].weight;
    return &l->subs[pick_weighted(w, (int)l->n)];
}

/* Fatalities: mostly none; a geometric body and a thin tail up to 50. */
static int pick_fatalities(int type, int sub_idx)
{
    /* percent with none; percent chance of one more, each step */
    static const int P_ZERO[N_TYPES] = {[BATTLE] = 45, [EXPLOSION] = 62, [VAC] = 30, [RIOT] = 93};
    static const int P_MORE[N_TYPES] = {[BATTLE] = 72, [EXPLOSION] = 60, [VAC] = 25, [RIOT] = 20};
    if (type == PROTEST) return sub_idx == 2 ? between(1, 4) : 0;
    if (type == STRATEGIC) return chance(2) ? 1 : 0;
    int p_zero = P_ZERO[type], p_more = P_MORE[type];
    if (chance(p_zero)) return 0;
    if (chance(1)) return between(10, 50);
    int f = 1;
    while (f < 50 && chance(p_more)) f++;
    return f;
}

/* ------------------------------------------------------- place strings */

/* --places: the same events without coordinates, their location cells
 * drawn from a fixed set of distinct place strings as a real event table
 * holds them, so that `eventmap import` geocodes every row.  The strings
 * are made from the gazetteer's own sources (GeoNames cities1000, its
 * admin-1 names, the curated country table): a deterministic choice of
 * towns written "Name", "Name town", "Name village", "Name city",
 * "Name/Alternate" or "Name (Alternate)", with the admin-1 name and the
 * country (its English name, or its ISO code in some strings) in their
 * columns; and a share of invented names the gazetteer cannot know, so that
 * the fallback to the row's admin1 or country is exercised too.  Rows take
 * the strings with a Zipf-like frequency (rank r about 1/r), as a few
 * towns fill most of a real table; every string occurs at least once.
 *
 * The strings and the draws have their own PRNG stream, so that every
 * other column is byte for byte the located file's.  Change PLACES_VERSION
 * whenever this output changes. */
#define PLACES_VERSION "places 1"
#define DEFAULT_DISTINCT 50000
#define INVENTED_PCT 8

typedef struct {
    char *location, *admin1, *country;
    int iso_num; /* ISO 3166-1 numeric, 0 when the table has none */
} place_string;

static place_string *place_strings;
static size_t n_place_strings;
static uint64_t *zipf_cum; /* zipf_cum[r]: the weights of ranks 0..r */
static uint64_t place_rng[4];

/* The place stream takes the PRNG for a while: swap it in, then back. */
static void swap_rng(void)
{
    uint64_t t[4];
    memcpy(t, rng_s, sizeof t);
    memcpy(rng_s, place_rng, sizeof t);
    memcpy(place_rng, t, sizeof t);
}

static char *xstrndup_(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) {
        fputs("gen_events: out of memory\n", stderr);
        exit(1);
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static void *xrealloc_(void *p, size_t n)
{
    if (!(p = realloc(p, n ? n : 1))) {
        fputs("gen_events: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

/* The whole file, NUL-terminated; exits on failure (a bench tool). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "gen_events: %s: cannot open: %s\n", path, strerror(errno));
        exit(1);
    }
    size_t len = 0, cap = 1 << 20;
    char *buf = xrealloc_(NULL, cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0) buf = xrealloc_(buf, cap *= 2);
    }
    if (ferror(f)) {
        fprintf(stderr, "gen_events: %s: read error\n", path);
        exit(1);
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* One GeoNames row, its fields borrowed from the slurped file. */
typedef struct {
    const char *name, *alternates, *cc, *admin1_code;
} city;

static city *read_cities(char *text, size_t *n_out)
{
    city *cities = NULL;
    size_t n = 0, cap = 0;
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        if (end) *end = '\0';
        char *field[19];
        int nf = 0;
        for (char *p = line; nf < 19;) {
            field[nf++] = p;
            char *tab = strchr(p, '\t');
            if (!tab) break;
            *tab = '\0';
            p = tab + 1;
        }
        /* name col 2, alternatenames col 4, country col 9, admin1 col 11 */
        if (nf == 19 && *field[1] && strlen(field[8]) == 2) {
            if (n == cap) cities = xrealloc_(cities, (cap = cap ? 2 * cap : 1 << 17) * sizeof(*cities));
            cities[n++] = (city){field[1], field[3], field[8], field[10]};
        }
        if (!end) break;
        line = end + 1;
    }
    *n_out = n;
    return cities;
}

/* admin1.json, [{"code":"AD.06","name":"..."},...]: code and name pairs,
 * sorted by code.  The file has no escapes in its strings. */
typedef struct {
    const char *code, *name;
} admin1_name;

static int cmp_admin1(const void *a, const void *b)
{
    return strcmp(((const admin1_name *)a)->code, ((const admin1_name *)b)->code);
}

static admin1_name *read_admin1(char *text, size_t *n_out)
{
    admin1_name *names = NULL;
    size_t n = 0, cap = 0;
    char *p = text;
    while ((p = strstr(p, "\"code\":\""))) {
        char *code = p + 8, *code_end = strchr(code, '"');
        char *name = code_end ? strstr(code_end, "\"name\":\"") : NULL;
        char *name_end = name ? strchr(name + 8, '"') : NULL;
        if (!name_end) break;
        *code_end = *name_end = '\0';
        if (n == cap) names = xrealloc_(names, (cap = cap ? 2 * cap : 4096) * sizeof(*names));
        names[n++] = (admin1_name){code, name + 8};
        p = name_end + 1;
    }
    qsort(names, n, sizeof(*names), cmp_admin1);
    *n_out = n;
    return names;
}

static const char *admin1_of(const admin1_name *names, size_t n, const city *c)
{
    char code[32];
    snprintf(code, sizeof code, "%s.%s", c->cc, c->admin1_code);
    admin1_name key = {code, NULL};
    const admin1_name *hit = bsearch(&key, names, n, sizeof(*names), cmp_admin1);
    return hit ? hit->name : "";
}

/* gazetteer/countries.tsv: iso_numeric, iso_alpha2, name, ...; indexed by
 * the code's two letters. */
typedef struct {
    const char *name;
    int iso_num;
} country_name;

static country_name COUNTRY_NAMES[26][26];

static void read_countries(char *text)
{
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        if (end) *end = '\0';
        char *num = line, *cc = strchr(num, '\t'), *name = cc ? strchr(cc + 1, '\t') : NULL;
        char *name_end = name ? strchr(name + 1, '\t') : NULL;
        if (line[0] != '#' && name_end && name - cc == 3 && cc[1] >= 'A' && cc[1] <= 'Z' && cc[2] >= 'A' &&
            cc[2] <= 'Z') {
            *name_end = '\0';
            country_name *cn = &COUNTRY_NAMES[cc[1] - 'A'][cc[2] - 'A'];
            if (!cn->name) *cn = (country_name){name + 1, atoi(num)};
        }
        if (!end) break;
        line = end + 1;
    }
}

static const country_name *country_of(const char *cc)
{
    if (cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z') return NULL;
    const country_name *cn = &COUNTRY_NAMES[cc[0] - 'A'][cc[1] - 'A'];
    return cn->name ? cn : NULL;
}

/* An alternate name a reporter would write beside the name: Latin letters,
 * spaces, hyphens and apostrophes, 3 to 40 bytes, not the name itself.
 * Returns its length, and its start in *alt, or 0 when there is none. */
static size_t pick_alternate(const city *c, const char **alt)
{
    const char *starts[64];
    size_t lens[64], n = 0;
    for (const char *p = c->alternates; *p && n < 64;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        int ok = len >= 3 && len <= 40 && !(strlen(c->name) == len && !memcmp(c->name, p, len));
        for (size_t i = 0; ok && i < len; i++) {
            char ch = p[i];
            ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == ' ' || ch == '-' || ch == '\'';
        }
        if (ok) {
            starts[n] = p;
            lens[n++] = len;
        }
        if (!comma) break;
        p = comma + 1;
    }
    if (!n) return 0;
    uint32_t k = below((uint32_t)n);
    *alt = starts[k];
    return lens[k];
}

/* A name no gazetteer holds, from syllables that rarely make a real one. */
static void invent_name(char *buf, size_t cap)
{
    static const char *const SYLLABLES[] = {"zor", "vex", "qua", "bril", "dax", "umo", "kev", "plin", "yaz", "trob",
                                            "fiq", "gosh", "nurv", "xel", "wab", "jix", "smer", "okk", "lut", "dree"};
    int n = between(3, 4);
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) len += (size_t)snprintf(buf + len, cap - len, "%s", PICK(SYLLABLES));
    buf[0] = (char)(buf[0] - 'a' + 'A');
}

/* An open-addressing set of the strings made so far, by FNV-1a. */
static uint64_t fnv1a(const char *s, uint64_t h)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return (h ^ 0x1f) * UINT64_C(1099511628211);
}

static int place_string_seen(size_t *set, size_t cap, const place_string *ps, size_t idx)
{
    uint64_t h = fnv1a(ps->country, fnv1a(ps->admin1, fnv1a(ps->location, UINT64_C(14695981039346656037))));
    size_t i = (size_t)h & (cap - 1);
    for (; set[i]; i = (i + 1) & (cap - 1)) {
        const place_string *o = &place_strings[set[i] - 1];
        if (!strcmp(o->location, ps->location) && !strcmp(o->admin1, ps->admin1) && !strcmp(o->country, ps->country))
            return 1;
    }
    set[i] = idx + 1;
    return 0;
}

/* The distinct place strings and the Zipf table, from the three files. */
static void build_place_strings(const char *cities_path, const char *admin1_path, const char *countries_path,
                                size_t distinct, uint64_t seed)
{
    size_t n_cities, n_admin1;
    char *cities_text = slurp(cities_path), *admin1_text = slurp(admin1_path), *countries_text = slurp(countries_path);
    city *cities = read_cities(cities_text, &n_cities);
    admin1_name *admin1 = read_admin1(admin1_text, &n_admin1);
    read_countries(countries_text);
    if (n_cities < distinct) {
        fprintf(stderr, "gen_events: %s: %zu places, fewer than --distinct %zu\n", cities_path, n_cities, distinct);
        exit(1);
    }
    uint64_t s = seed ^ UINT64_C(0x706C61636573); /* "places" */
    for (int i = 0; i < 4; i++) place_rng[i] = splitmix64(&s);
    swap_rng();

    /* a deterministic order of the towns, taken one after another */
    uint32_t *order = xrealloc_(NULL, n_cities * sizeof(*order));
    for (size_t i = 0; i < n_cities; i++) order[i] = (uint32_t)i;
    for (size_t i = n_cities - 1; i > 0; i--) {
        uint32_t j = below((uint32_t)(i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    size_t set_cap = 1;
    while (set_cap < 4 * distinct) set_cap *= 2;
    size_t *set = calloc(set_cap, sizeof(*set));
    place_strings = xrealloc_(NULL, distinct * sizeof(*place_strings));
    size_t next_city = 0;
    while (n_place_strings < distinct && next_city < n_cities) {
        place_string *ps = &place_strings[n_place_strings];
        char location[160];
        const city *c;
        if (chance(INVENTED_PCT)) {
            /* an unknown place in a real town's admin-1 area */
            c = &cities[order[below((uint32_t)n_cities)]];
            invent_name(location, sizeof location);
            int kind = (int)below(100);
            if (kind < 20) snprintf(location + strlen(location), sizeof location - strlen(location), " village");
        } else {
            c = &cities[order[next_city++]];
            const char *alt = NULL;
            size_t alt_len = 0;
            int form = (int)below(100);
            if (form >= 85) alt_len = pick_alternate(c, &alt);
            if (form < 60 || (form >= 85 && !alt_len))
                snprintf(location, sizeof location, "%s", c->name);
            else if (form < 72)
                snprintf(location, sizeof location, "%s town", c->name);
            else if (form < 82)
                snprintf(location, sizeof location, "%s village", c->name);
            else if (form < 85)
                snprintf(location, sizeof location, "%s city", c->name);
            else if (form < 95)
                snprintf(location, sizeof location, "%s/%.*s", c->name, (int)alt_len, alt);
            else
                snprintf(location, sizeof location, "%s (%.*s)", c->name, (int)alt_len, alt);
        }
        const country_name *cn = country_of(c->cc);
        ps->location = xstrndup_(location, strlen(location));
        const char *a1 = admin1_of(admin1, n_admin1, c);
        ps->admin1 = xstrndup_(a1, strlen(a1));
        /* most tables write the country's name, some its code */
        const char *country_text = cn && !chance(15) ? cn->name : c->cc;
        ps->country = xstrndup_(country_text, strlen(country_text));
        ps->iso_num = cn ? cn->iso_num : 0;
        if (place_string_seen(set, set_cap, ps, n_place_strings)) {
            free(ps->location);
            free(ps->admin1);
            free(ps->country);
            continue;
        }
        n_place_strings++;
    }
    /* rank r weighs about 1/(r + 1) */
    zipf_cum = xrealloc_(NULL, n_place_strings * sizeof(*zipf_cum));
    uint64_t total = 0;
    for (size_t r = 0; r < n_place_strings; r++) zipf_cum[r] = total += (UINT64_C(1) << 40) / (r + 1);
    swap_rng();
    free(set);
    free(order);
    free(cities);
    free(admin1);
    free(cities_text);
    free(admin1_text);
    /* COUNTRY_NAMES borrows countries_text until the program ends */
}

/* The place string of row idx of n: every string once, at evenly spaced
 * rows, the other rows by Zipf rank. */
static const place_string *place_string_of(long idx, long n)
{
    long stride = n / (long)n_place_strings;
    if (stride > 0 && idx % stride == 0 && idx / stride < (long)n_place_strings)
        return &place_strings[idx / stride];
    swap_rng();
    uint64_t u = next64() % zipf_cum[n_place_strings - 1];
    swap_rng();
    size_t lo = 0, hi = n_place_strings - 1;
    while (lo < hi) { /* the first rank whose cumulative weight exceeds u */
        size_t mid = lo + (hi - lo) / 2;
        if (zipf_cum[mid] > u) hi = mid;
        else lo = mid + 1;
    }
    return &place_strings[lo];
}

/* The template with %1 %2 %L %A %G %S filled in, into buf. */
static void expand(char *buf, size_t cap, const char *tpl, const char *a1, const char *a2, const place *p)
{
    size_t n = 0;
    for (const char *s = tpl; *s && n + 1 < cap; s++) {
        const char *ins = NULL;
        if (s[0] == '%' && s[1]) {
            switch (s[1]) {
            case '1': ins = a1; break;
            case '2': ins = a2; break;
            case 'L': ins = p->location; break;
            case 'A': ins = p->admin2; break;
            case 'G': ins = PICK(QUOTED_GROUPS); break;
            case 'S': ins = PICK(QUOTED_SAYINGS); break;
            }
        }
        if (ins) {
            s++;
            size_t k = strlen(ins);
            if (n + k >= cap) k = cap - 1 - n;
            memcpy(buf + n, ins, k);
            n += k;
        } else {
            buf[n++] = *s;
        }
    }
    buf[n] = '\0';
}

static const actor *pick_armed(const country_actors *ca, int c, int32_t day, int32_t new_era)
{
    if (c == SYR && day >= new_era) return &PICK(SYR_ARMED_2024);
    return &ca->armed[below((uint32_t)ca->n_armed)];
}

static void write_row(FILE *f, long idx, long n, int32_t first_day, int32_t last_day)
{
    static const int COUNTRY_W[N_COUNTRIES] = {700, 100, 80, 60, 60};
    const int32_t SYR_NEW_ERA = days_from_civil(2024, 12, 8); /* the transitional government */
    /* Newest first, as ACLED exports are. */
    int32_t span = last_day - first_day + 1;
    int32_t day = last_day - (int32_t)((long long)idx * span / n);
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    char date[32];
    snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);

    int c = pick_weighted(COUNTRY_W, N_COUNTRIES);
    const country *co = &COUNTRIES[c];
    const country_actors *ca = &ACTORS[c];
    /* Half the events in a town, half in the villages around it. */
    const place *town = pick_place(c);
    place at = *town;
    village v;
    if (chance(50) && coast_of(town) != 'X') {
        village_of((size_t)(town - PLACES), below(N_VILLAGES), town, &v);
        at.location = v.name;
        at.lat = v.lat;
        at.lon = v.lon;
    }
    const place *p = &at;
    int type = pick_weighted(TYPE_WEIGHT[c], N_TYPES);
    const sub_type *sub = pick_sub(&SUBS[type]);
    int sub_idx = (int)(sub - SUBS[type].subs);

    char actor1[96], actor2[96], assoc1[160] = "", assoc2[160] = "", s1[96], s2[96];
    int inter1, inter2 = 0;
    actor2[0] = '\0';
    snprintf(s2, sizeof s2, "%s", "local residents");
    const char *disorder = "Political violence";
    const char *civ_target = "";
    const char *tags = "";
    const actor *a = pick_armed(ca, c, day, SYR_NEW_ERA), *b;

    switch (type) {
    case BATTLE:
        do b = pick_armed(ca, c, day, SYR_NEW_ERA); while (b == a);
        snprintf(actor1, sizeof actor1, "%s", a->name);
        snprintf(actor2, sizeof actor2, "%s", b->name);
        snprintf(s1, sizeof s1, "%s", a->short_);
        snprintf(s2, sizeof s2, "%s", b->short_);
        inter1 = a->inter;
        inter2 = b->inter;
        break;
    case EXPLOSION:
        snprintf(actor1, sizeof actor1, "%s", a->name);
        snprintf(s1, sizeof s1, "%s", a->short_);
        inter1 = a->inter;
        if (chance(30)) {
            snprintf(actor2, sizeof actor2, "Civilians (%s)", co->name);
            snprintf(s2, sizeof s2, "%s", "civilians");
            inter2 = CIVILIAN;
            civ_target = "Civilian targeting";
        } else if (chance(75)) {
            do b = pick_armed(ca, c, day, SYR_NEW_ERA); while (b == a);
            snprintf(actor2, sizeof actor2, "%s", b->name);
            snprintf(s2, sizeof s2, "%s", b->short_);
            inter2 = b->inter;
        }
        break;
    case VAC:
        snprintf(actor1, sizeof actor1, "%s", a->name);
        snprintf(s1, sizeof s1, "%s", a->short_);
        inter1 = a->inter;
        snprintf(actor2, sizeof actor2, "Civilians (%s)", co->name);
        snprintf(s2, sizeof s2, "%s", "civilians");
        inter2 = CIVILIAN;
        civ_target = "Civilian targeting";
        if (chance(40)) snprintf(assoc2, sizeof assoc2, "%s", ca->assoc_civ[below((uint32_t)ca->n_assoc_civ)]);
        if (chance(8))
            snprintf(assoc2 + strlen(assoc2), sizeof assoc2 - strlen(assoc2), "%s%s", assoc2[0] ? "; " : "",
                     ca->assoc_civ[below((uint32_t)ca->n_assoc_civ)]);
        break;
    case PROTEST:
        disorder = sub_idx == 2 ? "Political violence; Demonstrations" : "Demonstrations";
        snprintf(actor1, sizeof actor1, "Protesters (%s)", co->name);
        snprintf(s1, sizeof s1, "%s", a->short_);
        inter1 = PROTESTER;
        if (chance(35)) snprintf(assoc1, sizeof assoc1, "%s", ca->assoc_civ[below((uint32_t)ca->n_assoc_civ)]);
        if (sub_idx > 0) { /* intervention: police or army */
            const actor *st = &ca->armed[0];
            snprintf(actor2, sizeof actor2, "%s", st->name);
            snprintf(s2, sizeof s2, "%s", st->short_);
            inter2 = st->inter;
        }
        if (sub_idx == 2) civ_target = "Civilian targeting";
        tags = PICK(CROWD);
        break;
    case RIOT:
        disorder = sub_idx == 0 ? "Demonstrations" : "Political violence";
        snprintf(actor1, sizeof actor1, "Rioters (%s)", co->name);
        snprintf(s1, sizeof s1, "%s", "rioters");
        inter1 = RIOTER;
        if (sub_idx == 1) {
            snprintf(actor2, sizeof actor2, "Civilians (%s)", co->name);
            snprintf(s2, sizeof s2, "%s", a->short_);
            inter2 = CIVILIAN;
            civ_target = "Civilian targeting";
        }
        if (sub_idx == 0) tags = PICK(CROWD);
        break;
    default: /* STRATEGIC */
        disorder = "Strategic developments";
        snprintf(actor1, sizeof actor1, "%s", a->name);
        snprintf(s1, sizeof s1, "%s", a->short_);
        inter1 = a->inter;
        if (chance(40) || !strcmp(sub->name, "Agreement") || !strcmp(sub->name, "Non-violent transfer of territory")) {
            do b = pick_armed(ca, c, day, SYR_NEW_ERA); while (b == a);
            snprintf(actor2, sizeof actor2, "%s", b->name);
            snprintf(s2, sizeof s2, "%s", b->short_);
            inter2 = b->inter;
        }
        break;
    }
    if (inter1 != PROTESTER && inter1 != RIOTER && chance(20))
        snprintf(assoc1, sizeof assoc1, "%s", ca->assoc_armed[below((uint32_t)ca->n_assoc_armed)]);
    int lo = inter1 < inter2 || !inter2 ? inter1 : inter2, hi = inter1 < inter2 ? inter2 : inter1;
    int interaction = inter2 ? lo * 10 + hi : inter1 * 10;

    /* Where: mostly the town itself, some "near" a town, a few the area. */
    int geo_precision = chance(72) ? 1 : chance(85) ? 2 : 3;
    int jitter = geo_precision == 1 ? 30 : geo_precision == 2 ? 300 : 900;
    int lat = p->lat + spread(jitter), lon = p->lon + spread(jitter);
    int time_precision = chance(92) ? 1 : chance(80) ? 2 : 3;
    int fatalities = pick_fatalities(type, sub_idx);

    /* Notes: "On 15 March 2024, ..." plus how many died. */
    /* A template that names actor2 only when actor2 is an armed party. */
    char body[512], notes[768];
    const char *usable[4];
    int n_tpl = 0;
    int armed2 = inter2 && inter2 != CIVILIAN;
    for (int k = 0; k < 3 && sub->notes[k]; k++)
        if (armed2 || type == PROTEST || type == RIOT || !strstr(sub->notes[k], "%2")) usable[n_tpl++] = sub->notes[k];
    if (!armed2 && (type == EXPLOSION || type == STRATEGIC))
        usable[n_tpl++] = type == EXPLOSION ? "%1 shelled residential neighbourhoods of %L (%A), damaging houses and a school."
                                            : "%1 set up checkpoints in %L (%A), searching cars and houses.";
    const char *tpl = usable[below((uint32_t)n_tpl)];
    if (strchr(tpl, '"') || strstr(tpl, "%G") || strstr(tpl, "%S"))
        if (chance(75)) /* quotes in about one note in ten */
            for (int k = 0; k < n_tpl; k++)
                if (!strchr(usable[k], '"') && !strstr(usable[k], "%G") && !strstr(usable[k], "%S")) tpl = usable[k];
    expand(body, sizeof body, tpl, s1, s2, p);
    if (tpl[0] >= 'A' && tpl[0] <= 'Z') body[0] = (char)(body[0] - 'A' + 'a'); /* "On 1 May 2024, a drone ..." */
    const char *tail = fatalities == 0 ? (chance(50) ? " No casualties reported." : "")
                       : fatalities == 1 ? " 1 fatality."
                                         : NULL;
    char tailbuf[64];
    if (!tail) {
        snprintf(tailbuf, sizeof tailbuf, " %d fatalities%s.", fatalities,
                 chance(30) ? ", including fighters and civilians" : "");
        tail = tailbuf;
    }
    char when[48], size[48] = "";
    if (time_precision == 1)
        snprintf(when, sizeof when, "On %d %s %d", d, MONTHS[m - 1], y);
    else if (time_precision == 2)
        snprintf(when, sizeof when, "Around %d %s %d", d, MONTHS[m - 1], y);
    else
        snprintf(when, sizeof when, "In %s %d", MONTHS[m - 1], y);
    if (type == PROTEST) snprintf(size, sizeof size, " [size=%s]", tags + strlen("crowd size="));
    snprintf(notes, sizeof notes, "%s, %s%s%s", when, body, tail, size);

    char source[160];
    const char *src1 = ca->sources[below((uint32_t)ca->n_sources)];
    if (chance(25)) {
        const char *src2 = ca->sources[below((uint32_t)ca->n_sources)];
        snprintf(source, sizeof source, "%s%s%s", src1, src2 != src1 ? "; " : "", src2 != src1 ? src2 : "");
    } else {
        snprintf(source, sizeof source, "%s", src1);
    }
    /* Last update: a few days to weeks after the event, before the export. */
    long long timestamp = (long long)day * 86400 + (long long)between(2, 40) * 86400 + between(0, 86399);
    if (timestamp > 1768435200LL) timestamp = 1768435200LL - between(0, 86400 * 10); /* 2026-01-15 */

    /* event_id_cnty,event_date,year,time_precision,disorder_type,event_type,
     * sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,
     * interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,
     * location,latitude,longitude,geo_precision,source,source_scale,notes,
     * fatalities,tags,timestamp */
    puts_(co->iso3);
    put_int(n - idx + 1000);
    putch(',');
    puts_(date);
    putch(',');
    put_int(y);
    putch(',');
    put_int(time_precision);
    putch(',');
    put_field(disorder);
    putch(',');
    put_field(TYPE_NAMES[type]);
    putch(',');
    put_field(sub->name);
    putch(',');
    put_field(actor1);
    putch(',');
    put_field(assoc1);
    putch(',');
    put_int(inter1);
    putch(',');
    put_field(actor2);
    putch(',');
    put_field(assoc2);
    putch(',');
    put_int(inter2);
    putch(',');
    put_int(interaction);
    putch(',');
    put_field(civ_target);
    putch(',');
    if (n_place_strings) {
        /* --places: a place string and no coordinates */
        const place_string *ps = place_string_of(idx, n);
        if (ps->iso_num) put_int(ps->iso_num);
        putch(',');
        puts_("Middle East,");
        put_field(ps->country);
        putch(',');
        put_field(ps->admin1);
        puts_(",,,");
        put_field(ps->location);
        puts_(",,,");
    } else {
        put_int(co->iso_num);
        putch(',');
        puts_("Middle East,");
        put_field(co->name);
        putch(',');
        put_field(p->admin1);
        putch(',');
        put_field(p->admin2);
        putch(',');
        put_field(p->admin3);
        putch(',');
        put_field(p->location);
        putch(',');
        put_e4(lat);
        putch(',');
        put_e4(lon);
        putch(',');
    }
    put_int(geo_precision);
    putch(',');
    put_field(source);
    putch(',');
    put_field(PICK(SOURCE_SCALES));
    putch(',');
    put_field(notes);
    putch(',');
    put_int(fatalities);
    putch(',');
    put_field(tags);
    putch(',');
    put_int(timestamp);
    putch('\n');
    if (out_len > out_cap / 2) flush_out(f);
}

/* A query centre near where the events are. */
static void write_point(FILE *f)
{
    static const int COUNTRY_W[N_COUNTRIES] = {700, 100, 80, 60, 60};
    const place *p = pick_place(pick_weighted(COUNTRY_W, N_COUNTRIES));
    put_e4(p->lat + spread(3000));
    putch(',');
    put_e4(p->lon + spread(3000));
    putch('\n');
    if (out_len > out_cap / 2) flush_out(f);
}

static const char HEADER[] =
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,"
    "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,"
    "notes,fatalities,tags,timestamp\n";

static void usage(FILE *f)
{
    fprintf(f, "usage: gen_events [-n N] [--seed S] [-o FILE]\n"
               "       gen_events [-n N] [--seed S] --places CITIES.txt ADMIN1.json COUNTRIES.tsv\n"
               "                  [--distinct D] [-o FILE]\n"
               "       gen_events --points N [--seed S] [-o FILE]\n"
               "       gen_events --version | --places-version\n"
               "Writes N (default %d) synthetic ACLED-style events as CSV to FILE or stdout;\n"
               "the same N and seed give the same bytes on every machine.  With --places,\n"
               "the same events without coordinates, their places D (default %d) distinct\n"
               "strings made from GeoNames cities1000, its admin-1 names and a country table.\n",
            DEFAULT_N, DEFAULT_DISTINCT);
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *s == '-' || *end || errno) return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t n = DEFAULT_N, seed = DEFAULT_SEED, distinct = DEFAULT_DISTINCT;
    int points = 0;
    const char *path = NULL, *places[3] = {NULL, NULL, NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--version")) {
            puts(GEN_VERSION);
            return 0;
        } else if (!strcmp(a, "--places-version")) {
            puts(GEN_VERSION " " PLACES_VERSION);
            return 0;
        } else if (!strcmp(a, "--places") && i + 3 < argc) {
            for (int k = 0; k < 3; k++) places[k] = argv[++i];
        } else if (!strcmp(a, "--distinct") && i + 1 < argc) {
            if (parse_u64(argv[++i], &distinct) || distinct < 1 || distinct > 10000000) {
                fprintf(stderr, "gen_events: --distinct: expected a count from 1 to 10000000, got \"%s\"\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if ((!strcmp(a, "-n") || !strcmp(a, "--count") || !strcmp(a, "--points")) && i + 1 < argc) {
            points = !strcmp(a, "--points");
            if (parse_u64(argv[++i], &n) || n > 100000000) {
                fprintf(stderr, "gen_events: -n: expected a count up to 100000000, got \"%s\"\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--seed") && i + 1 < argc) {
            if (parse_u64(argv[++i], &seed)) {
                fprintf(stderr, "gen_events: --seed: expected a non-negative integer, got \"%s\"\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "-o") && i + 1 < argc) {
            path = argv[++i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    FILE *f = stdout;
    if (path && strcmp(path, "-") && !(f = fopen(path, "wb"))) {
        fprintf(stderr, "gen_events: %s: cannot open: %s\n", path, strerror(errno));
        return 1;
    }
    /* The centres come from their own stream, not the events' first draws. */
    seed_rng(points ? seed ^ UINT64_C(0x706F696E7473) : seed);
    build_tables();
    if (places[0] && !points) build_place_strings(places[0], places[1], places[2], (size_t)distinct, seed);
    out_cap = 1 << 20;
    out_buf = malloc(out_cap);
    if (!out_buf) return 1;

    if (points) {
        for (uint64_t i = 0; i < n; i++) write_point(f);
    } else {
        int32_t first_day = days_from_civil(2017, 1, 1), last_day = days_from_civil(2025, 12, 31);
        puts_(HEADER);
        for (uint64_t i = 0; i < n; i++) write_row(f, (long)i, (long)n, first_day, last_day);
    }
    flush_out(f);
    if (fflush(f) || ferror(f) || (f != stdout && fclose(f))) {
        fprintf(stderr, "gen_events: %s: write error: %s\n", path ? path : "stdout", strerror(errno));
        return 1;
    }
    free(out_buf);
    return 0;
}
