#!/usr/bin/env bash
# Builds the gaiaflow image kit: local images of the real programs the stack runs, for
# machines that cannot pull from a container registry (our tests, air-gapped users).
#
# Usage: e2e/images/build.sh [--env-file FILE] [--copy-from HOST] [--verbose] [NAME...]
#   NAME: base base-trixie python postgres airflow mlflow jupyter minio (none: all). The
#   images a NAME is built on are built first when missing.
#   --copy-from HOST: images missing here that the Docker daemon at HOST (unix://...) has
#   under the same tag are copied from it (docker save | docker load) instead of built.
#
# Each image is tagged gaiaflow-kit/NAME:HASH, HASH covering its recipe (the files in
# NAME/, the parent image's tag, and for base the Debian mirror and the host's CA bundle,
# for minio the Go toolchain). An image whose tag exists is not built again. At the end
# one NAME=TAG line per requested image goes to stdout (and to --env-file FILE); progress
# goes to stderr, build output to a log file (or to stderr with --verbose).
#
# Uses the docker CLI and the classic builder; needs root for debootstrap (base) and Go
# on PATH (minio).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Bump when a change to this script changes what it builds (flags, build args, contexts);
# the recipes' own files are hashed already.
readonly RECIPE_EPOCH=1
readonly LABEL=io.gaiaflow.kit
# In dependency order: an image comes after its parent.
readonly ALL=(base base-trixie python postgres minio airflow mlflow jupyter)
# The two bases are debootstraps of their own (Debian bookworm and trixie).
declare -A SUITE=([base]=bookworm [base-trixie]=trixie)
declare -A PARENT=([python]=base [postgres]=base-trixie [minio]=base [airflow]=python [mlflow]=python [jupyter]=python)
declare -A TAG=()

BUILD_NAME=kit
# shellcheck source=SCRIPTDIR/../buildlib.sh
. "$here/../buildlib.sh"

usage() { sed -n '4,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }

env_file='' verbose='' copy_from=''
requested=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--env-file)
		[[ $# -ge 2 ]] || die "--env-file needs a file name" 2
		env_file=$2
		shift 2
		;;
	--env-file=*)
		env_file=${1#*=}
		shift
		;;
	--copy-from)
		[[ $# -ge 2 ]] || die "--copy-from needs a daemon address (unix:///var/run/docker.sock)" 2
		copy_from=$2
		shift 2
		;;
	--copy-from=*)
		copy_from=${1#*=}
		shift
		;;
	-v | --verbose)
		verbose=1
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	-*) usage; die "unknown option $1" 2 ;;
	*)
		[[ -v "PARENT[$1]" || -v "SUITE[$1]" ]] || die "unknown image $1 (one of: ${ALL[*]})" 2
		requested+=("$1")
		shift
		;;
	esac
done
[[ ${#requested[@]} -gt 0 ]] || requested=("${ALL[@]}")

# --- the Debian mirror the host's apt uses --------------------------------------------

# apt_uri SUITE: the first URI the host's apt config lists for SUITE (deb822 .sources
# files and one-line .list files), or nothing.
apt_uri() {
	local suite=$1 f
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] || continue
		# Paragraphs are separated by blank lines; a paragraph may be disabled.
		awk -v suite="$suite" '
			function flush() {
				if (uri != "" && types ~ /(^| )deb( |$)/ && enabled != "no" && (" " suites " ") ~ (" " suite " "))
					{ print uri; found = 1; exit }
				uri = types = suites = enabled = ""
			}
			/^[[:space:]]*$/ { flush(); next }
			/^[[:space:]]*#/ { next }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "types:" { $1 = ""; types = $0 }
			tolower($1) == "suites:" { $1 = ""; suites = $0 }
			tolower($1) == "enabled:" { enabled = tolower($2) }
			END { if (!found) flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -f $f ]] || continue
		# deb [options] URI SUITE COMPONENT...
		sed -E 's/\[[^]]*\]//' "$f" | awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2 }'
	done
}

debian_mirrors() {
	if [[ -n ${KIT_DEBIAN_MIRROR:-} ]]; then
		mirror=$KIT_DEBIAN_MIRROR
	else
		mirror=$(apt_uri bookworm | head -n 1)
		if [[ -z $mirror ]]; then
			mirror=http://deb.debian.org/debian
			log "no bookworm mirror in the host's apt sources; using $mirror (set KIT_DEBIAN_MIRROR to change)"
		fi
	fi
	security=${KIT_DEBIAN_SECURITY_MIRROR-$(apt_uri bookworm-security | head -n 1)}
}

# --- recipes and tags -------------------------------------------------------------------

# recipe_dir NAME: the folder of NAME's recipe (both Debian bases share base/).
recipe_dir() { [[ -v "SUITE[$1]" ]] && echo base || echo "$1"; }

