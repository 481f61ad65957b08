#!/bin/sh
# bench/run_render.sh - `make bench`, after bench/run_events.sh: the renderer
# on 1M synthetic ACLED-style events, beside Mapnik 3.1 measured in the same
# run (when installed: sh scripts/setup.sh peers).
#
#   a. overview     eventmap map, 1600x1200       vs Mapnik (python3-mapnik):
#                                                    the same picture
#   b. tiles z0-9   eventmap tiles over lon        vs Mapnik: the same 162 XYZ
#                   35.5-42.5, lat 32.2-37.4          tiles, 256 px, EPSG:3857
#
# Whole processes (start-up, reading the data and writing the PNGs
# included), wall clock and peak resident memory (/usr/bin/time's %M, of
# the process and its children): eventmap best of BENCH_RUNS (3; fewer once
# a job's runs add up to BENCH_MAX_S, 20 s), Mapnik once (BENCH_PEER_RUNS),
# each Mapnik run cut off after BENCH_PEER_CAP_S (200 s) and shown as more.
#
# Each side reads its own form of the same events, made once and reused
# while newer than the CSV (the making is not timed, only reported):
# eventmap a store, .cache/bench/render.gpkg (eventmap import); Mapnik indexed
# shapefiles in .cache/bench/mapnik/: the events as points with event_type
# and fatalities (ogr2ogr from the CSV), Natural Earth land and countries at
# 1:50m and 1:10m (ogr2ogr from world-atlas's TopoJSON, exploded into single
# polygons), each indexed by Mapnik's shapeindex.  bench/mapnik_render.py
# draws what eventmap draws, but for labels, legend, scale bar and title:
# sea, land, coast and borders (1:10m under 4 km a pixel, as eventmap), and
# every event as a small circle coloured by event type (one rule a type),
# overlaps allowed so that none is dropped; eventmap draws 1M events as
# per-pixel density.  Its overview frames the events' extent as eventmap
# does (same margin, same Lambert conformal conic); its tiles are rendered
# by one thread per core, as eventmap's.  The pictures of the last run are
# left in .cache/bench/render-run/.  Not a test: run it on an idle machine.
set -eu
cd "$(dirname "$0")/.."

BIN=${EVENTMAP_BIN:-./eventmap}
N=${BENCH_EVENTS:-1000000}
RUNS=${BENCH_RUNS:-3}
PEER_RUNS=${BENCH_PEER_RUNS:-1}
MAX_S=${BENCH_MAX_S:-20}
CAP_S=${BENCH_PEER_CAP_S:-200}
# Debian's python3 (python3-mapnik is built for it), not whatever python3
# comes first on PATH
PY=${MAPNIK_PYTHON:-/usr/bin/python3}
SIZE=1600x1200
ZOOM=0-9
BBOX=35.5,32.2,42.5,37.4
WANT_TILES=162
JOBS=$(nproc 2>/dev/null || echo 1)
CACHE=.cache/bench
CSV=$CACHE/events-$N.csv
DB=$CACHE/render.gpkg
SHP=$CACHE/mapnik
# bump when the shapefiles are made differently
SHP_RECIPE="shp 1"
DATA=.cache/data
WORK=$CACHE/render-run
GEN=build/gen_events
TIME=/usr/bin/time
NOT_INSTALLED="peer not installed (run: sh scripts/setup.sh peers)"

mkdir -p "$CACHE"
rm -rf "$WORK" "$DB.tmp" "$SHP.tmp"
mkdir -p "$WORK"

# The pictures stay; the scratch files and eventmap's 1M-event GeoJSON go.
cleanup() {
    rm -rf "$DB.tmp" "$SHP.tmp"
    rm -f "$WORK/out" "$WORK/err" "$WORK/rss" "$WORK/eventmap-tiles/events.geojson"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }

# newer A B: A was modified after B (or B is missing).
newer() { [ ! -e "$2" ] || [ -n "$(find "$1" -newer "$2" 2>/dev/null)" ]; }

HAVE_TIME=
[ -x "$TIME" ] && HAVE_TIME=1

# once PREP COMMAND...: one run of COMMAND, PREP (untimed) before it; sets
# T_NS to its wall time (ns) and RSS_KB to its peak resident set (KB; empty
# without /usr/bin/time); its stdout in $WORK/out, stderr in $WORK/err;
# returns its status.
once() {
    prep=$1
    shift
    $prep
    rm -f "$WORK/rss"
    rc=0
    t0=$(now_ns)
    if [ -n "$HAVE_TIME" ]; then
        "$TIME" -f '%M' -o "$WORK/rss" "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
    else
        "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
    fi
    t1=$(now_ns)
    T_NS=$((t1 - t0))
    RSS_KB=$(tail -n 1 "$WORK/rss" 2>/dev/null | grep -E '^[0-9]+$' || true)
    return $rc
}

