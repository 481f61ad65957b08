#!/bin/sh
# demo.sh - `make demo`: resolve the seed report's place names and say where
# the outputs are.  Later issues extend this to store, query and draw events.
set -eu
cd "$(dirname "$0")/.."
mkdir -p output
out=output/seed-places.jsonl
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT

echo "== eventmap resolve: the places of the seed report (examples/seed-places.txt)"
./eventmap resolve --limit 1 - < examples/seed-places.txt
./eventmap resolve --json --limit 3 - < examples/seed-places.txt > "$tmp"
mv "$tmp" "$out"
echo
echo "outputs:"
echo "  $out   every name with its three best places, as JSON lines"
echo "try:  ./eventmap resolve --json \"Deir ez-Zor\" Qamishlo \"Idlib province\""