# recipe_inputs NAME: every input of NAME's recipe, as text, for hashing.
recipe_inputs() {
	local name=$1 f dir
	dir=$here/$(recipe_dir "$name")
	echo "gaiaflow-kit recipe epoch $RECIPE_EPOCH"
	echo "image $name"
	[[ -v "SUITE[$name]" ]] || echo "parent ${TAG[${PARENT[$name]}]}"
	case $name in
	base | base-trixie)
		echo "suite ${SUITE[$name]}"
		echo "mirror $mirror"
		echo "security $security"
		echo "ca-bundle $(sha256sum </etc/ssl/certs/ca-certificates.crt)"
		;;
	minio)
		echo "go $(go env GOVERSION GOOS GOARCH | tr '\n' ' ')"
		;;
	esac
	while IFS= read -r f; do
		printf 'file %s %s %s\n' "$f" "$([[ -x $dir/$f ]] && echo x || echo -)" "$(sha256sum <"$dir/$f")"
	done < <(cd "$dir" && find . -type f | LC_ALL=C sort)
}

recipe_hash() { recipe_inputs "$1" | sha256sum | cut -c1-12; }

# --- building ---------------------------------------------------------------------------

logdir=${KIT_LOG_DIR:-${TMPDIR:-/tmp}/gaiaflow-kit-logs}
mkdir -p "$logdir"

docker_build() { # NAME TAG CONTEXT
	local name=$1 tag=$2 ctx=$3 try
	for try in 1 2; do
		if run_logged "$name" docker build --pull=false --rm --force-rm \
			--label "$LABEL=true" --label "$LABEL.name=$name" \
			--build-arg "BASE_IMAGE=${TAG[${PARENT[$name]}]}" \
			-t "$tag" "$ctx"; then
			return 0
		fi
		# The classic builder keeps each step as an untagged image until the next step
		# commits; a `docker image prune` elsewhere on a shared daemon deletes it and the
		# build fails like this. Nothing of ours was wrong: build again, once.
		if [[ $try == 1 ]] && grep -qE 'unknown parent image ID|No such image: sha256:' "$logdir/$name.log"; then
			log "$name: an intermediate image vanished (a prune elsewhere?); building again"
			continue
		fi
		return 1
	done
}

build_minio() { # TAG
	local tag=$1 tmp rc=0
	tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/gaiaflow-kit-minio.XXXXXX")
	mkdir "$tmp/ctx" "$tmp/bin"
	log "minio: go install github.com/minio/minio@$(tr -d '[:space:]' <"$here/minio/VERSION")"
	local start=$SECONDS
	{
		run_logged minio-go "$here/minio/gobuild.sh" "$tmp/bin" &&
			log "minio: go install took $((SECONDS - start))s" &&
			cp "$here"/minio/Dockerfile "$here"/minio/entrypoint.sh "$tmp/bin/minio" "$tmp/ctx/" &&
			docker_build minio "$tag" "$tmp/ctx"
	} || rc=$?
	rm -rf "$tmp"
	return "$rc"
}

build_one() { # NAME
	local name=$1 tag start
	tag=gaiaflow-kit/$name:$(recipe_hash "$name")
	TAG[$name]=$tag
	if docker image inspect "$tag" >/dev/null 2>&1; then
		log "$name: $tag exists"
		return
	fi
	log "$name: building $tag"
	start=$SECONDS
	case $name in
	base | base-trixie) run_logged "$name" "$here/base/mkroot.sh" "$tag" "$mirror" "$security" "${SUITE[$name]}" ;;
	minio) build_minio "$tag" ;;
	*) docker_build "$name" "$tag" "$here/$name" ;;
	esac
	log "$name: built $tag in $((SECONDS - start))s"
}

# needed: the requested images and their ancestors, in dependency order.
declare -A want=()
for name in "${requested[@]}"; do
	while [[ -n $name ]]; do
		want[$name]=1
		name=${PARENT[$name]:-}
	done
done

command -v docker >/dev/null || die "docker CLI not found"
docker info >/dev/null 2>&1 || die "cannot reach the Docker daemon (is dockerd running?)"
[[ ! -v "want[minio]" ]] || command -v go >/dev/null || die "minio is built with Go: put go on PATH"
debian_mirrors

# copy_missing: the wanted images this daemon lacks and the one at $copy_from has, in one
# `docker save` (layers the images share travel once). A tag is its recipe's hash, so an
# image found there under it is the image this script would build here.
copy_missing() {
	local name tag start=$SECONDS copy=()
	docker -H "$copy_from" info >/dev/null 2>&1 || die "--copy-from: no Docker daemon answers at $copy_from"
	for name in "${ALL[@]}"; do
		[[ -v "want[$name]" ]] || continue
		tag=gaiaflow-kit/$name:$(recipe_hash "$name")
		TAG[$name]=$tag
		docker image inspect "$tag" >/dev/null 2>&1 && continue
		docker -H "$copy_from" image inspect "$tag" >/dev/null 2>&1 && copy+=("$tag")
	done
	[[ ${#copy[@]} -gt 0 ]] || return 0
	log "copying ${copy[*]} from $copy_from"
	docker -H "$copy_from" save "${copy[@]}" | run_logged copy docker load ||
		die "copying from $copy_from failed"
	log "copied ${#copy[@]} images in $((SECONDS - start))s"
}

total=$SECONDS
[[ -z $copy_from ]] || copy_missing
for name in "${ALL[@]}"; do
	if [[ -v "want[$name]" ]]; then
		build_one "$name"
	fi
done
log "done in $((SECONDS - total))s"

lines=()
for name in "${requested[@]}"; do
	lines+=("$name=${TAG[$name]}")
done
printf '%s\n' "${lines[@]}"
if [[ -n $env_file ]]; then
	printf '%s\n' "${lines[@]}" >"$env_file"
fi