# best RUNS PREP COMMAND...: the shortest wall time (BEST_NS) of RUNS runs
# of COMMAND (fewer when they add up to MAX_S), and the largest peak memory
# of them (PEAK_KB); fails at the first failed run (its status in RC, its
# message in $WORK/err).
best() {
    runs=$1 prep=$2
    shift 2
    BEST_NS='' PEAK_KB='' RC=0
    i=0 spent=0
    while [ "$i" -lt "$runs" ] && [ "$spent" -lt $((MAX_S * 1000000000)) ]; do
        once "$prep" "$@" || {
            RC=$?
            echo "$1 exited with status $RC" >>"$WORK/err"
            return 1
        }
        spent=$((spent + T_NS))
        if [ -z "$BEST_NS" ] || [ "$T_NS" -lt "$BEST_NS" ]; then BEST_NS=$T_NS; fi
        if [ -n "$RSS_KB" ] && { [ -z "$PEAK_KB" ] || [ "$RSS_KB" -gt "$PEAK_KB" ]; }; then PEAK_KB=$RSS_KB; fi
        i=$((i + 1))
    done
}

# The first line of the last failure's message, for the report.
why() { grep -v '^Command exited with' "$WORK/err" 2>/dev/null | head -n 1 | cut -c1-100; }

secs() { awk -v ns="$1" 'BEGIN { printf "%.2f s", ns / 1e9 }'; }

# mb KB: megabytes (10^6 bytes), or ? when not measured
mb() { if [ -n "$1" ]; then awk -v kb="$1" 'BEGIN { printf "%.0f", kb * 1024 / 1e6 }'; else echo "?"; fi; }

# took NS KB: "1.23 s, 456 MB"
took() { echo "$(secs "$1"), $(mb "$2") MB"; }

# row JOB EVENTMAP PEER RATIO TARGET
row() { printf '%-29s %-23s %-51s %-7s %s\n' "$1" "$2" "$3" "$4" "$5"; }

