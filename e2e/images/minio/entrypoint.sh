#!/bin/sh
# Entrypoint of the kit's minio image: the arguments go to minio, with or without a
# leading `minio` (the upstream image takes both forms).
set -e
if [ "${1:-}" = minio ]; then
	shift
fi
exec minio "$@"
