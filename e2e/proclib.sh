# shellcheck shell=bash
# Sourced by the scripts that run the test harnesses' daemons (k8snode/node.sh,
# engine/engine.sh): starting a daemon and telling whether it still runs. The
# sourcing script sets dir (its state directory, which every daemon's command line
# names), run (run/pids/NAME holds each pid) and logs (logs/NAME.log each output).

# spawn NAME CMD...: runs CMD in its own session, output in logs/NAME.log, pid in
# run/pids/NAME.
spawn() {
	local name=$1
	shift
	# fd 9 (the lock) is closed: a daemon holding it would block every later stop.
	setsid "$@" </dev/null >>"$logs/$name.log" 2>&1 9<&- &
	local pid=$! i
	echo "$pid" >"$run/pids/$name"
	# Until the child has exec'd, its command line is this script's, and alive
	# would take it for a process that is not ours (a wait_for would say it
	# exited; a stop would leave it running): wait for the exec, or its end.
	for i in $(seq 1 200); do
		alive "$name" || [[ ! -d /proc/$pid ]] && return 0
		sleep 0.05
	done
}

# alive NAME: the process spawn started as NAME still runs (and is still ours: the pid
# was not reused by another program).
alive() {
	local pidf=$run/pids/$1 pid
	[[ -f $pidf ]] || return 1
	pid=$(<"$pidf")
	[[ -d /proc/$pid ]] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir" || return 1
}
