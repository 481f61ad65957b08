#!/bin/sh
# bench/run_events.sh - `make bench`, after bench/run.sh: the event layer on
# 1M synthetic ACLED-style events, beside the peers of DESIGN.md measured in
# the same run (when installed: sh scripts/setup.sh peers).
#
#   a. CSV -> GeoJSON      eventmap export          vs ogr2ogr -f GeoJSON (GDAL)
#  a2. GeoJSON -> CSV      eventmap export --in     vs ogr2ogr -f CSV, with peak memory
#   b. load with an index  eventmap import          vs PostgreSQL 15 + PostGIS:
#                                                      \copy, geography, GiST
#  b2. load, geocoding     eventmap import of the same events without
#                          coordinates (50,000 distinct place strings) vs
#                          the located import of b.: at most 1.3x its time
#  b3. load into PostGIS   eventmap import --db     vs the \copy + GiST load of
#      through eventmap    postgresql://... into       b.: at most 1.5x its time
#                          a fresh database (the
#                          import installs PostGIS
#                          and makes the schema)
#   c. 25 km radius query  store_within             vs ST_DWithin(geography),
#                          (build/near_bench)          1,000 queries in-server
#  c2. 25 km query through store_near on the        vs the same ST_DWithin alone:
#      PostGIS             database of b3.             at most 1.5x its median
#                          (near_bench --near)
#   d. map and tiles       eventmap map, tiles      vs the same on the GeoPackage
#      through PostGIS     --db postgresql://...       store of b. (no target)
#                          as bench/run_render.sh
#
# Whole processes, wall clock: eventmap best of BENCH_RUNS (3; fewer once a
# job's runs add up to BENCH_MAX_S, 20 s), the peers once (BENCH_PEER_RUNS)
# as they take tens of seconds.  The queries are timed one by one inside one
# process on each side (no process start-up, no client round trip), at the
# same 1,000 centres (gen_events --points), and the median is shown; both
# sides count the events within the radius, and the script checks that they
# found the same number.  eventmap through PostGIS (b3., c2., d.) runs
# against the peer's cluster: its import as often as the peer's load
# (both are loads into the same server), then ANALYZE untimed as after the
# peer's; its queries go through libpq over the unix socket (plan, rows
# sent and read whole included), the peer's loop runs inside the server.
# The CSV is made once into
# .cache/bench/ by bench/gen_events.c (fixed seed, the same bytes everywhere)
# and made again only when the generator's version changes; so is its
# twin without coordinates (gen_events --places, from the gazetteer's own
# sources), made again when the generator or those sources change.  PostgreSQL runs
# as a throwaway cluster under .cache/bench/pg, on a unix socket only, with
# its default settings; it is stopped and removed at the end.  Not a test:
# run it on an idle machine.
set -eu
cd "$(dirname "$0")/.."

BIN=${EVENTMAP_BIN:-./eventmap}
N=${BENCH_EVENTS:-1000000}
RUNS=${BENCH_RUNS:-3}
PEER_RUNS=${BENCH_PEER_RUNS:-1}
MAX_S=${BENCH_MAX_S:-20}
QUERIES=${BENCH_QUERIES:-1000}
RADIUS_KM=25
CACHE=.cache/bench
CSV=$CACHE/events-$N.csv
DISTINCT=${BENCH_DISTINCT_PLACES:-50000}
PLACES_CSV=$CACHE/events-$N-places-$DISTINCT.csv
PLACES_SRC=".cache/data/cities1000.txt .cache/data/admin1.json gazetteer/countries.tsv"
GAZ=${EVENTMAP_GAZETTEER:-.cache/gazetteer.idx}
WORK=$CACHE/run
GEN=build/gen_events
NEAR=build/near_bench
PG_VERSION=15
PGBIN=/usr/lib/postgresql/$PG_VERSION/bin
PGDIR=$(pwd)/$CACHE/pg
PGPORT=5499
PG_STARTED=
NOT_INSTALLED="peer not installed (run: sh scripts/setup.sh peers)"

