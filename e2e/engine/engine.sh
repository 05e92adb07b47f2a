#!/usr/bin/env bash
# Starts and stops a current Docker Engine (the one build.sh builds) beside the machine's
# own daemon, for tests: its own socket, data root, containerd, bridge, address pool and
# cgroup parent. The machine's daemon, its containerd, docker0 and its networks are not
# touched; neither are its iptables chains, apart from two rules for our address pool.
#
# Usage: e2e/engine/engine.sh start|stop|env|status
#   start   build (cached) and start the engine, wait until it answers, write the env
#           file (DOCKER_HOST=... and more); prints it. An engine already running is
#           reused; the leftovers of one that died are cleared first. A failed start
#           undoes itself (GAIAFLOW_ENGINE_KEEP=1: leave it for a look, then run stop).
#   stop    stop the engine (its running containers stop with it) and undo every host
#           change start made. Safe to run twice. Images, volumes and stopped containers
#           stay in the data root for the next start, as with any daemon.
#   env     print the env file of the running engine (KEY=VALUE lines).
#   status  exit 0 if the engine answers, else 1.
#
# Environment: GAIAFLOW_ENGINE_DIR (state, default /var/lib/gaiaflow-engine),
# GAIAFLOW_ENGINE_POOL (a free /16 for the engine's bridge and networks, default
# 10.229.0.0/16), GAIAFLOW_ENGINE_BRIDGE (its default bridge, default gfeng0),
# GAIAFLOW_ENGINE_IMAGE_STORE (containerd, Docker 29's default for new installs, or
# overlay2, which engines upgraded from older versions keep), ENGINE_BIN (use those
# binaries instead of running build.sh).
# Needs root, and Go the first time (build.sh).
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

readonly NAME=gaiaflow-engine
# The rules start adds carry this comment, so that they can be told from anyone else's.
readonly COMMENT=gaiaflow-engine
readonly SYSCTLS=(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables)

dir=${GAIAFLOW_ENGINE_DIR:-/var/lib/gaiaflow-engine}
pool=${GAIAFLOW_ENGINE_POOL:-10.229.0.0/16}
bridge=${GAIAFLOW_ENGINE_BRIDGE:-gfeng0}
store=${GAIAFLOW_ENGINE_IMAGE_STORE:-containerd}
case $store in
# Explicit either way: a data root that holds graph-driver images keeps the graph driver
# unless told otherwise, as Docker does for engines upgraded in place.
containerd) store_flags=(--feature containerd-snapshotter=true) ;;
overlay2) store_flags=(--feature containerd-snapshotter=false --storage-driver overlay2) ;;
*)
	echo "engine: GAIAFLOW_ENGINE_IMAGE_STORE must be containerd or overlay2, not '$store'" >&2
	exit 2
	;;
esac

[[ $pool =~ ^([0-9]+)\.([0-9]+)\.0\.0/16$ ]] || {
	echo "engine: GAIAFLOW_ENGINE_POOL must be an a.b.0.0/16" >&2
	exit 2
}
readonly prefix=${BASH_REMATCH[1]}.${BASH_REMATCH[2]}
# The default bridge takes the pool's first /24; the engine's IPAM knows it is taken and
# gives user-defined networks the next ones.
readonly bridge_cidr=$prefix.0.1/24

data=$dir/data # the data roots (the engine's and its containerd's): kept across stops
run=$dir/run   # the live engine: removed by stop
logs=$dir/logs # kept for a look after a failure
sock=$run/docker.sock
ctrsock=$run/containerd/containerd.sock
envfile=$run/env
before=$run/host-before
changes=$run/changes

log() { printf 'engine: %s\n' "$*" >&2; }
problem() {
	log "$*"
	echo "$*" >>"$run/stop-problems"
}
die() {
	log "$1"
	exit "${2:-1}"
}

# --- processes -------------------------------------------------------------------------

# spawn NAME CMD... and alive NAME.
# shellcheck source=SCRIPTDIR/../proclib.sh
. "$here/../proclib.sh"

halt() { # NAME SECONDS: SIGTERM, up to SECONDS, then SIGKILL
	local name=$1 secs=$2 pid i
	alive "$name" || {
		rm -f "$run/pids/$name"
		return 0
	}
	pid=$(<"$run/pids/$name")
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 $((secs * 5))); do
		alive "$name" || break
		sleep 0.2
	done
	if alive "$name"; then
		log "$name did not stop on SIGTERM within ${secs}s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.5
	fi
	rm -f "$run/pids/$name"
}

