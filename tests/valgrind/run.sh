#!/bin/sh
# tests/valgrind/run.sh - the end-to-end pipeline under Valgrind's memcheck:
# resolve, gazetteer build, import, near, export, map, tiles and geoparse on
# the small inputs in examples/ and tests/data/, then bad inputs that must
# fail.  Every run must be free of memory errors and of definite leaks in
# our code (tests/valgrind/eventmap.supp hides known noise of outside
# libraries only, each entry says why).
#
#   sh tests/valgrind/run.sh [PROGRAM]      (default ./eventmap; `make valgrind`)
#
# A run that should succeed uses --error-exitcode=1 and must exit 0; a run
# that should fail uses --error-exitcode=99 and must exit with the program's
# own code (1, or 2 for a usage error), so that a memory error on an error
# path is not mistaken for the expected failure.  Each run's Valgrind log
# is printed when the run fails.
set -u
BIN=${1:-./eventmap}
GAZ=${EVENTMAP_GAZETTEER:-.cache/gazetteer.idx}
HERE=$(dirname "$0")
SUPP=$HERE/eventmap.supp

if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind: not installed (Debian: apt-get install valgrind)" >&2
    exit 1
fi
if [ ! -x "$BIN" ] || [ ! -f "$GAZ" ]; then
    echo "valgrind: $BIN or $GAZ is missing; run make first" >&2
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/eventmap-valgrind.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite
    --suppressions=$SUPP --num-callers=30 --gen-suppressions=all"
export EVENTMAP_GAZETTEER="$GAZ"
n_run=0
n_failed=0

# run WANT NAME ARGS...: run the program under memcheck; WANT is the exit
# code expected (0: success; otherwise the program's own error code).
run() {
    want=$1 name=$2
    shift 2
    n_run=$((n_run + 1))
    log=$TMP/$n_run.log
    if [ "$want" -eq 0 ]; then ec=1; else ec=99; fi
    # shellcheck disable=SC2086
    $VG --error-exitcode=$ec --log-file="$log" "$BIN" "$@" >"$TMP/$n_run.out" 2>"$TMP/$n_run.err" <"${STDIN:-/dev/null}"
    got=$?
    if [ "$got" -eq "$want" ] && [ ! -s "$log" ]; then
        echo "ok   $name"
        return
    fi
    n_failed=$((n_failed + 1))
    if [ "$got" -eq "$ec" ] && [ -s "$log" ]; then
        echo "FAIL $name: memory errors or definite leaks (exit $got)"
    else
        echo "FAIL $name: exit $got, $want expected"
    fi
    echo "     eventmap $*"
    sed 's/^/     | /' "$TMP/$n_run.err" | head -20
    sed 's/^/     vg /' "$log"
}

DB=$TMP/events.db
SMALL=$TMP/small.idx

# --- the pipeline
STDIN=examples/seed-places.txt run 0 "resolve the seed place names" resolve -
run 0 "resolve --json with a country" resolve --json --country SY Aleppo "Deir ez-Zor"
run 0 "gazetteer build (tests/data/gaz-small)" gazetteer build -o "$SMALL" \
    --geonames tests/data/gaz-small/geonames.txt --admin1 tests/data/gaz-small/admin1.json \
    --curated tests/data/gaz-small --no-countries
run 0 "gazetteer info" gazetteer info "$SMALL"
run 0 "resolve on the small index" resolve --gazetteer "$SMALL" Damascus
run 0 "import examples/seed-events.csv" import examples/seed-events.csv --db "$DB"
run 0 "import it again (updates in place)" import examples/seed-events.csv --db "$DB"
run 0 "near a place" near Damascus --radius 150 --db "$DB"
run 0 "near a point, GeoJSON" near 35.0,38.0 --radius 300 --db "$DB" --format geojson
run 0 "export GeoJSON" export --db "$DB" --format geojson -o "$TMP/events.geojson"
run 0 "export CSV" export --db "$DB" --format csv -o "$TMP/events.csv"
run 0 "export from a CSV file to stdout" export --in examples/seed-events.csv --format csv
run 0 "map" map --db "$DB" -o "$TMP/map.png" --size 480x360 --title "valgrind"
run 0 "tiles (directory)" tiles --db "$DB" -o "$TMP/tiles" --zoom 0-3 --jobs 2
run 0 "tiles --resume" tiles --db "$DB" -o "$TMP/tiles" --zoom 0-3 --resume
run 0 "tiles --mbtiles" tiles --db "$DB" --mbtiles "$TMP/t.mbtiles" --zoom 0-2
run 0 "geoparse" geoparse tests/data/geoparse/01.txt
run 0 "geoparse --events" geoparse --events --published 2024-05-01 tests/data/geoparse/02.txt
run 0 "geoparse --format table" geoparse --format table tests/data/geoparse/03.txt

# --- bad input: a clear error and the program's own exit code
printf 'id,event_date,event_type,location\nx1,not a date,Battles,Damascus\n' >"$TMP/bad-date.csv"
printf '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coord' >"$TMP/cut.geojson"
printf 'not a store\n' >"$TMP/not-a-store.db"
run 1 "import a CSV with a bad date" import "$TMP/bad-date.csv" --db "$TMP/bad.db"
run 1 "import a cut-short GeoJSON" import "$TMP/cut.geojson" --db "$TMP/bad.db"
run 1 "import into something that is not a store" import examples/seed-events.csv --db "$TMP/not-a-store.db"
run 1 "export from a missing store" export --db "$TMP/missing.db" -o "$TMP/x.geojson"
run 1 "map of a missing file" map --in "$TMP/missing.csv" -o "$TMP/x.png" --size 200x100
run 2 "tiles with a bad --zoom" tiles --db "$DB" -o "$TMP/t2" --zoom 5-3
run 1 "geoparse of a missing file" geoparse "$TMP/missing.txt"
run 1 "gazetteer build from a missing file" gazetteer build -o "$TMP/x.idx" --geonames "$TMP/missing.txt" \
    --no-countries
run 1 "resolve with a missing index" resolve --gazetteer "$TMP/missing.idx" Damascus

if [ "$n_failed" -ne 0 ]; then
    echo "valgrind: $n_failed of $n_run runs failed"
    exit 1
fi
echo "valgrind: all $n_run runs clean"
