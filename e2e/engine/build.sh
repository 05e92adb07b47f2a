#!/usr/bin/env bash
# Builds a current Docker Engine to run beside the machine's own (engine.sh): dockerd and
# docker-proxy from the module github.com/moby/moby/v2 through the Go module proxy, the
# containerd 2 line dockerd is built against (Debian's 1.6 runs it too, but is three minor
# lines older), and the runc it needs (engine 29 gives containers a time namespace, which
# Debian's runc 1.1 does not know). Versions are pinned below.
#
# Usage: e2e/engine/build.sh [--verbose]
#
# Cached under ${GAIAFLOW_CI_CACHE:-/var/cache/gaiaflow-ci}/engine-VERSION-HASH/bin, HASH
# covering the recipe (versions, build tags, Go toolchain, libseccomp): a cached rerun
# takes about a second, a cold build 4-9 minutes on 2 cores. On stdout: ENGINE_BIN=DIR and
# ENGINE_VERSION=V lines for engine.sh; progress on stderr, build output in
# $TMPDIR/gaiaflow-engine-logs.
#
# Needs Go on PATH, a C compiler and Debian's libseccomp-dev (runc's seccomp support).
set -euo pipefail

# Bump when a change to this script changes what it builds.
readonly RECIPE_EPOCH=1
# The engine's module since 2025. The proxy serves only some of its tags: list them with
# `go list -m -versions github.com/moby/moby/v2`. beta.24 is the 29.8.1 release line (its
# releases/versions.yaml names the docker version; build.sh stamps that into the binary).
readonly MOBY=github.com/moby/moby/v2@v2.0.0-beta.24
readonly MOBY_TAGS='netgo osusergo static_build nri_no_wasm exclude_graphdriver_btrfs'
readonly RUNC=github.com/opencontainers/runc@v1.5.3
readonly RUNC_TAGS='seccomp'
# The containerd line moby v2.0.0-beta.24's go.mod requires (v2.3.5), at its latest patch.
readonly CONTAINERD=github.com/containerd/containerd/v2@v2.3.7
readonly CONTAINERD_TAGS='no_btrfs'

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_NAME=engine
# shellcheck source=SCRIPTDIR/../buildlib.sh
. "$here/../buildlib.sh"

build_options "$@"

scratch=()
trap 'rm -rf "${scratch[@]}"' EXIT

cache=${GAIAFLOW_CI_CACHE:-/var/cache/gaiaflow-ci}
logdir=${ENGINE_LOG_DIR:-${TMPDIR:-/tmp}/gaiaflow-engine-logs}
mkdir -p "$cache" "$logdir"

command -v go >/dev/null || die "the engine is built with Go: put go on PATH"
command -v cc >/dev/null || die "runc is built with cgo: install a C compiler (Debian's gcc)"
pkg-config --exists libseccomp 2>/dev/null || die "runc needs libseccomp's headers: install Debian's libseccomp-dev (.ci/install-packages does)"

goenv=$(go env GOVERSION GOOS GOARCH | tr '\n' ' ')
hash=$(printf '%s\n' "gaiaflow engine epoch $RECIPE_EPOCH" "moby $MOBY tags $MOBY_TAGS" \
	"runc $RUNC tags $RUNC_TAGS" "containerd $CONTAINERD tags $CONTAINERD_TAGS" "go $goenv" "libseccomp $(pkg-config --modversion libseccomp)" |
	sha256sum | cut -c1-12)

# The docker version of this module version: the release its releases/versions.yaml is
# about to make ("next"), which is what the module's tag was cut for.
moby_version() {
	local dir=$1 v
	v=$(sed -n 's/^[[:space:]]*next:[[:space:]]*"\{0,1\}\([0-9][0-9.]*\)"\{0,1\}[[:space:]]*$/\1/p' "$dir/releases/versions.yaml" | head -n 1)
	[[ -n $v ]] || die "found no docker version in $dir/releases/versions.yaml"
	echo "$v"
}

build() {
	local tmp start=$SECONDS dir version
	tmp=$(mktemp -d "$cache/.engine-build.XXXXXX")
	scratch+=("$tmp")
	dir=$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "$MOBY" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[[ -d $dir ]] || die "the Go proxy did not serve $MOBY"
	version=$(moby_version "$dir")
	log "building dockerd and docker-proxy $version ($MOBY; cold: a few minutes)"
	run_logged dockerd-go-install env CGO_ENABLED=0 GOBIN="$tmp/bin" go install -trimpath -tags "$MOBY_TAGS" \
		-ldflags "-s -w -X github.com/moby/moby/v2/dockerversion.Version=$version -X github.com/moby/moby/v2/dockerversion.GitCommit=${MOBY#*@}" \
		"${MOBY%@*}/cmd/dockerd@${MOBY#*@}" "${MOBY%@*}/cmd/docker-proxy@${MOBY#*@}"
	log "building runc ($RUNC)"
	run_logged runc-go-install env CGO_ENABLED=1 GOBIN="$tmp/bin" go install -trimpath -tags "$RUNC_TAGS" \
		-ldflags "-s -w -X main.gitCommit=${RUNC#*@}" "$RUNC"
	log "building containerd ($CONTAINERD)"
	run_logged containerd-go-install env CGO_ENABLED=0 GOBIN="$tmp/bin" go install -trimpath -tags "$CONTAINERD_TAGS" \
		-ldflags "-s -w -X github.com/containerd/containerd/v2/version.Version=${CONTAINERD#*@v} -X github.com/containerd/containerd/v2/version.Revision=${CONTAINERD#*@}" \
		"${CONTAINERD%@*}/cmd/containerd@${CONTAINERD#*@}" "${CONTAINERD%@*}/cmd/containerd-shim-runc-v2@${CONTAINERD#*@}"
	echo "$version" >"$tmp/bin/VERSION"
	"$tmp/bin/dockerd" --version >&2
	"$tmp/bin/containerd" --version >&2
	"$tmp/bin/runc" --version | sed -n 1p >&2
	mkdir -p "$bin_dir"
	rm -rf "${bin_dir:?}/bin"
	mv "$tmp/bin" "$bin_dir/bin"
	log "built the engine in $((SECONDS - start))s: $bin_dir/bin"
}

bin_dir=$cache/engine-${MOBY#*@}-$hash
if [[ -x $bin_dir/bin/dockerd && -x $bin_dir/bin/docker-proxy && -x $bin_dir/bin/runc &&
	-x $bin_dir/bin/containerd && -x $bin_dir/bin/containerd-shim-runc-v2 && -f $bin_dir/bin/VERSION ]]; then
	log "engine $(<"$bin_dir/bin/VERSION"): $bin_dir/bin exists"
else
	build
fi
echo "ENGINE_BIN=$bin_dir/bin"
echo "ENGINE_VERSION=$(<"$bin_dir/bin/VERSION")"
