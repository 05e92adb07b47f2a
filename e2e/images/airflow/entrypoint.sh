#!/bin/sh
# Entrypoint of the kit's airflow image. As with the official image, the command may be
# an airflow subcommand with or without the leading `airflow` (`scheduler`,
# `airflow db migrate`); a shell, python, pip, curl or a path runs as given.
set -e
case "${1:-}" in
airflow | bash | sh | python | python3 | pip | curl | */*)
	exec "$@"
	;;
esac
exec airflow "$@"
