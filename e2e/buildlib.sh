# shellcheck shell=bash
# Sourced by the build scripts of the test harnesses (images/, k8snode/, engine/):
# their messages and how a build step's output is kept. The sourcing script sets
# BUILD_NAME (the prefix of its messages) before, and logdir (and verbose, which
# build_options sets) before it calls run_logged.

log() { printf '%s: %s\n' "$BUILD_NAME" "$*" >&2; }
die() {
	log "$1"
	exit "${2:-1}"
}

# build_options ARG...: the options of a build script that takes --verbose (sets
# verbose=1, for run_logged) or --help (prints the script's header comment, lines 2
# to 15) and nothing else.
build_options() {
	verbose=''
	case ${1:-} in
	-v | --verbose) verbose=1 ;;
	'') ;;
	-h | --help)
		sed -n '2,15p' "${BASH_SOURCE[1]}" | sed 's/^# \{0,1\}//' >&2
		exit 0
		;;
	*) die "unknown argument $1" 2 ;;
	esac
}

# run_logged NAME CMD...: runs CMD with its output in $logdir/NAME.log (also on stderr
# with --verbose); on failure shows the log's tail.
run_logged() {
	# shellcheck disable=SC2154 # logdir and verbose: the sourcing script's
	local name=$1 logf=$logdir/$1.log rc=0
	shift
	if [[ -n $verbose ]]; then
		"$@" 2>&1 | tee "$logf" >&2 || rc=$?
	else
		"$@" >"$logf" 2>&1 || rc=$?
	fi
	if [[ $rc -ne 0 ]]; then
		[[ -n $verbose ]] || tail -n 40 "$logf" >&2
		log "$name: failed; full log in $logf"
	fi
	return "$rc"
}