# ratio EVENTMAP PEER (same unit, numbers): how many times faster eventmap is.
ratio() {
    case "$1/$2" in
    */ | /*) echo "-" ;;
    *) awk -v e="$1" -v p="$2" 'BEGIN { if (e > 0) printf "%.1fx", p / e; else print "-" }' ;;
    esac
}

# tiles_in DIR: the number of DIR/z/x/y.png
tiles_in() { (cd "$1" 2>/dev/null && find . -mindepth 3 -maxdepth 3 -path './[0-9]*' -name '*.png' | wc -l) || echo 0; }

# per_zoom DIR: "z0 1, z1 1, ..." of DIR/z/x/y.png
per_zoom() {
    (cd "$1" 2>/dev/null && find . -mindepth 3 -maxdepth 3 -path './[0-9]*' -name '*.png') |
        awk -F/ '{ n[$2]++ } END { for (z = 0; z <= 22; z++) if (n[z]) printf "%sz%d %d", (s++ ? ", " : ""), z, n[z] }'
}

# ------------------------------------------------------------ data

if [ ! -x "$GEN" ] || newer bench/gen_events.c "$GEN" || newer bench/rng.h "$GEN"; then
    mkdir -p build
    ${CC:-cc} -std=c11 -O2 -o "$GEN.tmp" bench/gen_events.c && mv -f "$GEN.tmp" "$GEN"
fi
want_version="$("$GEN" --version) n=$N"
if [ ! -f "$CSV" ] || [ "$(cat "$CSV.version" 2>/dev/null)" != "$want_version" ]; then
    echo "== making $CSV ($N events, $want_version)"
    rm -f "$CSV" "$CSV.version"
    "$GEN" -n "$N" -o "$CSV.tmp"
    mv -f "$CSV.tmp" "$CSV"
    printf '%s\n' "$want_version" >"$CSV.version"
fi

echo "== render: $N synthetic ACLED-style events, $CSV"
echo "   wall time and peak memory of whole processes; eventmap: best of $RUNS (fewer past ${MAX_S} s);"
echo "   Mapnik: best of $PEER_RUNS, cut off at ${CAP_S} s; ratio = peer time / eventmap time"
[ -n "$HAVE_TIME" ] || echo "   (no $TIME: peak memory not measured; it comes with sh scripts/setup.sh peers)"

# eventmap's store, made once from the CSV
STORE_OK='' STORE_WHY=''
# (made again when this eventmap cannot read it: a store of an older layout)
rm -f "$CACHE/render.db" "$CACHE/render.db.src"
if newer "$CSV" "$DB" || [ "$(cat "$DB.src" 2>/dev/null)" != "$want_version" ] ||
    ! "$BIN" near 35,36 --radius 1 --db "$DB" --format csv >/dev/null 2>&1; then
    rm -f "$DB" "$DB.src" "$DB.tmp" "$DB.tmp-journal" "$DB.tmp-wal" "$DB.tmp-shm"
    t0=$(now_ns)
    if "$BIN" import "$CSV" --db "$DB.tmp" >"$WORK/out" 2>"$WORK/err"; then
        mv -f "$DB.tmp" "$DB"
        printf '%s\n' "$want_version" >"$DB.src"
        STORE_OK=1
        echo "   eventmap store $DB made in $(secs $(($(now_ns) - t0))) (eventmap import)"
    else
        STORE_WHY="eventmap import failed: $(why)"
    fi
else
    STORE_OK=1
fi

# Mapnik's shapefiles, made once from the CSV and the Natural Earth TopoJSON
HAVE_MAPNIK='' SHP_OK='' SHP_WHY=''
if [ -x "$PY" ] && "$PY" -c 'import mapnik' >/dev/null 2>&1 &&
    command -v ogr2ogr >/dev/null 2>&1 && command -v shapeindex >/dev/null 2>&1; then
    HAVE_MAPNIK=1
fi

make_shapefiles() {
    mkdir -p "$SHP.tmp"
    ogr2ogr -f "ESRI Shapefile" "$SHP.tmp/events.shp" "$CSV" -nln events -a_srs EPSG:4326 \
        -oo X_POSSIBLE_NAMES=longitude -oo Y_POSSIBLE_NAMES=latitude -oo KEEP_GEOM_COLUMNS=NO \
        -oo AUTODETECT_TYPE=YES -select event_type,fatalities -lco RESIZE=YES || return 1
    for scale in 50m 10m; do
        for layer in land countries; do
            ogr2ogr -f "ESRI Shapefile" "$SHP.tmp/$layer-$scale.shp" "$DATA/countries-$scale.json" "$layer" \
                -nln "$layer-$scale" -a_srs EPSG:4326 -nlt POLYGON -explodecollections || return 1
        done
    done
    (cd "$SHP.tmp" && shapeindex events.shp land-50m.shp countries-50m.shp land-10m.shp countries-10m.shp) ||
        return 1
    [ -f "$SHP.tmp/events.index" ] || { echo "shapeindex wrote no events.index"; return 1; }
    printf '%s\n%s\n' "$want_version" "$SHP_RECIPE" >"$SHP.tmp/.ok"
}

if [ -n "$HAVE_MAPNIK" ]; then
    if newer "$CSV" "$SHP/.ok" || newer "$DATA/countries-10m.json" "$SHP/.ok" ||
        newer "$DATA/countries-50m.json" "$SHP/.ok" ||
        [ "$(cat "$SHP/.ok" 2>/dev/null)" != "$(printf '%s\n%s' "$want_version" "$SHP_RECIPE")" ]; then
        rm -rf "$SHP"
        t0=$(now_ns)
        if make_shapefiles >"$WORK/out" 2>"$WORK/err"; then
            mv "$SHP.tmp" "$SHP"
            SHP_OK=1
            echo "   Mapnik shapefiles in $SHP/ made in $(secs $(($(now_ns) - t0))) (ogr2ogr + shapeindex)"
        else
            SHP_WHY="shapefiles not made: $(tail -n 1 "$WORK/err" | cut -c1-100)"
        fi
    else
        SHP_OK=1
    fi
fi
row "job" "eventmap" "peer" "ratio" "target"

# peer RUNS PREP COMMAND...: Mapnik's runs, cut off at CAP_S; sets PEER_NS
# (empty unless it finished) and PEER_S, the peer's cell.
peer() {
    runs=$1 prep=$2
    shift 2
    PEER_NS=''
    if [ -z "$HAVE_MAPNIK" ]; then
        PEER_S=$NOT_INSTALLED
    elif [ -z "$SHP_OK" ]; then
        PEER_S="Mapnik: $SHP_WHY"
    elif best "$runs" "$prep" timeout "$CAP_S" "$PY" bench/mapnik_render.py "$@"; then
        PEER_NS=$BEST_NS
        PEER_S="$(took "$BEST_NS" "$PEAK_KB") Mapnik"
    elif [ "$RC" -eq 124 ]; then
        PEER_S="> $CAP_S s, $(mb "$RSS_KB") MB so far, Mapnik (cut off)"
    else
        PEER_S="Mapnik failed: $(why)"
    fi
}

# ------------------------------------------------------------ a. overview

EM_PNG=$WORK/eventmap.png
PEER_PNG=$WORK/mapnik.png
rm_em_png() { rm -f "$EM_PNG"; }
rm_peer_png() { rm -f "$PEER_PNG"; }

em='' em_s='' note=
if [ -z "$STORE_OK" ]; then
    em_s="no store"
    note="$note ($STORE_WHY)"
elif best "$RUNS" rm_em_png "$BIN" map --db "$DB" -o "$EM_PNG" --size "$SIZE"; then
    em=$BEST_NS
    em_s=$(took "$BEST_NS" "$PEAK_KB")
    [ -s "$EM_PNG" ] || note="$note (eventmap wrote no $EM_PNG)"
    grep -q "^eventmap map: $N events" "$WORK/err" "$WORK/out" 2>/dev/null ||
        note="$note (eventmap: $(cat "$WORK/err" "$WORK/out" | head -n 1 | cut -c1-100))"
else
    em_s="eventmap map failed"
    note="$note (eventmap: $(why))"
fi
peer "$PEER_RUNS" rm_peer_png overview "$SHP" "$PEER_PNG" "$SIZE"
[ -z "$PEER_NS" ] || [ -s "$PEER_PNG" ] || note="$note (Mapnik wrote no $PEER_PNG)"
row "overview ${SIZE}" "$em_s" "$PEER_S" "$(ratio "$em" "$PEER_NS")" "<= 1.5 s (DESIGN: Mapnik 8 s)"
[ -z "$note" ] || echo "  $note"

# ------------------------------------------------------------ b. tiles

EM_TILES=$WORK/eventmap-tiles
PEER_TILES=$WORK/mapnik-tiles
rm_em_tiles() { rm -rf "$EM_TILES"; }
rm_peer_tiles() { rm -rf "$PEER_TILES"; }

em='' em_s='' note='' em_n=
if [ -z "$STORE_OK" ]; then
    em_s="no store"
    note="$note ($STORE_WHY)"
elif best "$RUNS" rm_em_tiles "$BIN" tiles --db "$DB" -o "$EM_TILES" --zoom "$ZOOM" --bbox "$BBOX"; then
    em=$BEST_NS
    em_s=$(took "$BEST_NS" "$PEAK_KB")
    em_n=$(tiles_in "$EM_TILES")
    [ "$em_n" -eq "$WANT_TILES" ] ||
        note="$note (eventmap wrote $em_n tiles, not $WANT_TILES: $(per_zoom "$EM_TILES"))"
else
    em_s="eventmap tiles failed"
    note="$note (eventmap: $(why))"
fi
peer "$PEER_RUNS" rm_peer_tiles tiles "$SHP" "$PEER_TILES" "$ZOOM" "$BBOX" "$JOBS"
if [ -n "$PEER_NS" ]; then
    peer_n=$(tiles_in "$PEER_TILES")
    [ "$peer_n" -eq "$WANT_TILES" ] ||
        note="$note (Mapnik wrote $peer_n tiles, not $WANT_TILES: $(per_zoom "$PEER_TILES"))"
    if [ -n "$em_n" ] && [ "$(cd "$EM_TILES" && find . -mindepth 3 -path './[0-9]*' -name '*.png' | sort)" != \
        "$(cd "$PEER_TILES" && find . -mindepth 3 -path './[0-9]*' -name '*.png' | sort)" ]; then
        note="$note (the two wrote different sets of tiles)"
    fi
fi
row "tiles z$ZOOM, ${em_n:-$WANT_TILES} tiles" "$em_s" "$PEER_S" "$(ratio "$em" "$PEER_NS")" \
    "<= 5 s (DESIGN: Mapnik 96 s)"
[ -z "$note" ] || echo "  $note"
echo "   (tiles: bbox $BBOX, $JOBS threads each side; eventmap also writes tilejson.json, index.html"
echo "    and events.geojson of all $N events; the pictures are in $WORK/)"
