#!/bin/bash
# Entrypoint of the kit's postgres image. Like the official image: on the first start
# with an empty PGDATA it creates the cluster with POSTGRES_USER (default postgres) and
# POSTGRES_PASSWORD, creates POSTGRES_DB (default: the user's name), runs
# /docker-entrypoint-initdb.d/*.sql and *.sh, then serves on 0.0.0.0:5432 with password
# auth (scram-sha-256, or POSTGRES_HOST_AUTH_METHOD). POSTGRES_INITDB_ARGS is passed to
# initdb. Like upstream's, each of POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB and
# POSTGRES_INITDB_ARGS may come from a file named by the variable with _FILE (a secret file,
# read while still root). Any command other than postgres (or its options) is run as given.
set -euo pipefail

# file_env VAR: VAR from the file VAR_FILE names, never both.
file_env() {
	local var=$1 file_var="${1}_FILE"
	if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
		echo "postgres: both $var and $file_var are set (but they are exclusive)" >&2
		exit 1
	fi
	if [[ -n ${!file_var:-} ]]; then
		export "$var"="$(<"${!file_var}")"
		unset "$file_var"
	fi
}

if [[ ${1:-} == -* ]]; then
	set -- postgres "$@"
fi
if [[ ${1:-} != postgres ]]; then
	exec "$@"
fi

for v in POSTGRES_USER POSTGRES_PASSWORD POSTGRES_DB POSTGRES_INITDB_ARGS; do
	file_env "$v"
done

if [[ $(id -u) == 0 ]]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	chown postgres:postgres "$PGDATA" /var/run/postgresql
	chmod 0700 "$PGDATA"
	exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

init_cluster() {
	local user=${POSTGRES_USER:-postgres}
	local db=${POSTGRES_DB:-$user}
	local auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
	local -a initdb_args=(--username="$user" --auth-local=trust --auth-host="$auth")

	if [[ -z ${POSTGRES_PASSWORD:-} && $auth != trust ]]; then
		echo "postgres: POSTGRES_PASSWORD is not set and the database is not initialised." >&2
		echo "postgres: set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust for tests)." >&2
		exit 1
	fi
	# The password goes to initdb through a file, never on a command line.
	local pwfile=
	if [[ -n ${POSTGRES_PASSWORD:-} ]]; then
		pwfile=$(mktemp)
		printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
		initdb_args+=(--pwfile="$pwfile")
	fi
	# shellcheck disable=SC2206 # word splitting is how POSTGRES_INITDB_ARGS is meant
	initdb_args+=(${POSTGRES_INITDB_ARGS:-})
	echo "postgres: initialising $PGDATA for user $user" >&2
	initdb -D "$PGDATA" "${initdb_args[@]}" >/dev/null
	[[ -z $pwfile ]] || rm -f "$pwfile"

	printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
	printf 'host all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

	# A private server on the unix socket only, for the setup below.
	pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
	local -a psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username="$user")
	if [[ $db != postgres ]]; then
		echo 'CREATE DATABASE :"db";' | "${psql[@]}" --dbname=postgres --set=db="$db"
	fi
	local f
	for f in /docker-entrypoint-initdb.d/*; do
		case $f in
		*.sql) echo "postgres: running $f" >&2; "${psql[@]}" --dbname="$db" -f "$f" ;;
		*.sh) echo "postgres: running $f" >&2; bash "$f" ;;
		*) [[ ! -e $f ]] || echo "postgres: ignoring $f" >&2 ;;
		esac
	done
	pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
	echo "postgres: initialised; database $db is ready" >&2
}

if [[ ! -s $PGDATA/PG_VERSION ]]; then
	init_cluster
fi
exec "$@"
