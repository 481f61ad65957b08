#!/bin/sh
# tests/pg/pg.sh - a throwaway PostgreSQL 15 + PostGIS 3 for the tests of
# the PostGIS back end, on a unix socket in a directory of its own (no TCP
# port), started and stopped by the test runner (tests/unit/main.c).
#
#   sh tests/pg/pg.sh start DIR   make a cluster in DIR/data and start it,
#                                 listening on DIR/.s.PGSQL.5432 only; make
#                                 the database eventmap_template with
#                                 PostGIS (the tests copy it, one database
#                                 each), and the role eventmap_pw, which
#                                 logs in with a password (for the tests of
#                                 a wrong one); everyone else is trusted
#   sh tests/pg/pg.sh stop DIR    stop it and remove DIR
#
# DIR must be short (a socket path has at most 107 bytes) and not exist.
# Run as root, the server runs as the user postgres, as Debian's does.  The
# server's settings are its defaults, but for fsync off: the tests kill
# clients, never the server, and a throwaway cluster need not survive a
# power loss.  Exit status 0, or 1 with the reason on stderr.
set -eu

PG_VERSION=15
PGBIN=/usr/lib/postgresql/$PG_VERSION/bin
PORT=5432
PW_ROLE=eventmap_pw
PW_PASSWORD=the-right-password

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

die() { printf 'pg.sh: %s\n' "$*" >&2; exit 1; }

sql() {
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres "$@"
}

[ $# -eq 2 ] || die "usage: pg.sh start|stop DIR"
DIR=$2

case $1 in
start)
    [ -x "$PGBIN/initdb" ] || die "PostgreSQL $PG_VERSION is not installed (sh scripts/setup.sh deps)"
    [ -f "/usr/share/postgresql/$PG_VERSION/extension/postgis.control" ] ||
        die "PostGIS for PostgreSQL $PG_VERSION is not installed (sh scripts/setup.sh deps)"
    mkdir "$DIR" || die "$DIR: cannot make the directory"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR"
    chmod 700 "$DIR"
    if ! as_owner "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C \
        >"$DIR/initdb.log" 2>&1; then
        tail -n 3 "$DIR/initdb.log" >&2
        die "initdb failed"
    fi
    # the password role first: pg_hba.conf's first matching line decides
    printf 'local all %s scram-sha-256\nlocal all all trust\n' "$PW_ROLE" >"$DIR/data/pg_hba.conf"
    if ! as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 120 \
        -o "-c listen_addresses='' -c unix_socket_directories='$DIR' -p $PORT -c fsync=off" \
        start >/dev/null 2>&1; then
        tail -n 5 "$DIR/server.log" >&2 2>/dev/null || true
        die "the server did not start"
    fi
    sql -d postgres -c 'CREATE DATABASE eventmap_template' >/dev/null &&
        sql -d eventmap_template -c 'CREATE EXTENSION postgis' >/dev/null &&
        sql -d postgres -c "CREATE ROLE $PW_ROLE LOGIN SUPERUSER PASSWORD '$PW_PASSWORD'" >/dev/null ||
        die "cannot make the template database"
    ;;
stop)
    if [ -f "$DIR/data/postmaster.pid" ]; then
        as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
    ;;
*)
    die "usage: pg.sh start|stop DIR"
    ;;
esac