mkdir -p "$CACHE"
rm -rf "$WORK"
mkdir -p "$WORK"

pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
    if [ -n "$PG_STARTED" ]; then
        pg_as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK" "$PGDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }

# newer A B: A was modified after B (or B is missing).
newer() { [ ! -e "$2" ] || [ -n "$(find "$1" -newer "$2" 2>/dev/null)" ]; }

# best_ns RUNS PREP COMMAND...: the shortest wall time (ns) of RUNS runs of
# COMMAND (fewer when they add up to MAX_S), PREP (untimed) before each;
# fails at the first failed run, its stderr left in $WORK/err and its stdout
# in $WORK/out.
best_ns() {
    runs=$1 prep=$2
    shift 2
    best=
    i=0
    spent=0
    while [ "$i" -lt "$runs" ] && [ "$spent" -lt $((MAX_S * 1000000000)) ]; do
        $prep
        t0=$(now_ns)
        "$@" >"$WORK/out" 2>"$WORK/err" || {
            echo "$1 exited with status $?" >>"$WORK/err"
            return 1
        }
        t1=$(now_ns)
        t=$((t1 - t0))
        spent=$((spent + t))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
        i=$((i + 1))
    done
    echo "$best"
}

# The first line of the last failure's message, for the report.
why() { head -n 1 "$WORK/err" 2>/dev/null | cut -c1-100; }

secs() { awk -v ns="$1" 'BEGIN { printf "%.2f s", ns / 1e9 }'; }

# row JOB EVENTMAP PEER RATIO TARGET
row() { printf '%-29s %-23s %-51s %-7s %s\n' "$1" "$2" "$3" "$4" "$5"; }

