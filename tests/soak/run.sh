#!/bin/sh
# tests/soak/run.sh BIN - `make soak`: kill -9 eventmap after sleeps of 10 ms
# to 2.5 s while it imports 200,000 rows into a store that holds the seed's
# 9 events, draws a big map over an old one and renders a tile pyramid, and
# report what each kill left.  Where a kill lands depends on this machine's
# speed, so this run never fails: it reports.  The tests (make test) kill at
# named points instead (EVENTMAP_CRASH_AT, tests/cli/test_crash_safety.c).
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
T=$(mktemp -d "${TMPDIR:-/tmp}/eventmap-soak.XXXXXX")
trap 'rm -rf "$T"' EXIT
DELAYS="0.01 0.02 0.04 0.08 0.16 0.32 0.64 1.28 2.56"
broken=0
kills=0

# Start "$@" in the background, sleep $1 seconds, kill -9 it; say whether
# the kill landed before the end.
kill_after() {
    delay=$1
    shift
    "$@" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    if kill -9 "$pid" 2>/dev/null; then landed=killed; else landed=finished; fi
    wait "$pid" 2>/dev/null
    kills=$((kills + 1))
}

events() {
    "$BIN" export --db "$1" --format csv 2>/dev/null | tail -n +2 | wc -l
}

awk 'BEGIN { print "id,event_date,event_type,location,latitude,longitude";
             for (i = 0; i < 200000; i++)
                 printf "s%d,2024-%02d-%02d,Battles,place %d,%.4f,%.4f\n", i, 1 + i % 12, 1 + i % 28, i,
                        32 + (i % 5000) * 0.001, 35 + int(i / 5000) * 0.01 }' > "$T/big.csv"

echo "== import, killed after a sleep"
for d in $DELAYS; do
    rm -f "$T/s.db"
    "$BIN" import examples/seed-events.csv --db "$T/s.db" >/dev/null 2>&1
    kill_after "$d" "$BIN" import "$T/big.csv" --db "$T/s.db"
    n=$(events "$T/s.db")
    case "$n" in
        9) what="as it was" ;;
        200009) what="the import had committed" ;;
        *) what="BROKEN: neither as it was nor whole"; broken=$((broken + 1)) ;;
    esac
    echo "  after ${d}s ($landed): $n events: $what"
done

echo "== map over an old one, killed after a sleep"
"$BIN" map --in examples/seed-events.csv -o "$T/m.png" --size 300x200 >/dev/null 2>&1
old=$(cksum < "$T/m.png")
for d in $DELAYS; do
    kill_after "$d" "$BIN" map --in examples/seed-events.csv -o "$T/m.png" --size 6000x4000
    if [ "$landed" = finished ]; then what="the new map"; old=$(cksum < "$T/m.png")
    elif [ "$(cksum < "$T/m.png")" = "$old" ]; then what="the old map, byte for byte"
    else what="BROKEN: the map changed though the run was killed"; broken=$((broken + 1)); fi
    echo "  after ${d}s ($landed): $what; $(ls "$T" | grep -c 'm.png.tmp.') temporaries left"
done

echo "== tiles, killed after a sleep, then --resume"
for d in $DELAYS; do
    kill_after "$d" "$BIN" tiles --in examples/seed-events.csv -o "$T/t" --zoom 0-11 --jobs 1 --resume
    n=$(find "$T/t" -name '*.png' -path '*/[0-9]*' 2>/dev/null | wc -l)
    echo "  after ${d}s ($landed): $n tiles; index.html $( [ -f "$T/t/index.html" ] && echo there || echo absent)"
done
"$BIN" tiles --in examples/seed-events.csv -o "$T/t" --zoom 0-11 --resume 2>&1 | sed 's/^/  rerun: /'
left=$(find "$T/t" -name '*.tmp.*' | wc -l)
[ "$left" -eq 0 ] || { echo "  BROKEN: $left temporaries left after the rerun"; broken=$((broken + 1)); }

echo "soak: $kills kills, $broken broken (this run reports; it does not fail)"
exit 0
