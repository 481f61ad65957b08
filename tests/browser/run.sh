#!/bin/sh
# run.sh - the real-browser test of the tile viewer, as `make test-browser`
# runs it: tiles of examples/seed-events.csv into a temporary directory,
# then viewer.test.mjs on them (headless Chromium driven by playwright-core,
# both installed by `sh scripts/setup.sh browser`).
#
#   sh tests/browser/run.sh [EVENTMAP_BIN [SCREENSHOT.png]]
#
# The screenshot (default build/viewer.png) is kept for a person to look at.
set -eu

cd "$(dirname "$0")/../.."
bin=${1:-./eventmap}
shot=${2:-build/viewer.png}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eventmap-browser.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
"$bin" tiles --in examples/seed-events.csv -o "$tmp/tiles" --zoom 0-8
mkdir -p "$(dirname "$shot")"
node tests/browser/viewer.test.mjs "$tmp/tiles" "$shot"
