#!/bin/sh
# bench/eval.sh - `make eval`: geocoding of a real event table, the way a
# user meets it.  UCDP GED's rows (../shared/eval/ucdp/, README there) are
# written as a plain spreadsheet table without coordinates (id, event_date,
# event_type, location, admin1, admin2, country), imported by the real CLI
# with the default gazetteer, exported as CSV, and scored against UCDP's own
# coordinates by build/eval_ucdp (bench/eval_ucdp.c).  Then the spelling
# tables' scores, as the test suite's spellings suite prints them.  A
# measurement, not a test: it fails only when a step cannot run.
#
#   sh bench/eval.sh UCDP.csv EVENTMAP SCORER TEST_RUNNER
set -eu
cd "$(dirname "$0")/.."

if [ $# -ne 4 ]; then
    echo "usage: sh bench/eval.sh UCDP.csv EVENTMAP SCORER TEST_RUNNER" >&2
    exit 2
fi
UCDP=$1 BIN=$2 SCORER=$3 RUNNER=$4

if [ ! -r "$UCDP" ]; then
    echo "make eval: cannot read the UCDP GED table '$UCDP'" >&2
    echo "  (it is kept outside the repository; point EVAL_UCDP=PATH at a UCDP GED CSV)" >&2
    exit 1
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

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
"$SCORER" score "$UCDP" "$TMP/out.csv" "${EVENTMAP_GAZETTEER:-.cache/gazetteer.idx}"

echo
echo "== the spelling tables (the test suite's spellings suite, CK_RUN_SUITE=spellings)"
status=0
CK_RUN_SUITE=spellings "$RUNNER" > "$TMP/spellings.out" 2> "$TMP/spellings.err" || status=$?
if ! grep '^tests/data/spellings[^:]*\.tsv: ' "$TMP/spellings.err"; then
    cat "$TMP/spellings.out" "$TMP/spellings.err" >&2
    echo "make eval: the spellings suite printed no scores" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    # a share under the suite's threshold: shown, the figures above stand
    tail -n 1 "$TMP/spellings.out"
fi