# ratio EVENTMAP PEER (same unit, numbers): how many times faster eventmap is.
ratio() {
    case "$1/$2" in
    */ | /*) echo "-" ;;
    *) awk -v e="$1" -v p="$2" 'BEGIN { if (e > 0) printf "%.1fx", p / e; else print "-" }' ;;
    esac
}

# ------------------------------------------------------------ programs

if [ ! -x "$GEN" ] || newer bench/gen_events.c "$GEN" || newer bench/rng.h "$GEN"; then
    mkdir -p build
    ${CC:-cc} -std=c11 -O2 -o "$GEN.tmp" bench/gen_events.c && mv -f "$GEN.tmp" "$GEN"
fi

# near_bench links the library: the Makefile builds it (make bench); when
# that rule is missing or the library is older, it is built here the same way.
LIB=build/libeventmap.a
NEAR_OK='' NEAR_WHY="the library has no store yet"
if [ -f "$LIB" ] && nm "$LIB" 2>/dev/null | grep -q ' T store_scan$'; then
    if [ ! -x "$NEAR" ] || newer bench/near_bench.c "$NEAR" || newer "$LIB" "$NEAR"; then
        pkgs="proj geos libpng libcjson cairo pangocairo sqlite3 libutf8proc libpq"
        # shellcheck disable=SC2046,SC2086
        ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -Isrc \
            $(pkg-config --cflags $pkgs) -o "$NEAR.tmp" bench/near_bench.c "$LIB" \
            $(pkg-config --libs $pkgs) -lcsv -lm 2>"$WORK/err" && mv -f "$NEAR.tmp" "$NEAR"
    fi
    [ -x "$NEAR" ] && ! newer "$LIB" "$NEAR" && NEAR_OK=1
    NEAR_WHY="did not build: $(why)"
fi

# ------------------------------------------------------------ data

want_version="$("$GEN" --version) n=$N"
if [ ! -f "$CSV" ] || [ "$(cat "$CSV.version" 2>/dev/null)" != "$want_version" ]; then
    echo "== making $CSV ($N events, $want_version)"
    rm -f "$CSV" "$CSV.version"
    "$GEN" -n "$N" -o "$CSV.tmp"
    mv -f "$CSV.tmp" "$CSV"
    printf '%s\n' "$want_version" >"$CSV.version"
fi
# shellcheck disable=SC2086
if ls $PLACES_SRC >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    want_version="$("$GEN" --places-version) n=$N distinct=$DISTINCT sources=$(cat $PLACES_SRC | cksum | cut -d' ' -f1)"
    if [ ! -f "$PLACES_CSV" ] || [ "$(cat "$PLACES_CSV.version" 2>/dev/null)" != "$want_version" ]; then
        echo "== making $PLACES_CSV ($N events, $DISTINCT distinct places, $want_version)"
        rm -f "$PLACES_CSV" "$PLACES_CSV.version"
        # shellcheck disable=SC2086
        "$GEN" -n "$N" --places $PLACES_SRC --distinct "$DISTINCT" -o "$PLACES_CSV.tmp"
        mv -f "$PLACES_CSV.tmp" "$PLACES_CSV"
        printf '%s\n' "$want_version" >"$PLACES_CSV.version"
    fi
fi
POINTS=$WORK/points.txt
"$GEN" --points "$QUERIES" -o "$POINTS"
csv_mb=$(wc -c <"$CSV" | awk '{ printf "%.0f", $1 / 1e6 }')
echo "== events: $N synthetic ACLED-style events, $CSV ($csv_mb MB)"
echo "   eventmap: best of $RUNS (fewer past ${MAX_S} s); peers: best of $PEER_RUNS; ratio = peer time / eventmap time,"
echo "   but for the geocoded load and the rows through PostGIS: their time / the time beside it"

# ------------------------------------------------------------ peers

HAVE_OGR=
command -v ogr2ogr >/dev/null 2>&1 && HAVE_OGR=1
HAVE_PG='' PG_FAILED=
if [ -x "$PGBIN/initdb" ] && command -v psql >/dev/null 2>&1 &&
    [ -f "/usr/share/postgresql/$PG_VERSION/extension/postgis.control" ]; then
    HAVE_PG=1
fi

psql_run() {
    psql -X -q -v ON_ERROR_STOP=1 -h "$PGDIR" -p "$PGPORT" -U postgres -d bench "$@"
}

# eventmap's own database in the cluster (b3., c2., d.), reached by the
# cluster's superuser, who may install PostGIS in it
EM_PGDB=eventmap
pg_url() { echo "postgresql:///$EM_PGDB?host=$PGDIR&port=$PGPORT&user=postgres"; }

# A fresh cluster, unix socket only, default settings otherwise.
pg_start() {
    # a cluster left running by a run that was killed
    if [ -f "$PGDIR/data/postmaster.pid" ]; then
        pg_as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PGDIR"
    mkdir -p "$PGDIR"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDIR"
    chmod 700 "$PGDIR"
    pg_as_owner "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --locale=C \
        >"$PGDIR/initdb.log" 2>&1 || return 1
    PG_STARTED=1
    pg_as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$PGDIR' -p $PGPORT" start \
        >/dev/null 2>&1 || return 1
    psql -X -q -h "$PGDIR" -p "$PGPORT" -U postgres -d postgres -c 'CREATE DATABASE bench' &&
        psql_run -c 'CREATE EXTENSION postgis'
}

if [ -n "$HAVE_PG" ]; then
    # the socket's path must fit in sun_path (107 bytes), and go into
    # eventmap's URL as it is
    plain_path=1
    case $PGDIR in *[!A-Za-z0-9/._-]*) plain_path= ;; esac
    if [ ${#PGDIR} -gt 80 ] || [ -z "$plain_path" ]; then
        PGDIR=$(mktemp -d /tmp/eventmap-bench-pg.XXXXXX)
        rmdir "$PGDIR"
    fi
    if ! pg_start >"$WORK/err" 2>&1; then
        tail -n 3 "$PGDIR/initdb.log" "$PGDIR/server.log" >>"$WORK/err" 2>/dev/null || true
        echo "   (PostgreSQL did not start:"
        sed 's/^/     /' "$WORK/err"
        echo "   )"
        HAVE_PG=
        PG_FAILED=1
    fi
fi
row "job" "eventmap" "peer" "ratio" "target"

pg_absent() { if [ -n "$PG_FAILED" ]; then echo "PostgreSQL failed to start"; else echo "$NOT_INSTALLED"; fi; }

# ------------------------------------------------------------ a. export

EM_GEOJSON=$WORK/eventmap.geojson
PEER_GEOJSON=$WORK/ogr2ogr.geojson
rm_em_geojson() { rm -f "$EM_GEOJSON"; }
rm_peer_geojson() { rm -f "$PEER_GEOJSON"; }

em='' em_s='' note=
if ns=$(best_ns "$RUNS" rm_em_geojson "$BIN" export --in "$CSV" --format geojson -o "$EM_GEOJSON"); then
    em=$ns
    em_s=$(secs "$ns")
    points=$(grep -o '"Point"' "$EM_GEOJSON" | wc -l)
    [ "$points" = "$N" ] || note="$note (eventmap wrote $points points, expected $N)"
else
    em_s="eventmap export failed"
    note="$note (eventmap: $(why))"
fi
peer='' peer_s=$NOT_INSTALLED
if [ -n "$HAVE_OGR" ]; then
    if ns=$(best_ns "$PEER_RUNS" rm_peer_geojson ogr2ogr -f GeoJSON "$PEER_GEOJSON" "$CSV" \
        -oo X_POSSIBLE_NAMES=longitude -oo Y_POSSIBLE_NAMES=latitude -oo KEEP_GEOM_COLUMNS=NO); then
        peer=$ns
        peer_s="$(secs "$ns") ogr2ogr"
        points=$(grep -c '"geometry": { "type": "Point"' "$PEER_GEOJSON" || true)
        [ "$points" = "$N" ] || note="$note (ogr2ogr wrote $points points, expected $N)"
    else
        peer_s="ogr2ogr failed"
        note="$note (ogr2ogr: $(why))"
    fi
    rm_peer_geojson
fi
row "CSV -> GeoJSON" "$em_s" "$peer_s" "$(ratio "$em" "$peer")" "<= 3 s (DESIGN: ogr2ogr 16 s)"
[ -z "$note" ] || echo "  $note"

# ------------------------------------------------------------ a2. GeoJSON -> CSV

# The GeoJSON eventmap just wrote, read back: eventmap reads it a feature
# at a time (src/events/jsonscan.c), so its peak memory (/usr/bin/time %M,
# when installed) is shown beside the time.
TIME=/usr/bin/time
EM_CSV=$WORK/eventmap.csv
PEER_CSV=$WORK/ogr2ogr.csv
rm_em_csv() { rm -f "$EM_CSV"; }
rm_peer_csv() { rm -f "$PEER_CSV"; }
with_rss() { if [ -x "$TIME" ]; then "$TIME" -f %M -o "$WORK/rss" "$@"; else "$@"; fi; }
rss_mb() { tail -n 1 "$WORK/rss" 2>/dev/null | awk '/^[0-9]+$/ { printf ", %.0f MB", $1 / 1000 }'; }

em='' em_s='(no GeoJSON from the export)' peer='' peer_s=$NOT_INSTALLED note=
if [ -f "$EM_GEOJSON" ]; then
    if ns=$(best_ns "$RUNS" rm_em_csv with_rss "$BIN" export --in "$EM_GEOJSON" --format csv -o "$EM_CSV"); then
        em=$ns
        em_s="$(secs "$ns")$(rss_mb)"
    else
        em_s="eventmap export failed"
        note="$note (eventmap: $(why))"
    fi
    rm_em_csv
    if [ -n "$HAVE_OGR" ]; then
        rm -f "$WORK/rss"
        if ns=$(best_ns "$PEER_RUNS" rm_peer_csv with_rss ogr2ogr -f CSV "$PEER_CSV" "$EM_GEOJSON" -lco GEOMETRY=AS_XY); then
            peer=$ns
            peer_s="$(secs "$ns")$(rss_mb) ogr2ogr"
        else
            peer_s="ogr2ogr failed"
            note="$note (ogr2ogr: $(why))"
        fi
        rm_peer_csv
    fi
fi
rm_em_geojson
row "GeoJSON -> CSV" "$em_s" "$peer_s" "$(ratio "$em" "$peer")" "(none set)"
[ -z "$note" ] || echo "  $note"

# ------------------------------------------------------------ b. import

DB=$WORK/events.gpkg
rm_db() { rm -f "$DB" "$DB-journal" "$DB-wal" "$DB-shm"; }

em='' em_s='' note='' EM_DB_OK=
if ns=$(best_ns "$RUNS" rm_db "$BIN" import "$CSV" --db "$DB"); then
    em=$ns
    em_s=$(secs "$ns")
    EM_DB_OK=1
    grep -q "store .*: $N events" "$WORK/out" || note="$note (eventmap: $(tail -n 1 "$WORK/out"), expected $N events)"
else
    em_s="eventmap import failed"
    note="$note (eventmap: $(why))"
fi

# b2. The same events naming places without coordinates: every row
# geocoded (src/events/geocode.c, once per distinct location/admin1/country),
# timed right after the located import and before the peer's load, the same
# way; its row follows b.'s, its ratio column being geocoded time / located
# time, the slowdown that geocoding costs.
GEO_DB=$WORK/geocoded.db
rm_geo_db() { rm -f "$GEO_DB" "$GEO_DB-journal" "$GEO_DB-wal" "$GEO_DB-shm"; }
slowdown() {
    case "$1/$2" in
    */ | /*) echo "-" ;;
    *) awk -v g="$1" -v l="$2" 'BEGIN { if (l > 0) printf "%.2fx", g / l; else print "-" }' ;;
    esac
}

geo='' geo_s='' geo_note=''
if [ ! -f "$PLACES_CSV" ]; then
    geo_s="no CSV"
    geo_note=" (the place sources are missing: $PLACES_SRC; run make data)"
elif [ ! -f "$GAZ" ]; then
    geo_s="no gazetteer"
    geo_note=" ($GAZ is missing; make all builds it)"
elif ns=$(best_ns "$RUNS" rm_geo_db "$BIN" import "$PLACES_CSV" --db "$GEO_DB" --gazetteer "$GAZ"); then
    geo=$ns
    geo_s=$(secs "$ns")
    grep -q "store .*: $N events" "$WORK/out" || geo_note="$geo_note (eventmap: $(tail -n 1 "$WORK/out"), expected $N events)"
    # import's "geocoded P at a place, D at their admin2 or admin3, A at
    # their admin1, C at their country" and the "read ..., unlocated U" line,
    # in one note
    levels=$(sed -n 's/^geocoded \([0-9]* at a place, .* at their country\)$/\1/p' "$WORK/out")
    unlocated=$(sed -n 's/^read .*, unlocated \([0-9]*\),.*/\1/p' "$WORK/out")
    geo_note="$geo_note (rows geocoded ${levels:-? at each level}, ${unlocated:-?} unlocated;"
    geo_note="$geo_note $DISTINCT distinct places)"
else
    geo_s="eventmap import failed"
    geo_note="$geo_note (eventmap: $(why))"
fi
rm_geo_db

cat >"$WORK/load.sql" <<SQL
CREATE TABLE events (
    event_id_cnty text, event_date date, year int, time_precision int, disorder_type text,
    event_type text, sub_event_type text, actor1 text, assoc_actor_1 text, inter1 int,
    actor2 text, assoc_actor_2 text, inter2 int, interaction int, civilian_targeting text,
    iso int, region text, country text, admin1 text, admin2 text, admin3 text, location text,
    latitude double precision, longitude double precision, geo_precision int, source text,
    source_scale text, notes text, fatalities int, tags text, timestamp bigint);
\\copy events FROM '$CSV' WITH (FORMAT csv, HEADER true)
ALTER TABLE events ADD COLUMN geog geography(Point, 4326);
UPDATE events SET geog = ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography;
CREATE INDEX events_geog_idx ON events USING gist (geog);
SQL
pg_drop() { psql_run -c 'DROP TABLE IF EXISTS events' >/dev/null 2>&1 || true; }

peer='' peer_s=$(pg_absent) PG_LOADED=
if [ -n "$HAVE_PG" ]; then
    if ns=$(best_ns "$PEER_RUNS" pg_drop psql_run -f "$WORK/load.sql"); then
        peer=$ns
        peer_s="$(secs "$ns") PostGIS"
        PG_LOADED=1
        rows=$(psql_run -At -c 'SELECT count(geog) FROM events' 2>/dev/null || echo "?")
        [ "$rows" = "$N" ] || note="$note (PostGIS holds $rows points, expected $N)"
        psql_run -c 'ANALYZE events' >/dev/null 2>&1 || true
    else
        peer_s="PostGIS load failed"
        note="$note (PostGIS: $(why))"
    fi
fi
LOAD_PEER=$peer LOAD_PEER_S=$peer_s

# b3. The same CSV into PostGIS through eventmap, right after the peer's
# load and as often: a fresh database each run (made untimed), in which the
# import installs PostGIS and makes its schema (a quarter of a second of
# its time), then streams the events (binary COPY, one merge; pg.c).
pg_fresh_db() {
    psql -X -q -h "$PGDIR" -p "$PGPORT" -U postgres -d postgres \
        -c "DROP DATABASE IF EXISTS $EM_PGDB" -c "CREATE DATABASE $EM_PGDB" >/dev/null 2>&1 || true
}

pgem='' pgem_s=- pgem_peer_s=$(pg_absent) pgem_note='' PGEM_OK=
if [ -n "$HAVE_PG" ]; then
    pgem_peer_s="$LOAD_PEER_S"
    [ -z "$LOAD_PEER" ] || pgem_peer_s="$(secs "$LOAD_PEER") \\copy + GiST"
    if ns=$(best_ns "$PEER_RUNS" pg_fresh_db "$BIN" import "$CSV" --db "$(pg_url)"); then
        pgem=$ns
        pgem_s=$(secs "$ns")
        PGEM_OK=1
        grep -q "store .*: $N events" "$WORK/out" ||
            pgem_note="$pgem_note (eventmap: $(tail -n 1 "$WORK/out"), expected $N events)"
        psql -X -q -h "$PGDIR" -p "$PGPORT" -U postgres -d "$EM_PGDB" -c 'ANALYZE events' >/dev/null 2>&1 || true
    else
        pgem_s="eventmap import failed"
        pgem_note="$pgem_note (eventmap: $(why))"
    fi
fi

row "load with a spatial index" "$em_s" "$peer_s" "$(ratio "$em" "$peer")" "<= 8 s (DESIGN: PostGIS 23 s)"
[ -z "$note" ] || echo "  $note"
row "load, $DISTINCT places geocoded" "$geo_s" "${em_s:-(no located import)} located" \
    "$(slowdown "$geo" "$em")" "<= 1.3x the located import"
[ -z "$geo_note" ] || echo "  $geo_note"
row "eventmap load into PostGIS" "$pgem_s" "$pgem_peer_s" "$(slowdown "$pgem" "$LOAD_PEER")" \
    "<= 1.5x \\copy + GiST"
[ -z "$pgem_note" ] || echo "  $pgem_note"

# ------------------------------------------------------------ c. near

em='' em_s='' note=
if [ -z "$NEAR_OK" ]; then
    em_s="eventmap near failed"
    note="$note (build/near_bench: $NEAR_WHY)"
elif [ -z "$EM_DB_OK" ]; then
    em_s="eventmap near failed"
    note="$note (no store: the import failed)"
elif "$NEAR" "$DB" "$POINTS" "$RADIUS_KM" >"$WORK/out" 2>"$WORK/err"; then
    em=$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' "$WORK/out")
    em_hits=$(sed -n 's/.*mean_hits=\([0-9.]*\).*/\1/p' "$WORK/out")
    em_s="$em ms"
    note="$note (eventmap: $(cat "$WORK/out"))"
else
    em_s="eventmap near failed"
    note="$note (eventmap: $(why))"
fi

cat >"$WORK/near.sql" <<SQL
CREATE TEMP TABLE centres (lat double precision, lon double precision);
\\copy centres FROM '$POINTS' WITH (FORMAT csv)
CREATE TEMP TABLE timings (ms double precision, hits bigint);
DO \$\$
DECLARE
    c record;
    t0 timestamptz;
    n bigint;
BEGIN
    FOR c IN SELECT lat, lon FROM centres LOOP
        t0 := clock_timestamp();
        SELECT count(*) INTO n FROM events
         WHERE ST_DWithin(geog, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326)::geography, $RADIUS_KM * 1000);
        INSERT INTO timings VALUES (extract(epoch FROM clock_timestamp() - t0) * 1000, n);
    END LOOP;
