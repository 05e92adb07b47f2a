#!/usr/bin/env bash
# Smoke test of the image kit: starts each image briefly and checks that its program
# really runs. Needs no network beyond the local Docker daemon.
#
# Usage: e2e/images/smoke.sh [--env-file FILE] [NAME...]
#   The images are the NAME=TAG lines of FILE (as written by build.sh --env-file), or else
#   build.sh's output for the same NAMEs (it builds what is missing). No NAME: all.
# Prints one line per image (ok / FAIL and why) and ends with "N passed, N failed";
# exits 1 if any failed. The containers it starts carry the label io.gaiaflow.kit=true
# and are removed, with their anonymous volumes, when it ends.

# Scripts run inside the containers are single-quoted on purpose: they expand there.
# shellcheck disable=SC2016
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly ALL=(base python postgres minio airflow mlflow jupyter)
readonly RUN_LABEL=io.gaiaflow.kit.smoke=$$

log() { printf 'smoke: %s\n' "$*" >&2; }

env_file=
names=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--env-file)
		[[ $# -ge 2 ]] || { log "--env-file needs a file name"; exit 2; }
		env_file=$2
		shift 2
		;;
	--env-file=*) env_file=${1#*=}; shift ;;
	-h | --help) sed -n '5,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
	-*) log "unknown option $1"; exit 2 ;;
	*) names+=("$1"); shift ;;
	esac
