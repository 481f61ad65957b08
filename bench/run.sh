#!/bin/sh
# bench/run.sh - `make bench`: gazetteer build time, cold start and resolve
# throughput, printed beside the targets in DESIGN.md and the issue.  Figures
# are wall-clock on this machine; run it on an idle machine.  Not a test.
set -eu
cd "$(dirname "$0")/.."
BIN=./eventmap
IDX=$(mktemp -d)/bench.idx
trap 'rm -rf "$(dirname "$IDX")"' EXIT

now_ns() { date +%s%N; }

echo "== gazetteer (cities500 + curated + Natural Earth countries)"
t0=$(now_ns)
$BIN gazetteer build -o "$IDX" 2>/dev/null
t1=$(now_ns)
awk -v ns=$((t1 - t0)) 'BEGIN { printf "index build                     %8.2f s   (target <= 5 s)\n", ns / 1e9 }'
ls -l "$IDX" | awk '{ printf "index size                      %8.1f MB\n", $5 / 1e6 }'

# Whole process, one name: median of 41 runs (the page cache is warm).
./build/gaz_bench --process 41 $BIN resolve --gazetteer "$IDX" al-Dumair

# Cold: the index evicted from the page cache, when the machine lets us.
if [ -w /proc/sys/vm/drop_caches ] && sync && echo 1 > /proc/sys/vm/drop_caches 2>/dev/null; then
    t0=$(now_ns)
    $BIN resolve --gazetteer "$IDX" al-Dumair >/dev/null
    t1=$(now_ns)
    awk -v ns=$((t1 - t0)) 'BEGIN { printf "resolve, cold page cache        %8.2f ms\n", ns / 1e6 }'
else
    echo "resolve, cold page cache        (cannot drop the page cache here; skipped)"
fi

./build/gaz_bench "$IDX" tests/data/spellings.tsv 3

# Geoparse: 1 MB of news text (the seed report, repeated), whole process.
TEXT=$(dirname "$IDX")/news-1mb.txt
SEED=../shared/seed/article.txt
if [ -r "$SEED" ]; then
    : > "$TEXT"
    while [ "$(wc -c < "$TEXT")" -lt 1048576 ]; do cat "$SEED" >> "$TEXT"; done
    ./build/gaz_bench --process 5 $BIN geoparse --gazetteer "$IDX" "$TEXT" |
        sed 's/resolve of one name, process   /geoparse 1 MB of text, process/; s/target <= 20 ms/target < 1000 ms/'
    ./build/gaz_bench --process 3 $BIN geoparse --events --published 2025-10-24 --gazetteer "$IDX" "$TEXT" |
        sed 's/resolve of one name, process   /geoparse --events, 1 MB        /; s/target <= 20 ms/target < 1000 ms/'
fi
