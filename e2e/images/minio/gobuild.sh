#!/usr/bin/env bash
# Builds the MinIO server from the Go module proxy into OUTDIR/minio: a static binary
# (CGO_ENABLED=0), version from ./VERSION. VERSION pins what `@latest` resolved to when it
# was written (MinIO tags no semver releases, so that is a pseudo-version of the newest
# commit); write `latest` there to follow upstream, at the cost of the image's tag no
# longer naming one build.
#
# Usage: gobuild.sh OUTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$1
version=$(tr -d '[:space:]' <"$here/VERSION")

# -s -w drop the symbol tables (a third of the size); -trimpath keeps host paths out.
CGO_ENABLED=0 GOBIN="$out" GOFLAGS=-buildvcs=false \
	go install -trimpath -ldflags='-s -w' "github.com/minio/minio@$version"
test -x "$out/minio"
