#!/bin/sh
# bench/run_gazbig.sh - `make bench`, after bench/run.sh: a village-level
# gazetteer the size of GeoNames' allCountries.txt.  bench/gen_geonames.c
# writes BENCH_GAZ_ROWS rows (default 12,000,000, about 1.4 GB) of the
# `geoname` table and the matching alternateNamesV2.txt (about 0.6 GB) into
# .cache/bench/ once (again only when the generator's version or the row
# count changes); then `eventmap gazetteer build` makes an index of them,
# cities1000.txt and the usual admin-1 names, countries and curated tables,
# and this prints the build's wall time and peak memory (GNU time's maximum
# resident set size), the index's size, the time of a whole `resolve`
# process and resolves per second on it.  The big index is deleted at the
# end; the generated files are kept for the next run.  What cannot be
# measured here is printed as such.  Not a test: run it on an idle machine.
set -eu
cd "$(dirname "$0")/.."

BIN=${EVENTMAP_BIN:-./eventmap}
N=${BENCH_GAZ_ROWS:-12000000}
CACHE=.cache/bench
PLACES=$CACHE/geonames-$N.txt
ALTS=$CACHE/altnames-$N.txt
GEN=build/gen_geonames
GAZ_BENCH=build/gaz_bench
WORK=$CACHE/gazbig-run
IDX=$WORK/big.idx

mkdir -p "$CACHE"
rm -rf "$WORK"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }

# newer A B: A was modified after B (or B is missing).
newer() { [ ! -e "$2" ] || [ -n "$(find "$1" -newer "$2" 2>/dev/null)" ]; }

# free_mb DIR: megabytes free on DIR's file system.
free_mb() { df -Pm "$1" | awk 'NR == 2 { print $4 }'; }

if [ ! -x "$GEN" ] || newer bench/gen_geonames.c "$GEN" || newer bench/rng.h "$GEN"; then
    mkdir -p build
    ${CC:-cc} -std=c11 -O2 -o "$GEN.tmp" bench/gen_geonames.c && mv -f "$GEN.tmp" "$GEN"
fi

echo "== gazetteer from $N synthetic GeoNames rows (allCountries.txt size at 12,000,000) + cities1000 + curated"

# ------------------------------------------------------------ data

want_version="$("$GEN" --version) n=$N"
if [ ! -f "$PLACES" ] || [ ! -f "$ALTS" ] || [ "$(cat "$PLACES.version" 2>/dev/null)" != "$want_version" ]; then
    # about 120 bytes a row and 50 bytes an alternate name, with room to spare
    need_mb=$((N / 5000 + 100))
    if [ "$(free_mb "$CACHE")" -lt "$need_mb" ]; then
        echo "not measured: the generated files need about $need_mb MB free in $CACHE"
        exit 0
    fi
    echo "   making $PLACES and $ALTS ($want_version)"
    # one pair of files at a time: they are gigabytes
    rm -f "$CACHE"/geonames-*.txt "$CACHE"/geonames-*.txt.version "$CACHE"/altnames-*.txt "$CACHE"/*.txt.tmp
    "$GEN" -n "$N" -o "$PLACES.tmp" --alternates "$ALTS.tmp"
    mv -f "$PLACES.tmp" "$PLACES"
    mv -f "$ALTS.tmp" "$ALTS"
    printf '%s\n' "$want_version" >"$PLACES.version"
fi
n_alts=$(wc -l <"$ALTS")
awk -v p="$N" -v a="$n_alts" -v pb="$(wc -c <"$PLACES")" -v ab="$(wc -c <"$ALTS")" 'BEGIN {
    printf "geoname rows                    %10d         (%.0f MB)\n", p, pb / 1e6
    printf "alternate name rows             %10d         (%.0f MB)\n", a, ab / 1e6 }'

# ------------------------------------------------------------ build

# the index is about 240 bytes a row
need_mb=$((N / 4000 + 200))
if [ "$(free_mb "$WORK")" -lt "$need_mb" ]; then
    echo "not measured: the index needs about $need_mb MB free in $WORK"
    exit 0
fi
TIME=
if [ -x /usr/bin/time ] && /usr/bin/time -f '%M' true >/dev/null 2>&1; then TIME=/usr/bin/time; fi
t0=$(now_ns)
if [ -n "$TIME" ]; then
    "$TIME" -o "$WORK/time" -f '%M' "$BIN" gazetteer build --geonames .cache/data/cities1000.txt \
        --geonames "$PLACES" --alternates "$ALTS" -o "$IDX" 2>"$WORK/err" || {
        echo "index build failed: $(grep -v 'Command exited' "$WORK/err" | head -n 1)"
        exit 1
    }
else
    "$BIN" gazetteer build --geonames .cache/data/cities1000.txt \
        --geonames "$PLACES" --alternates "$ALTS" -o "$IDX" 2>"$WORK/err" || {
        echo "index build failed: $(head -n 1 "$WORK/err")"
        exit 1
    }
fi
t1=$(now_ns)
awk -v ns=$((t1 - t0)) 'BEGIN { printf "index build                     %10.1f s\n", ns / 1e9 }'
if [ -n "$TIME" ]; then
    awk '{ printf "peak memory of the build        %10.2f GB       (maximum resident set, GNU time)\n", $1 * 1024 / 1e9 }' \
        "$WORK/time"
else
    echo "peak memory of the build        not measured (no GNU time: sh scripts/setup.sh peers)"
fi
sed -n 's/^.*: \([0-9]* places, [0-9]* names, [0-9]* keys, [0-9]* fuzzy entries\).*/index holds                     \1/p' "$WORK/err"
ls -l "$IDX" | awk '{ printf "index size                      %10.2f GB\n", $5 / 1e9 }'

# ------------------------------------------------------------ resolve

# Cold: the index evicted from the page cache, when the machine lets us.
if [ -w /proc/sys/vm/drop_caches ] && sync && echo 1 >/proc/sys/vm/drop_caches 2>/dev/null; then
    t0=$(now_ns)
    "$BIN" resolve --gazetteer "$IDX" al-Dumair >/dev/null
    t1=$(now_ns)
    awk -v ns=$((t1 - t0)) 'BEGIN { printf "resolve, cold page cache        %10.2f ms\n", ns / 1e6 }'
else
    echo "resolve, cold page cache        not measured (cannot drop the page cache here)"
fi
if [ -x "$GAZ_BENCH" ]; then
    "$GAZ_BENCH" --process 21 "$BIN" resolve --gazetteer "$IDX" al-Dumair
    "$GAZ_BENCH" "$IDX" tests/data/spellings.tsv 3
else
    echo "resolve timings                 not measured ($GAZ_BENCH is missing: make $GAZ_BENCH)"
fi