wait_for() { # PROC WHAT SECONDS CMD...
	local proc=$1 what=$2 secs=$3 start=$SECONDS
	shift 3
	until "$@" >/dev/null 2>&1; do
		if ! alive "$proc"; then
			log "$proc exited while waiting for $what (its log: $logs/$proc.log)"
			return 1
		fi
		if ((SECONDS - start >= secs)); then
			log "timed out after ${secs}s waiting for $what"
			return 1
		fi
		sleep 0.3
	done
	log "$what after $((SECONDS - start))s"
}

docker_() { docker -H "unix://$sock" "$@"; }

# --- start -------------------------------------------------------------------------------

changed() { echo "$*" >>"$changes"; }

preflight() {
	local c
	[[ $(id -u) == 0 ]] || die "needs root (a daemon, a bridge, cgroups, iptables)"
	for c in ctr docker iptables ip setsid flock sysctl; do
		command -v "$c" >/dev/null || die "$c not found: run .ci/install-packages"
	done
	if ip link show "$bridge" >/dev/null 2>&1; then
		die "a network interface $bridge exists already (another engine? GAIAFLOW_ENGINE_BRIDGE picks another name)"
	fi
	if ip -4 route show | grep -q "^${prefix//./\\.}\."; then
		die "$pool is partly routed on this host already: set GAIAFLOW_ENGINE_POOL to a free /16"
	fi
	for c in /sys/fs/cgroup/*/; do
		[[ ! -e $c$NAME ]] || die "cgroup ${c}$NAME exists already (another engine? run stop)"
	done
}

record_host() {
	local s
	: >"$before"
	for s in "${SYSCTLS[@]}"; do
		echo "sysctl $s $(sysctl -n "$s" 2>/dev/null || echo -)" >>"$before"
	done
	: >"$changes"
}

make_bridge() {
	ip link add "$bridge" type bridge
	changed "link $bridge"
	ip addr add "$bridge_cidr" dev "$bridge"
	ip link set "$bridge" up
}

# The engine runs without iptables (two daemons rewriting the same chains would undo each
# other). Two things then need a rule: the machine's daemon sets FORWARD's policy to DROP,
# which with bridge-nf-call-iptables drops even traffic between two containers on one of
# our bridges; and containers reach the outside world (a RUN pip install) only through NAT.
add_rules() {
	local chain=FORWARD
	iptables -n -L DOCKER-USER >/dev/null 2>&1 && chain=DOCKER-USER
	rule filter "$chain" -s "$pool" -j ACCEPT
	rule filter "$chain" -d "$pool" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	rule nat POSTROUTING -s "$pool" ! -d "$pool" -j MASQUERADE
}

rule() { # TABLE CHAIN SPEC...: insert the rule first in CHAIN and record it
	local table=$1 chain=$2
	shift 2
	iptables -t "$table" -I "$chain" 1 -m comment --comment "$COMMENT" "$@"
	changed "iptables -t $table -D $chain -m comment --comment $COMMENT $*"
}

start_containerd() {
	local c=$run/containerd
	mkdir -p "$c" "$data/containerd"
	# Its own containerd (build.sh's, the line Docker 29 ships with), started here rather
	# than by dockerd: dockerd would use a containerd it finds at
	# /run/containerd/containerd.sock instead of its own. PATH: containerd finds the
	# shim it starts for each container there, build.sh's before Debian's.
	cat >"$c/config.toml" <<-EOF
		version = 4
		root = "$data/containerd"
		state = "$c/state"
		# Kubernetes' CRI is for kubelets; Docker needs none of it.
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime", "io.containerd.cri.v1.images",
		  "io.containerd.podsandbox.controller.v1.podsandbox"]
		oom_score = 0
		[plugins.'io.containerd.server.v1.grpc']
		  address = "$ctrsock"
		[plugins.'io.containerd.server.v1.ttrpc']
		  address = "$ctrsock.ttrpc"
		[plugins.'io.containerd.server.v1.debug']
		  address = ""
		[plugins.'io.containerd.server.v1.metrics']
		  address = ""
		[plugins.'io.containerd.internal.v1.opt']
		  path = "$c/opt"
	EOF
	# A config containerd reads otherwise than meant (a key moved in a new config version)
	# would fall back to /run/containerd/containerd.sock, the machine's containerd's
	# address: check what it makes of it before starting it. containerd 2 also imports
	# /etc/containerd/conf.d/*.toml whatever the config says: there must be none.
	local dump
	dump=$("$bin/containerd" --config "$c/config.toml" config dump)
	# (A failure returns, so that start's ERR trap undoes what start did so far.)
	if ! grep -qF "address = '$ctrsock'" <<<"$dump" || grep -qF "'/run/containerd/" <<<"$dump" ||
		! grep -qF "root = '$data/containerd'" <<<"$dump"; then
		log "containerd does not read $c/config.toml as meant (its own socket and root): see 'containerd config dump'"
		return 1
	fi
	if compgen -G '/etc/containerd/conf.d/*.toml' >/dev/null; then
		log "/etc/containerd/conf.d has drop-ins, which this engine's containerd would import too"
		return 1
	fi
	spawn containerd env PATH="$bin:$PATH" "$bin/containerd" --config "$c/config.toml"
	wait_for containerd "containerd answering" 30 ctr -a "$ctrsock" version
}

start_dockerd() {
	mkdir -p "$data/docker" "$run/exec"
	# At start, dockerd deletes the default "bridge" network its network store kept from
	# the last run, and then, when default-address-pools is set, deletes the interface
	# docker0 — whatever --bridge says. docker0 is the machine's daemon's: every container
	# on its default network fails without it. With no network store there is no stale
	# network and nothing is deleted. (Networks a test left behind go with it.)
	rm -f "$data/docker/network/files/local-kv.db"
	local docker0_before
	docker0_before=$(ip -o -4 addr show dev docker0 2>/dev/null | awk '{print $4}' || true)
	cat >"$run/daemon.json" <<-EOF
		{
		  "runtimes": {"gaiaflow-runc": {"path": "$bin/runc"}},
		  "default-runtime": "gaiaflow-runc",
		  "default-address-pools": [{"base": "$pool", "size": 24}]
		}
	EOF
	spawn dockerd "$bin/dockerd" -H "unix://$sock" --data-root "$data/docker" --exec-root "$run/exec" \
		--pidfile "$run/dockerd.pid" --config-file "$run/daemon.json" --containerd "$ctrsock" \
		--cgroup-parent "/$NAME" --bridge "$bridge" --iptables=false --ip6tables=false \
		--userland-proxy-path "$bin/docker-proxy" "${store_flags[@]}"
	wait_for dockerd "the engine answering" 60 docker_ version
	if [[ -n $docker0_before ]] && ! ip link show docker0 >/dev/null 2>&1; then
		# Should never happen (above): put it back as it was, and fail.
		ip link add docker0 type bridge && ip link set docker0 up
		local a
		for a in $docker0_before; do ip addr add "$a" dev docker0; done
		log "the engine deleted the machine's docker0; it is back ($docker0_before)"
		return 1
	fi
}

write_env() {
	local tmp=$envfile.tmp
	cat >"$tmp" <<-EOF
		DOCKER_HOST=unix://$sock
		GAIAFLOW_ENGINE_DIR=$dir
		GAIAFLOW_ENGINE_VERSION=$(docker_ version --format '{{.Server.Version}}')
		GAIAFLOW_ENGINE_API_VERSION=$(docker_ version --format '{{.Server.APIVersion}}')
		GAIAFLOW_ENGINE_POOL=$pool
		GAIAFLOW_ENGINE_BRIDGE=$bridge
		GAIAFLOW_ENGINE_IMAGE_STORE=$store
	EOF
	mv "$tmp" "$envfile"
}

running() {
	[[ -f $envfile ]] && alive dockerd && alive containerd && docker_ version >/dev/null 2>&1
}

do_start() {
	bin=$(sed -n 's/^bin //p' "$run/build" 2>/dev/null || true)
	if running; then
		log "the engine is running already"
		cat "$envfile"
		return
	fi
	if [[ -d $run ]]; then
		log "leftovers of an earlier engine in $run: stopping that first"
		do_stop
	fi
	preflight
	if [[ -n ${ENGINE_BIN:-} ]]; then
		bin=$ENGINE_BIN
	else
		bin=$("$here/build.sh" | sed -n 's/^ENGINE_BIN=//p')
	fi
	[[ -x $bin/dockerd && -x $bin/runc && -x $bin/docker-proxy && -x $bin/containerd ]] || die "build.sh gave no engine binaries"
	local start=$SECONDS
	rm -rf "$logs"
	mkdir -p "$run/pids" "$logs"
	echo "bin $bin" >"$run/build"
	record_host
	trap 'start_failed' ERR
	make_bridge
	add_rules
	start_containerd
	start_dockerd
	write_env
	trap - ERR
	log "engine $(sed -n 's/^GAIAFLOW_ENGINE_VERSION=//p' "$envfile") ready in $((SECONDS - start))s at unix://$sock"
	cat "$envfile"
}

start_failed() {
	trap - ERR
	local f
	log "start failed; the last lines of each log:"
	for f in "$logs"/*.log; do
		[[ -f $f ]] || continue
		echo "--- $f" >&2
		tail -n 15 "$f" >&2
	done
	if [[ ${GAIAFLOW_ENGINE_KEEP:-} == 1 ]]; then
		log "GAIAFLOW_ENGINE_KEEP=1: left as it is; run '$0 stop' to undo it"
	else
		do_stop
	fi
	exit 1
}

# --- stop ------------------------------------------------------------------------------

kill_leftovers() { # every process still in the engine's cgroups (containers whose shim died)
	local pids i
	for i in $(seq 1 20); do
		# No cgroup (no container ever ran) leaves the glob as it is and find fails.
		pids=$({ find /sys/fs/cgroup/*/"$NAME" -name cgroup.procs -exec cat {} + 2>/dev/null || true; } | sort -u | tr '\n' ' ')
		[[ -n ${pids// /} ]] || return 0
		[[ $i == 1 ]] && log "killing processes left in the engine's cgroups: $pids"
		# shellcheck disable=SC2086 # one pid a word
		kill -KILL $pids 2>/dev/null || true
		sleep 0.5
	done
	problem "processes are still in the engine's cgroups: $pids"
}

unmount_all() { # every mount under the state directory, deepest first
	local m
	awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while IFS= read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || problem "could not unmount $m"
	done
}

remove_cgroup() { # DIR: depth-first, as cgroupfs removes only empty leaves
	local d=$1 sub
	[[ -d $d ]] || return 0
	for sub in "$d"/*/; do
		[[ -d $sub ]] && remove_cgroup "${sub%/}"
	done
	rmdir "$d" 2>/dev/null || problem "could not remove cgroup $d"
}

# The engine's bridges: the default one, and one per user-defined network (br-ID), each
# with an address in the pool, which preflight found unused before start.
remove_bridges() {
	local link
	for link in $(ip -4 -o addr show | awk -v p="$prefix." 'index($4, p) == 1 { sub(/@.*/, "", $2); print $2 }' | sort -u); do
		[[ $link == "$bridge" || $link == br-* ]] || {
			problem "interface $link has an address in $pool but is not the engine's: left alone"
			continue
		}
		ip link delete "$link" 2>/dev/null || problem "could not delete interface $link"
	done
	ip link delete "$bridge" 2>/dev/null || true
}