done
[[ ${#names[@]} -gt 0 ]] || names=("${ALL[@]}")
for name in "${names[@]}"; do
	[[ " ${ALL[*]} " == *" $name "* ]] || { log "unknown image $name (one of: ${ALL[*]})"; exit 2; }
done

declare -A TAG=()
if [[ -n $env_file ]]; then
	lines=$(cat "$env_file")
else
	lines=$("$here/build.sh" "${names[@]}")
fi
while IFS='=' read -r name tag; do
	[[ -n $name ]] && TAG[$name]=$tag
done <<<"$lines"

cleanup() {
	local -a ids
	mapfile -t ids < <(docker ps -aq --filter "label=$RUN_LABEL")
	[[ ${#ids[@]} -eq 0 ]] || docker rm -fv "${ids[@]}" >/dev/null
}
trap cleanup EXIT

# run ARGS...: docker run, labelled for cleanup.
run() { docker run --label io.gaiaflow.kit=true --label "$RUN_LABEL" "$@"; }

# ready CONTAINER SECONDS CMD...: retries CMD every second until it succeeds; gives up
# after SECONDS, or as soon as CONTAINER has stopped, and then says why (its last log lines).
ready() {
	local c=$1 limit=$2 deadline=$((SECONDS + $2))
	shift 2
	until "$@" >/dev/null 2>&1; do
		if [[ $(docker inspect -f '{{.State.Running}}' "$c") != true ]]; then
			echo "the container stopped: $(docker logs --tail 5 "$c" 2>&1)"
			return 1
		fi
		if ((SECONDS >= deadline)); then
			echo "not ready after ${limit}s: $(docker logs --tail 5 "$c" 2>&1)"
			return 1
		fi
		sleep 1
	done
}

# Each check prints nothing on success, or why it failed (on stdout) and returns 1.

check_base() {
	run --rm "${TAG[base]}" sh -c 'test -s "$SSL_CERT_FILE" && apt-get --version >/dev/null' ||
		{ echo "apt or the CA bundle is missing"; return 1; }
}

check_python() {
	local out
	out=$(run --rm "${TAG[python]}" sh -c 'python -c "import ssl, venv" && pip --version') ||
		{ echo "python/pip failed: $out"; return 1; }
	[[ $out == *"/opt/venv/"* ]] || { echo "pip is not the venv's: $out"; return 1; }
}

check_postgres() {
	local c out
	# Passed by name (-e VAR), so the values stay off command lines.
	export POSTGRES_USER=kit_smoke POSTGRES_DB=kit_smoke_db
	export POSTGRES_PASSWORD="smoke-$RANDOM-$RANDOM" PGPASSWORD
	c=$(run -d -e POSTGRES_USER -e POSTGRES_PASSWORD -e POSTGRES_DB "${TAG[postgres]}")
	# TCP on the container's own address: the server listens beyond loopback.
	ready "$c" 60 docker exec "$c" sh -c 'pg_isready -q -h "$(hostname -i)" -p 5432' || return 1
	PGPASSWORD=$POSTGRES_PASSWORD
	out=$(docker exec -e PGPASSWORD "$c" sh -c \
		'psql -h "$(hostname -i)" -U kit_smoke -d kit_smoke_db -AtF " " -c "select current_user, current_database()"') ||
		{ echo "connection with the password failed: $out"; return 1; }
	[[ $out == "kit_smoke kit_smoke_db" ]] || { echo "unexpected user/db: $out"; return 1; }
	PGPASSWORD=wrong
	if docker exec -e PGPASSWORD "$c" sh -c 'psql -h "$(hostname -i)" -U kit_smoke -d kit_smoke_db -Atc "select 1"' >/dev/null 2>&1; then
		echo "a wrong password was accepted"
		return 1
	fi
}

check_minio() {
	local c
	c=$(run -d "${TAG[minio]}")
	ready "$c" 60 docker exec "$c" curl -fsS http://127.0.0.1:9000/minio/health/live || return 1
}

check_airflow() {
	local out
	out=$(run --rm "${TAG[airflow]}" version 2>&1) || { echo "airflow version failed: $out"; return 1; }
	[[ $out =~ (^|$'\n')3\.3\.[0-9]+ ]] || { echo "not Airflow 3.3.x: $out"; return 1; }
	out=$(run --rm "${TAG[airflow]}" bash -c 'id -u; curl --version >/dev/null && echo curl') ||
		{ echo "bash/curl failed: $out"; return 1; }
	[[ $out == $'50000\ncurl' ]] || { echo "unexpected user or no curl: $out"; return 1; }
}

check_mlflow() {
	local out c
	out=$(run --rm "${TAG[mlflow]}" mlflow --version 2>&1) || { echo "mlflow --version failed: $out"; return 1; }
	[[ $out == *"version 3."* ]] || { echo "not MLflow 3: $out"; return 1; }
	c=$(run -d "${TAG[mlflow]}" mlflow server --host 0.0.0.0 --port 5000 \
		--backend-store-uri sqlite:////tmp/mlflow.db --allowed-hosts '127.0.0.1:5000' --workers 1)
	# The first start migrates the new sqlite store; each extra worker would import all of
	# mlflow again. Still most of a minute on 2 busy cores.
	ready "$c" 180 docker exec "$c" curl -fsS http://127.0.0.1:5000/health || return 1
}

check_jupyter() {
	local out c
	out=$(run --rm "${TAG[jupyter]}" jupyter lab --version 2>&1) || { echo "jupyter lab --version failed: $out"; return 1; }
	[[ $out =~ ^4\. ]] || { echo "not JupyterLab 4: $out"; return 1; }
	c=$(run -d "${TAG[jupyter]}")
	ready "$c" 60 docker exec "$c" curl -fsS http://127.0.0.1:8888/api || return 1
}

passed=0 failed=0
for name in "${names[@]}"; do
	if [[ -z ${TAG[$name]:-} ]]; then
		echo "FAIL $name: no image (not in ${env_file:-build.sh output})"
		failed=$((failed + 1))
		continue
	fi
	log "$name: ${TAG[$name]}"
	start=$SECONDS
	if why=$("check_$name" 2>&1); then
		echo "ok   $name ${TAG[$name]} ($((SECONDS - start))s)"
		passed=$((passed + 1))
	else
		echo "FAIL $name ${TAG[$name]}: $why"
		failed=$((failed + 1))
	fi
	cleanup
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
