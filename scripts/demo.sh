#!/bin/sh
# demo.sh - `make demo`: the seed report end to end: resolve its place names,
# import its incidents (place names, no coordinates: geocoded), ask what
# happened near al-Dumair, export GeoJSON, draw an overview map and tiles
# with a viewer, and say where the outputs are.
set -eu
cd "$(dirname "$0")/.."
mkdir -p output
places=output/seed-places.jsonl
db=output/events.gpkg
geojson=output/events.geojson
tmp=$places.tmp.$$
trap 'rm -f "$tmp"' EXIT

echo "== eventmap resolve: the places of the seed report (examples/seed-places.txt)"
./eventmap resolve --limit 1 - < examples/seed-places.txt
./eventmap resolve --json --limit 3 - < examples/seed-places.txt > "$tmp"
mv "$tmp" "$places"

echo
echo "== eventmap import: the report's incidents (examples/seed-events.csv), geocoded"
rm -f "$db"
./eventmap import examples/seed-events.csv --db "$db"

echo
echo "== eventmap near al-Dumair --radius 50: what happened within 50 km"
./eventmap near al-Dumair --radius 50 --db "$db"

echo
echo "== eventmap export --format geojson"
./eventmap export --db "$db" --format geojson -o "$geojson"

echo
echo "== eventmap map: the overview for a report"
./eventmap map --db "$db" -o output/overview.png --title "Raid in al-Dumair and its aftermath, October 2025"

echo
echo "== eventmap tiles: a slippy map with an offline viewer"
rm -rf output/tiles
./eventmap tiles --db "$db" -o output/tiles --zoom 4-10

echo
echo "outputs:"
echo "  $places   every place name with its three best places, as JSON lines"
echo "  $db        the event store, an OGC GeoPackage (open it in QGIS or with ogrinfo)"
echo "  $geojson     the events as GeoJSON (RFC 7946) for a web map"
echo "  output/overview.png       a 1600x1200 overview map"
echo "  output/tiles/index.html   map tiles with a Leaflet viewer (open it in a browser)"
echo "try:  ./eventmap near Hasakah --radius 100 --db $db --format geojson"
