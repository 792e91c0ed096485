#!/usr/bin/env bash
# Throwaway PostgreSQL 15 and MariaDB 10.11 servers for the backend tests, on 127.0.0.1, from
# Debian's packages, with all their files in one temporary folder.
#
#   tests/db/db_servers.sh start DIR [postgresql|mysql]
#                                      initialise and start both (or the one named) in DIR (made
#                                      if missing); prints the environment the tests read, as
#                                      shell assignments:
#                                        BILLING_TEST_POSTGRESQL_URL=postgresql://...
#                                        BILLING_TEST_MYSQL_URL=mysql://...
#                                      and writes them to DIR/env too
#   tests/db/db_servers.sh stop DIR    stops both (fast shutdown) and removes DIR
#   tests/db/db_servers.sh down DIR postgresql|mysql   stops one server, keeping its data
#   tests/db/db_servers.sh up DIR postgresql|mysql     starts it again on the same port
#                                      (a database restart, for the tests that need one)
#
# Ports are picked free at start. Runs as root (the test machine's CI user): PostgreSQL refuses
# to run as root, so its commands run as the postgres user, with every file it writes (data,
# socket, log) in folders it owns. Nothing is installed or started system-wide.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin

# A port nothing listens on, below the kernel's ephemeral range (ip_local_port_range): a port
# in that range can be handed to a client's outgoing connection while the server is down (the
# restart tests), even to a client connecting to that very port (a TCP self-connect), and then
# the server cannot bind it again ("Address already in use", seen once in a full run).
free_port() {
  local port low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  if [ "$low" -le 12000 ]; then low=32768; fi
  for _ in $(seq 1 100); do
    port=$((10000 + RANDOM % (low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "db_servers: no free port found" >&2
  return 1
}

pg_up() {
  local dir=$1
  if ! runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log/server.log" -w -t 120 \
    -o "-p $(cat "$dir/pg/port") -c listen_addresses=127.0.0.1 -k $dir/pg/run -c fsync=on -c max_connections=200" \
    start >>"$dir/pg/log/pg_ctl.log" 2>&1; then
    echo "db_servers: PostgreSQL did not start; $dir/pg/log/server.log:" >&2
    tail -20 "$dir/pg/log/server.log" >&2
    exit 1
  fi
}

pg_down() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$1/pg/data" -m fast -w -t 30 stop >>"$1/pg/log/pg_ctl.log" 2>&1
}

my_up() {
  local dir=$1
  mariadbd --no-defaults --datadir="$dir/mysql/data" --user=root --bind-address=127.0.0.1 --port="$(cat "$dir/mysql/port")" \
    --socket="$dir/mysql/run/mysqld.sock" --pid-file="$dir/mysql/run/mysqld.pid" \
    --log-error="$dir/mysql/error.log" --skip-name-resolve --max-connections=300 \
    --innodb-flush-log-at-trx-commit=1 --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
    >/dev/null 2>&1 &
  local tries=0
  until mariadb-admin --socket="$dir/mysql/run/mysqld.sock" -uroot ping >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ $tries -gt 1200 ]; then  # 2 minutes: a loaded 2-core machine runs several at once
      echo "db_servers: MariaDB did not start; $dir/mysql/error.log:" >&2
      tail -20 "$dir/mysql/error.log" >&2
      exit 1
    fi
    sleep 0.1
  done
}

my_down() {
  local dir=$1 tries=0
  mariadb-admin --socket="$dir/mysql/run/mysqld.sock" -uroot shutdown >/dev/null 2>&1 || true
  while [ -f "$dir/mysql/run/mysqld.pid" ] && [ $tries -lt 300 ]; do
    tries=$((tries + 1))
    sleep 0.1
  done
}

start() {
  local dir=$1 only=${2:-}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  chmod 755 "$dir"
  : >"$dir/env"
  case "$only" in
    "") start_postgresql "$dir"; start_mysql "$dir" ;;
    postgresql | mysql) "start_$only" "$dir" ;;
    *) echo "usage: $0 start DIR [postgresql|mysql]" >&2; exit 64 ;;
  esac
  cat "$dir/env"
}

start_postgresql() {
  local dir=$1
  # PostgreSQL: data, socket and log folders owned by postgres.
  local pg_port
  pg_port=$(free_port)
  install -d -o postgres -g postgres -m 700 "$dir/pg/data"
  install -d -o postgres -g postgres -m 755 "$dir/pg/run" "$dir/pg/log"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/pg/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    >"$dir/pg/log/initdb.log" 2>&1
  echo "$pg_port" >"$dir/pg/port"
  pg_up "$dir"
  runuser -u postgres -- "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE USER billing PASSWORD 'billing' CREATEDB" -c "CREATE DATABASE billing OWNER billing" >/dev/null
  echo "BILLING_TEST_POSTGRESQL_URL=postgresql://billing:billing@127.0.0.1:$pg_port/billing" >>"$dir/env"
}

start_mysql() {
  local dir=$1
  # MariaDB: everything under $dir/mysql, run as root (--user=root), no system config read.
  local my_port
  my_port=$(free_port)
  mkdir -p "$dir/mysql/data" "$dir/mysql/run"
  mariadb-install-db --no-defaults --datadir="$dir/mysql/data" --user=root \
    --auth-root-authentication-method=normal --skip-test-db >"$dir/mysql/install.log" 2>&1
  echo "$my_port" >"$dir/mysql/port"
  my_up "$dir"
  mariadb --socket="$dir/mysql/run/mysqld.sock" -uroot -e "
    CREATE DATABASE billing CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
    CREATE USER 'billing'@'127.0.0.1' IDENTIFIED BY 'billing';
    GRANT ALL ON *.* TO 'billing'@'127.0.0.1';"
  echo "BILLING_TEST_MYSQL_URL=mysql://billing:billing@127.0.0.1:$my_port/billing" >>"$dir/env"
}

stop() {
  local dir=$1
  [ -d "$dir" ] || return 0
  if [ -f "$dir/pg/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  if [ -S "$dir/mysql/run/mysqld.sock" ]; then
    mariadb-admin --socket="$dir/mysql/run/mysqld.sock" -uroot shutdown >/dev/null 2>&1 || true
  fi
  if [ -f "$dir/mysql/run/mysqld.pid" ]; then
    kill "$(cat "$dir/mysql/run/mysqld.pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

one() {  # up|down DIR postgresql|mysql
  case "$3" in
    postgresql) "pg_$1" "$2" ;;
    mysql) "my_$1" "$2" ;;
    *) echo "usage: $0 up|down DIR postgresql|mysql" >&2; exit 64 ;;
  esac
}

case "${1:-}" in
  start) start "${2:?a folder}" "${3:-}" ;;
  stop) stop "${2:?a folder}" ;;
  up | down) one "$1" "$(cd "${2:?a folder}" && pwd)" "${3:-}" ;;
  *) echo "usage: $0 start DIR [postgresql|mysql], stop DIR, or up|down DIR postgresql|mysql" >&2; exit 64 ;;
esac
