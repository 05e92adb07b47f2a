# shellcheck shell=bash
# Sourced by the build scripts of the test harnesses (images/, k8snode/, engine/):
# their messages and how a build step's output is kept. The sourcing script sets
# BUILD_NAME (the prefix of its messages) before, and logdir and verbose before it
# calls run_logged.

log() { printf '%s: %s\n' "$BUILD_NAME" "$*" >&2; }
die() {
	log "$1"
	exit "${2:-1}"
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
