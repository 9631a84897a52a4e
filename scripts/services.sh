#!/usr/bin/env bash
# Make sure MariaDB and Redis answer on 127.0.0.1: start them if they are down, install them
# from Debian packages if they are absent. Idempotent; needs root (or sudo) only to install or start.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

log() { printf '[services] %s\n' "$*" >&2; }

apt_install() {
	log "installing $*"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # name, command
	for _ in $(seq 1 60); do
		if eval "$2" >/dev/null 2>&1; then return 0; fi
		sleep 0.5
	done
	log "$1 did not come up"
	return 1
}

mariadb_up() { mariadb-admin --protocol=tcp -h 127.0.0.1 -P 3306 -u root ping >/dev/null 2>&1 || mysqladmin --protocol=tcp -h 127.0.0.1 -u root ping >/dev/null 2>&1; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! mariadb_up; then
	if [ ! -x /usr/sbin/mariadbd ]; then apt_install mariadb-server mariadb-client; fi
	log "starting MariaDB"
	$SUDO mkdir -p /run/mysqld && $SUDO chown mysql:mysql /run/mysqld 2>/dev/null || true
	$SUDO start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
	wait_for MariaDB mariadb_up
fi

if ! redis_up; then
	if ! command -v redis-server >/dev/null 2>&1; then apt_install redis-server; fi
	log "starting Redis"
	redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	wait_for Redis redis_up
fi
log "MariaDB and Redis are up"
