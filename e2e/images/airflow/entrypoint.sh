#!/bin/sh
# Entrypoint of the kit's airflow image. As with the official image, the command may be
# an airflow subcommand with or without the leading `airflow` (`scheduler`,
# `airflow db migrate`); a shell, python, pip, curl or a path runs as given.
#
# It pays the official entrypoint's start-up checks, so that what the stack spends on
# them is measured here too: unless CONNECTION_CHECK_MAX_COUNT is 0 (default 20), every
# start runs `airflow db check` until it passes (that many tries,
# CONNECTION_CHECK_SLEEP_TIME seconds apart, default 3) before any command, shells and
# python included, and a scheduler also asks `airflow config get-value core executor`.
set -e
tries=${CONNECTION_CHECK_MAX_COUNT:-20}
pause=${CONNECTION_CHECK_SLEEP_TIME:-3}
if [ "$tries" -gt 0 ]; then
	left=$tries
	until out=$(airflow db check 2>&1); do
		left=$((left - 1))
		if [ "$left" -le 0 ]; then
			echo "airflow db check failed $tries times; the last said:" >&2
			echo "$out" >&2
			exit 1
		fi
		sleep "$pause"
	done
fi
case "${1:-}" in
bash | sh | python | python3 | pip | curl | */*)
	exec "$@"
	;;
airflow)
	shift
	;;
esac
if [ "${1:-}" = scheduler ] && [ "$tries" -gt 0 ]; then
	airflow config get-value core executor >/dev/null
fi
exec airflow "$@"
