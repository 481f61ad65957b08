#!/bin/sh
# bench/eval.sh - `make eval`: geocoding of a real event table, the way a
# user meets it.  UCDP GED's rows (../shared/eval/ucdp/, README there) are
# written as a plain spreadsheet table without coordinates (id, event_date,
# event_type, location, admin1, admin2, country), imported by the real CLI
# with the default gazetteer, exported as CSV, and scored against UCDP's own
# coordinates by build/eval_ucdp (bench/eval_ucdp.c).  Then geoparsing:
# TR-News's articles (EVAL_GEOPARSE, ../shared/eval/geoparse/, README
# there), one `eventmap geoparse` per article text, scored against its gold
# toponyms by build/eval_geoparse (bench/eval_geoparse.c), and our own
# Syrian passages as the test suite's geoparse-eval suite prints them.  Then
# the spelling tables' scores, as the test suite's spellings suite prints
# them.  A measurement, not a test: it fails only when a step cannot run; a
# corpus that cannot be read is reported as not measured.
#
#   [EVAL_GEOPARSE=TR-News.xml] sh bench/eval.sh UCDP.csv EVENTMAP SCORER TEST_RUNNER GEOPARSE_SCORER
set -eu
cd "$(dirname "$0")/.."

if [ $# -ne 5 ]; then
    echo "usage: sh bench/eval.sh UCDP.csv EVENTMAP SCORER TEST_RUNNER GEOPARSE_SCORER" >&2
    exit 2
fi
UCDP=$1 BIN=$2 SCORER=$3 RUNNER=$4 GEOPARSE_SCORER=$5
TRNEWS=${EVAL_GEOPARSE:-../shared/eval/geoparse/TR-News.xml}
GAZ=${EVENTMAP_GAZETTEER:-.cache/gazetteer.idx}

if [ ! -r "$UCDP" ]; then
    echo "make eval: cannot read the UCDP GED table '$UCDP'" >&2
    echo "  (it is kept outside the repository; point EVAL_UCDP=PATH at a UCDP GED CSV)" >&2
    exit 1
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# suite_scores SUITE PATTERN: run one suite of the test runner and print its
# score lines (those of its stderr matching PATTERN); a suite that prints
# none fails the run, one under its own threshold is shown, not fatal.
suite_scores() {
    status=0
    CK_RUN_SUITE=$1 "$RUNNER" > "$TMP/$1.out" 2> "$TMP/$1.err" || status=$?
    if ! grep "$2" "$TMP/$1.err"; then
        cat "$TMP/$1.out" "$TMP/$1.err" >&2
        echo "make eval: the $1 suite printed no scores" >&2
        exit 1
    fi
    if [ "$status" -ne 0 ]; then
        # under the suite's threshold: shown, the figures above stand
        tail -n 1 "$TMP/$1.out"
    fi
}

echo "== geocoding UCDP GED's rows from their place columns ($UCDP)"
"$SCORER" plain "$UCDP" > "$TMP/plain.csv"
if ! "$BIN" import "$TMP/plain.csv" --db "$TMP/eval.db" --format csv > "$TMP/import.log" 2>&1; then
    cat "$TMP/import.log" >&2
    echo "make eval: eventmap import failed on the plain table" >&2
    exit 1
fi
grep -E '^(read|geocoded) [0-9]' "$TMP/import.log" | sed 's/^/eventmap import: /'
if ! "$BIN" export --db "$TMP/eval.db" --format csv -o "$TMP/out.csv" > "$TMP/export.log" 2>&1; then
    cat "$TMP/export.log" >&2
    echo "make eval: eventmap export failed" >&2
    exit 1
fi
"$SCORER" score "$UCDP" "$TMP/out.csv" "$GAZ"

echo
echo "== geoparsing news articles: TR-News's gold toponyms ($TRNEWS)"
if [ ! -r "$TRNEWS" ]; then
    echo "not measured: cannot read '$TRNEWS' (kept outside the repository; point EVAL_GEOPARSE=PATH at TR-News.xml)"
elif mkdir "$TMP/trnews" && ! "$GEOPARSE_SCORER" split "$TRNEWS" "$TMP/trnews" > "$TMP/split.log" 2>&1; then
    echo "not measured: $(tail -n 1 "$TMP/split.log")"
else
    cat "$TMP/split.log"
    failed=0
    while read -r doc; do
        if ! "$BIN" geoparse "$TMP/trnews/$doc.txt" > "$TMP/trnews/$doc.json" 2> "$TMP/trnews/$doc.err"; then
            echo "eventmap geoparse failed on article $doc: $(tail -n 1 "$TMP/trnews/$doc.err")"
            rm -f "$TMP/trnews/$doc.json"
            failed=$((failed + 1))
        fi
    done < "$TMP/trnews/articles"
    "$GEOPARSE_SCORER" score "$TMP/trnews" "$GAZ"
fi

echo
echo "== our own Syrian passages (tests/data/geoparse/: the test suite's geoparse-eval suite, CK_RUN_SUITE=geoparse-eval;"
echo "   a found mention is right when it overlaps a labelled one and lies within 10 km of it or inside its region)"
suite_scores geoparse-eval '^tests/data/geoparse: '

echo
echo "== the spelling tables (the test suite's spellings suite, CK_RUN_SUITE=spellings)"
suite_scores spellings '^tests/data/spellings[^:]*\.tsv: '