END
\$\$;
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3),
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY ms)::numeric, 3),
       round(avg(hits), 1) FROM timings;
SQL

peer='' peer_s=$(pg_absent) peer_hits=''
if [ -n "$HAVE_PG" ] && [ -z "$PG_LOADED" ]; then
    peer_s="PostGIS not loaded"
elif [ -n "$HAVE_PG" ]; then
    # the GiST index must answer, or the peer is measured wrong
    centre=$(head -n 1 "$POINTS")
    psql_run -c "EXPLAIN SELECT count(*) FROM events WHERE ST_DWithin(geog,
        ST_SetSRID(ST_MakePoint(${centre#*,}, ${centre%,*}), 4326)::geography, $RADIUS_KM * 1000)" \
        2>/dev/null | grep -q events_geog_idx || note="$note (PostGIS does not use its GiST index here)"
    if psql_run -At -F ' ' -f "$WORK/near.sql" >"$WORK/out" 2>"$WORK/err"; then
        read -r peer peer_p90 peer_hits <"$WORK/out"
        peer_s="$peer ms PostGIS"
        note="$note (PostGIS: median_ms=$peer p90_ms=$peer_p90 mean_hits=$peer_hits)"
        if [ -n "$em" ] && [ "$em_hits" != "$peer_hits" ]; then
            note="$note (the two found different events: mean $em_hits vs $peer_hits a query)"
        fi
    else
        peer_s="PostGIS queries failed"
        note="$note (PostGIS: $(why))"
    fi
fi
row "${RADIUS_KM} km query, median of $QUERIES" "$em_s" "$peer_s" "$(ratio "$em" "$peer")" \
    "<= 1.5 ms (DESIGN: PostGIS 15 ms)"
[ -z "$note" ] || echo "  $note"
NEAR_PEER=$peer NEAR_PEER_HITS=$peer_hits NEAR_PEER_S=$peer_s

# ------------------------------------------------------------ c2. near through PostGIS

# near_bench --near on b3.'s database: store_near, the query `eventmap near`
# sends (ST_DWithin on geography; each event's columns and distance, nearest
# first), through libpq, at the same centres; beside c.'s in-server
# ST_DWithin count, median against median, and the events found checked.
pgnear='' pgnear_s=- pgnear_peer_s=$(pg_absent) note=
if [ -n "$HAVE_PG" ]; then
    pgnear_peer_s=$NEAR_PEER_S
    [ -z "$NEAR_PEER" ] || pgnear_peer_s="$NEAR_PEER ms ST_DWithin alone"
    if [ -z "$NEAR_OK" ]; then
        pgnear_s="eventmap near failed"
        note="$note (build/near_bench: $NEAR_WHY)"
    elif [ -z "$PGEM_OK" ]; then
        pgnear_s="eventmap near failed"
        note="$note (no store: the import into PostGIS failed)"
    elif "$NEAR" --near "$(pg_url)" "$POINTS" "$RADIUS_KM" >"$WORK/out" 2>"$WORK/err"; then
        pgnear=$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' "$WORK/out")
        pgnear_hits=$(sed -n 's/.*mean_hits=\([0-9.]*\).*/\1/p' "$WORK/out")
        pgnear_s="$pgnear ms"
        note="$note (eventmap via PostGIS: $(cat "$WORK/out"))"
        if [ -n "$NEAR_PEER" ] && [ "$pgnear_hits" != "$NEAR_PEER_HITS" ]; then
            note="$note (the two found different events: mean $pgnear_hits vs $NEAR_PEER_HITS a query)"
        fi
    else
        pgnear_s="eventmap near failed"
        note="$note (eventmap via PostGIS: $(why))"
    fi
fi
row "${RADIUS_KM} km query via PostGIS" "$pgnear_s" "$pgnear_peer_s" "$(slowdown "$pgnear" "$NEAR_PEER")" \
    "<= 1.5x ST_DWithin alone"
[ -z "$note" ] || echo "  $note"

# ------------------------------------------------------------ d. map and tiles through PostGIS

# bench/run_render.sh's overview and tiles, with its options, on b3.'s
# database beside b.'s GeoPackage store, both timed here the same way.
SIZE=1600x1200
ZOOM=0-9
BBOX=35.5,32.2,42.5,37.4
WANT_TILES=162
MAP_PNG=$WORK/map.png
TILES=$WORK/tiles
rm_map() { rm -f "$MAP_PNG"; }
rm_tiles() { rm -rf "$TILES"; }

# tiles_in DIR: the number of DIR/z/x/y.png
tiles_in() { (cd "$1" 2>/dev/null && find . -mindepth 3 -maxdepth 3 -path './[0-9]*' -name '*.png' | wc -l) || echo 0; }

# render_time map|tiles STORE: the best time of RUNS runs of eventmap map or
# tiles from STORE, in R_NS (empty when it failed) and R_S, the cell; R_NOTE
# says what went wrong, if anything.
render_time() {
    job=$1 target=$2
    R_NS='' R_NOTE=''
    case $job in
    map) set -- rm_map "$BIN" map --db "$target" -o "$MAP_PNG" --size "$SIZE" ;;
    *) set -- rm_tiles "$BIN" tiles --db "$target" -o "$TILES" --zoom "$ZOOM" --bbox "$BBOX" ;;
    esac
    if ! ns=$(best_ns "$RUNS" "$@"); then
        R_S="eventmap $job failed"
        R_NOTE=$(why)
        return
    fi
    R_NS=$ns
    R_S=$(secs "$ns")
    if [ "$job" = map ]; then
        grep -q "^eventmap map: $N events" "$WORK/err" "$WORK/out" 2>/dev/null ||
            R_NOTE=$(cat "$WORK/err" "$WORK/out" | head -n 1 | cut -c1-100)
    else
        tiles=$(tiles_in "$TILES")
        [ "$tiles" -eq "$WANT_TILES" ] || R_NOTE="wrote $tiles tiles, not $WANT_TILES"
    fi
}

for job in map tiles; do
    pg='' pg_s=- gp='' gp_s=$(pg_absent) note=
    if [ -n "$HAVE_PG" ]; then
        if [ -n "$PGEM_OK" ]; then
            render_time "$job" "$(pg_url)"
            pg=$R_NS pg_s=$R_S note="$note${R_NOTE:+ (via PostGIS: $R_NOTE)}"
        else
            pg_s="no store"
            note="$note (the import into PostGIS failed)"
        fi
        if [ -n "$EM_DB_OK" ]; then
            render_time "$job" "$DB"
            gp=$R_NS gp_s="$R_S GeoPackage" note="$note${R_NOTE:+ (GeoPackage: $R_NOTE)}"
        else
            gp_s="no GeoPackage store"
        fi
    fi
    if [ "$job" = map ]; then
        row "overview via PostGIS" "$pg_s" "$gp_s" "$(slowdown "$pg" "$gp")" "(none set)"
    else
        row "tiles z$ZOOM via PostGIS" "$pg_s" "$gp_s" "$(slowdown "$pg" "$gp")" "(none set)"
    fi
    [ -z "$note" ] || echo "  $note"
done
rm_map
rm_tiles
if [ -n "$HAVE_PG" ]; then
    echo "   (via PostGIS: eventmap --db $(pg_url), the peer's cluster;"
    echo "    map and tiles as bench/run_render.sh: $SIZE; zoom $ZOOM over bbox $BBOX)"
fi