restore_sysctls() {
	local kind name was now
	[[ -f $before ]] || return 0
	while read -r kind name was; do
		[[ $kind == sysctl && $was != - ]] || continue
		now=$(sysctl -n "$name" 2>/dev/null || echo -)
		[[ $now == "$was" ]] && continue
		sysctl -qw "$name=$was" >/dev/null || problem "could not restore $name=$was"
		log "restored $name: $now -> $was"
	done <"$before"
}

undo_changes() {
	local kind rest
	[[ -f $changes ]] || return 0
	tac "$changes" | while read -r kind rest; do
		case $kind in
		# iptables -t TABLE -D CHAIN SPEC: written by rule(), no quoted arguments.
		iptables)
			# The rule's words, as rule() recorded them; one already gone is fine.
			# shellcheck disable=SC2086
			if iptables ${rest/ -D / -C } 2>/dev/null; then
				# shellcheck disable=SC2086
				iptables $rest 2>/dev/null || problem "could not delete the rule: iptables $rest"
			fi
			;;
		esac
	done
}

do_stop() {
	if [[ ! -d $run ]]; then
		log "no engine in $dir"
		return 0
	fi
	bin=$(sed -n 's/^bin //p' "$run/build" 2>/dev/null || true)
	rm -f "$run/stop-problems"
	mkdir -p "$logs" "$run/pids"
	# dockerd stops its running containers before it exits (15 s each at most, together).
	halt dockerd 60
	halt containerd 20
	# Shims of our containerd that outlived it: found by our socket on their command line.
	local p
	for p in /proc/[0-9]*; do
		[[ -r $p/cmdline ]] || continue
		if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q "containerd-shim-runc-v2 .*-address $ctrsock "; then
			kill -KILL "${p#/proc/}" 2>/dev/null || true
		fi
	done
	kill_leftovers
	unmount_all
	remove_bridges
	undo_changes
	# The cgroup parent of the engine's containers, in every hierarchy runc made it in:
	# start refuses to run when one exists, so each one is ours.
	local c
	for c in /sys/fs/cgroup/*/"$NAME"; do
		remove_cgroup "$c"
	done
	restore_sysctls
	if [[ -s $run/stop-problems ]]; then
		log "stopped, but some host changes are not undone (above); $run keeps the record: run stop again"
		return 1
	fi
	rm -rf "$run"
	log "stopped; every host change undone (images kept in $data, logs in $logs)"
}

do_env() {
	[[ -f $envfile ]] || die "no engine running in $dir (run: $0 start)"
	cat "$envfile"
}

mkdir -p "$dir"
# One start or stop at a time per state directory.
exec 9<"$dir"
flock 9

case ${1:-} in
start) do_start ;;
stop) do_stop ;;
env) do_env ;;
status) running ;;
*)
	sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
