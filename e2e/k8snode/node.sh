#!/usr/bin/env bash
# Starts and stops a real single-node Kubernetes on this host, for tests: Debian's etcd,
# the kube-apiserver, controller-manager, scheduler and kubelet that build.sh built, a
# second containerd (its own root, state and socket; Docker's is left alone) and Debian's
# CNI bridge plugin. Nothing is pulled: the images a real cluster pulls come from build.sh.
#
# Usage: e2e/k8snode/node.sh start|stop|env|status
#   start   build (cached) and start the node, wait until it is Ready and the default
#           service account exists, write the env file; prints it. A node already
#           running is reused. A failed start undoes itself (GAIAFLOW_REALNODE_KEEP=1:
#           leave it for a look, then run stop).
#   stop    stop everything and undo every host change start made, restoring what was
#           there before. Safe to run twice, and after a failed start.
#   env     print the env file of the running node (KEY=VALUE lines).
#   status  exit 0 if the node answers, else 1.
#
# Environment: GAIAFLOW_REALNODE_DIR (state, default /var/lib/gaiaflow-realnode),
# GAIAFLOW_REALNODE_POD_SUBNET (a free /24, default 10.244.77.0/24),
# GAIAFLOW_REALNODE_BRIDGE (default gfnode0), GAIAFLOW_REALNODE_PORT_BASE (default 16400:
# apiserver on BASE+43, etcd BASE+79/+80, kubelet BASE+50, healthz BASE+48,
# controller-manager BASE+57, scheduler BASE+59, on 127.0.0.1 but the apiserver, which
# listens on the CNI gateway so that containers of the local Docker stack reach it too).
# Needs root, Go and Docker for build.sh the first time, and the Debian packages in
# .ci/install-packages.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

readonly NODE=gaiaflow-realnode
readonly CONTEXT=gaiaflow-realnode
readonly OWNER_LABEL=io.gaiaflow.realnode
readonly CNI_DIR=/usr/lib/cni
# kubelet sets these (vm.*, kernel.*: its kernel tunables), the CNI bridge plugin and
# Docker the net.* ones; stop puts back the values seen before start.
readonly SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
	kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.ip_forward
	net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables)

dir=${GAIAFLOW_REALNODE_DIR:-/var/lib/gaiaflow-realnode}
subnet=${GAIAFLOW_REALNODE_POD_SUBNET:-10.244.77.0/24}
bridge=${GAIAFLOW_REALNODE_BRIDGE:-gfnode0}
base=${GAIAFLOW_REALNODE_PORT_BASE:-16400}

[[ $subnet =~ ^([0-9]+\.[0-9]+\.[0-9]+)\.0/24$ ]] || { echo "k8snode: GAIAFLOW_REALNODE_POD_SUBNET must be an a.b.c.0/24" >&2; exit 2; }
gateway=${BASH_REMATCH[1]}.1
readonly API_PORT=$((base + 43)) ETCD_PORT=$((base + 79)) ETCD_PEER_PORT=$((base + 80))
readonly KUBELET_PORT=$((base + 50)) HEALTHZ_PORT=$((base + 48))
readonly CM_PORT=$((base + 57)) SCHED_PORT=$((base + 59))

# The live node: removed by stop. logs/ beside it stays for a look after a failure.
run=$dir/run
logs=$dir/logs
sock=$run/containerd/containerd.sock
kubeconfig=$run/kubeconfig
envfile=$run/env
before=$run/host-before # the host as it was before start, for stop
changes=$run/changes    # what start changed itself, one line each, for stop

log() { printf 'k8snode: %s\n' "$*" >&2; }
# problem MESSAGE: something stop could not undo; stop then keeps its record and fails,
# so that another stop can try again.
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

# halt NAME: SIGTERM, up to 20 s, then SIGKILL.
halt() {
	local name=$1 pid i
	alive "$name" || { rm -f "$run/pids/$name"; return 0; }
	pid=$(<"$run/pids/$name")
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 100); do
		alive "$name" || break
		sleep 0.2
	done
	if alive "$name"; then
		log "$name did not stop on SIGTERM; killing it"
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.5
	fi
	rm -f "$run/pids/$name"
}

# wait_for PROC WHAT SECONDS CMD...: runs CMD until it succeeds; fails after SECONDS,
# or at once when the process spawned as PROC has exited.
wait_for() {
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
		sleep 0.5
	done
	log "$what after $((SECONDS - start))s"
}

kubectl_() { "$bin/kubectl" --kubeconfig "$kubeconfig" --context "$CONTEXT" "$@"; }
crictl_() { "$bin/crictl" --runtime-endpoint "unix://$sock" --timeout 10s "$@"; }

# --- the host before start ------------------------------------------------------------

# kube_chains IPTABLES: TABLE/CHAIN for every KUBE-* chain (kubelet makes them).
kube_chains() {
	"$1-save" 2>/dev/null | awk '/^\*/ { t = substr($1, 2) } /^:KUBE-/ { print t "/" substr($1, 2) }' | sort
}

record_host() {
	local s
	: >"$before"
	for s in "${SYSCTLS[@]}"; do
		# A sysctl this kernel lacks (br_netfilter not loaded) is recorded as absent.
		echo "sysctl $s $(sysctl -n "$s" 2>/dev/null || echo -)" >>"$before"
	done
	kube_chains iptables | sed 's/^/chain iptables /' >>"$before"
	kube_chains ip6tables | sed 's/^/chain ip6tables /' >>"$before"
	local d
	for d in /var/log/containers /run/netns; do
		[[ -d $d ]] && echo "dir $d" >>"$before"
	done
	ls /run/netns 2>/dev/null | sed 's/^/netns /' >>"$before" || true
	: >"$changes"
}

changed() { echo "$*" >>"$changes"; }

# --- start -------------------------------------------------------------------------------

preflight() {
	local p c
	[[ $(id -u) == 0 ]] || die "needs root (kubelet, containerd, iptables, cgroups)"
	for c in etcd containerd containerd-shim-runc-v2 runc ctr openssl iptables ip6tables ip setsid flock curl sysctl; do
		command -v "$c" >/dev/null || die "$c not found: run .ci/install-packages"
	done
	for p in bridge host-local loopback; do
		[[ -x $CNI_DIR/$p ]] || die "$CNI_DIR/$p not found: install Debian's containernetworking-plugins"
	done
	if ip link show "$bridge" >/dev/null 2>&1; then
		die "a network interface $bridge exists already (another node? GAIAFLOW_REALNODE_BRIDGE picks another name)"
	fi
	if ip route show | grep -q "^${subnet%/*}/24 "; then
		die "$subnet is routed on this host already: set GAIAFLOW_REALNODE_POD_SUBNET to a free /24"
	fi
	for p in $API_PORT $ETCD_PORT $ETCD_PEER_PORT $KUBELET_PORT $HEALTHZ_PORT $CM_PORT $SCHED_PORT; do
		if ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
			die "port $p is in use: set GAIAFLOW_REALNODE_PORT_BASE to a free range"
		fi
	done
	for c in /sys/fs/cgroup/*/; do
		[[ ! -e $c$NODE ]] || die "cgroup ${c}$NODE exists already (another node? run stop)"
	done
}

make_pki() {
	local pki=$run/pki t
	mkdir -p "$pki"
	(
		umask 077
		cd "$pki"
		openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=gaiaflow-realnode-ca" \
			-keyout ca.key -out ca.crt 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
			-keyout apiserver.key -out apiserver.csr 2>/dev/null
		printf 'subjectAltName=IP:127.0.0.1,IP:%s,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\n' "$gateway" >apiserver.ext
		openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
			-extfile apiserver.ext -out apiserver.crt 2>/dev/null
		# The apiserver's client certificate for the kubelet (logs, exec): the kubelet
		# listens where pods can reach it, and admits only this certificate.
		openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" \
			-keyout kubelet-client.key -out kubelet-client.csr 2>/dev/null
		printf 'extendedKeyUsage=clientAuth\n' >kubelet-client.ext
		openssl x509 -req -in kubelet-client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
			-extfile kubelet-client.ext -out kubelet-client.crt 2>/dev/null
		openssl genrsa -out sa.key 2048 2>/dev/null
		openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
		# Static bearer tokens, one identity each (the default RBAC roles and the Node
		# authorizer know these users). Generated here, kept 0600, never printed.
		for t in admin controller-manager scheduler kubelet; do
			od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"token-$t"
		done
		{
			echo "$(<token-admin),gaiaflow-realnode-admin,admin,system:masters"
			echo "$(<token-controller-manager),system:kube-controller-manager,kcm"
			echo "$(<token-scheduler),system:kube-scheduler,sched"
			echo "$(<token-kubelet),system:node:$NODE,kubelet,system:nodes"
		} >tokens.csv
	)
}

# write_kubeconfig FILE USER: a kubeconfig for the apiserver with USER's token.
write_kubeconfig() {
	local file=$1 user=$2
	(
		umask 077
		cat >"$file" <<-EOF
			apiVersion: v1
			kind: Config
			clusters:
			- name: $CONTEXT
			  cluster:
			    server: https://$gateway:$API_PORT
			    certificate-authority: $run/pki/ca.crt
			users:
			- name: $user
			  user:
			    tokenFile: $run/pki/token-$user
			contexts:
			- name: $CONTEXT
			  context:
			    cluster: $CONTEXT
			    user: $user
			current-context: $CONTEXT
		EOF
	)
}

start_etcd() {
	spawn etcd etcd --name "$NODE" --data-dir "$run/etcd" \
		--listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-cluster "$NODE=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state new
	wait_for etcd "etcd healthy" 30 curl -fsS "http://127.0.0.1:$ETCD_PORT/health"
}

start_containerd() {
	local c=$run/containerd
	mkdir -p "$c/root" "$c/state" "$c/runc" "$c/certs.d" "$run/cni/net.d" "$run/cni/ipam"
	cat >"$c/config.toml" <<-EOF
		# The node's own containerd: its root, state, runc root and socket live under
		# $run, so Docker's containerd and its images are untouched.
		version = 2
		root = "$c/root"
		state = "$c/state"
		oom_score = 0
		[grpc]
		  address = "$sock"
		[ttrpc]
		  address = "$sock.ttrpc"
		[debug]
		  address = ""
		[metrics]
		  address = ""
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$c/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$(head -n 1 "$images/pause.names")"
		  # kubelet asks for a negative oom_score_adj, which this sandbox refuses; without
		  # this every pod fails with "can't get final child's PID from pipe: EOF".
		  restrict_oom_score_adj = true
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		  enable_selinux = false
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "overlayfs"
		    default_runtime_name = "runc"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		        SystemdCgroup = false
		        Root = "$c/runc"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "$CNI_DIR"
		    conf_dir = "$run/cni/net.d"
		  # Per-registry settings, read at each pull: a test serving a registry on
		  # loopback over HTTP writes $c/certs.d/HOST:PORT/hosts.toml.
		  [plugins."io.containerd.grpc.v1.cri".registry]
		    config_path = "$c/certs.d"
	EOF
	# A bridge with no NAT: pods reach the host (the gateway) and each other, not the
	# outside world, which nothing here needs.
	cat >"$run/cni/net.d/10-$NODE.conflist" <<-EOF
		{
		  "cniVersion": "1.0.0",
		  "name": "$NODE",
		  "plugins": [
		    {
		      "type": "bridge",
		      "bridge": "$bridge",
		      "isGateway": true,
		      "ipMasq": false,
		      "hairpinMode": true,
		      "ipam": {
		        "type": "host-local",
		        "dataDir": "$run/cni/ipam",
		        "ranges": [[{"subnet": "$subnet", "gateway": "$gateway"}]],
		        "routes": [{"dst": "0.0.0.0/0"}]
		      }
		    }
		  ]
		}
	EOF
	spawn containerd containerd --config "$c/config.toml"
	wait_for containerd "containerd answering" 30 ctr -a "$sock" version
	local name names
	for name in "$images"/*.tar; do
		name=$(basename "$name" .tar)
		ctr -a "$sock" -n k8s.io images import "$images/$name.tar" >/dev/null
		# docker save named it gaiaflow-k8snode/NAME:HASH; give it the names a real
		# cluster would pull it under.
		src=docker.io/gaiaflow-k8snode/$name:${images##*-}
		while IFS= read -r names; do
			ctr -a "$sock" -n k8s.io images tag --force "$src" "$names" >/dev/null
		done <"$images/$name.names"
	done
	log "images: $(ctr -a "$sock" -n k8s.io images ls -q | grep -v '^sha256:' | grep -v gaiaflow-k8snode | tr '\n' ' ')"
}

# The CNI bridge is made here, not by the plugin on the first pod, so that its address
# (the host as pods see it) exists before anything publishes a port on it.
make_bridge() {
	ip link add "$bridge" type bridge
	changed "bridge $bridge"
	ip addr add "$gateway/24" dev "$bridge"
	ip link set "$bridge" up
}

make_cgroups() {
	local c
	for c in /sys/fs/cgroup/*/; do
		# Every v1 hierarchy kubelet checks, the named systemd one too; not the v2 mount.
		[[ -f ${c}cgroup.procs && ${c} != */unified/ ]] || continue
		mkdir "$c$NODE"
		if [[ -f ${c}cpuset.cpus ]]; then
			cat "${c}cpuset.cpus" >"$c$NODE/cpuset.cpus"
			cat "${c}cpuset.mems" >"$c$NODE/cpuset.mems"
		fi
	done
}

start_control_plane() {
	local p=$run/pki
	mkdir -p "$run/certs"
	spawn kube-apiserver "$bin/kube-apiserver" \
		--etcd-servers "http://127.0.0.1:$ETCD_PORT" \
		--bind-address "$gateway" --secure-port "$API_PORT" \
		--cert-dir "$run/certs" --tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" \
		--token-auth-file "$p/tokens.csv" --authorization-mode Node,RBAC \
		--enable-admission-plugins NodeRestriction \
		--service-account-issuer https://kubernetes.default.svc.cluster.local \
		--service-account-key-file "$p/sa.pub" --service-account-signing-key-file "$p/sa.key" \
		--service-cluster-ip-range 10.96.0.0/24 \
		--kubelet-client-certificate "$p/kubelet-client.crt" --kubelet-client-key "$p/kubelet-client.key" \
		--kubelet-preferred-address-types InternalIP \
		--endpoint-reconciler-type none --profiling=false
	write_kubeconfig "$kubeconfig" admin
	write_kubeconfig "$run/controller-manager.kubeconfig" controller-manager
	write_kubeconfig "$run/scheduler.kubeconfig" scheduler
	write_kubeconfig "$run/kubelet.kubeconfig" kubelet
	wait_for kube-apiserver "kube-apiserver ready" 90 kubectl_ get --raw /readyz

	spawn kube-controller-manager "$bin/kube-controller-manager" \
		--kubeconfig "$run/controller-manager.kubeconfig" \
		--authentication-kubeconfig "$run/controller-manager.kubeconfig" \
		--authorization-kubeconfig "$run/controller-manager.kubeconfig" \
		--bind-address 127.0.0.1 --secure-port "$CM_PORT" --cert-dir "$run/certs/kcm" \
		--service-account-private-key-file "$p/sa.key" --root-ca-file "$p/ca.crt" \
		--use-service-account-credentials --leader-elect=false --profiling=false
	spawn kube-scheduler "$bin/kube-scheduler" \
		--kubeconfig "$run/scheduler.kubeconfig" \
		--authentication-kubeconfig "$run/scheduler.kubeconfig" \
		--authorization-kubeconfig "$run/scheduler.kubeconfig" \
		--bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --cert-dir "$run/certs/sched" \
		--leader-elect=false --profiling=false
}

start_kubelet() {
	local k=$run/kubelet
	mkdir -p "$k" "$run/pod-logs" "$run/volume-plugins"
	cat >"$run/kubelet.yaml" <<-EOF
		apiVersion: kubelet.config.k8s.io/v1beta1
		kind: KubeletConfiguration
		# The node's address is the CNI gateway (kubelet refuses a loopback node IP),
		# which pods reach too: only the apiserver's client certificate is admitted.
		address: $gateway
		port: $KUBELET_PORT
		readOnlyPort: 0
		healthzBindAddress: 127.0.0.1
		healthzPort: $HEALTHZ_PORT
		authentication:
		  anonymous:
		    enabled: false
		  webhook:
		    enabled: false
		  x509:
		    clientCAFile: $run/pki/ca.crt
		authorization:
		  mode: AlwaysAllow
		containerRuntimeEndpoint: unix://$sock
		cgroupDriver: cgroupfs
		cgroupRoot: /$NODE
		failCgroupV1: false
		failSwapOn: false
		makeIPTablesUtilChains: false
		resolvConf: /etc/resolv.conf
		clusterDomain: cluster.local
		podLogsDir: $run/pod-logs
		volumePluginDir: $run/volume-plugins
		# Loaded images are never garbage-collected, and a full host disk does not
		# evict the tests' pods.
		imageGCHighThresholdPercent: 100
		imageGCLowThresholdPercent: 99
		evictionHard:
		  memory.available: "100Mi"
		  nodefs.available: "1%"
		  nodefs.inodesFree: "1%"
		  imagefs.available: "1%"
	EOF
	spawn kubelet "$bin/kubelet" --config "$run/kubelet.yaml" \
		--kubeconfig "$run/kubelet.kubeconfig" --root-dir "$k" \
		--hostname-override "$NODE" --node-ip "$gateway" \
		--node-labels "$OWNER_LABEL=true"
	wait_for kubelet "node Ready" 120 kubectl_ wait --for=condition=Ready "node/$NODE" --timeout=2s
	wait_for kube-controller-manager "node untainted" 60 bash -c '[[ -z $("$0" --kubeconfig "$1" get node "$2" -o jsonpath="{.spec.taints}") ]]' \
		"$bin/kubectl" "$kubeconfig" "$NODE"
	wait_for kube-controller-manager "default service account" 60 kubectl_ -n default get serviceaccount default
}

write_env() {
	local tmp=$envfile.tmp
	cat >"$tmp" <<-EOF
		GAIAFLOW_REALNODE_DIR=$dir
		GAIAFLOW_REALNODE_KUBECONFIG=$kubeconfig
		GAIAFLOW_REALNODE_CONTEXT=$CONTEXT
		GAIAFLOW_REALNODE_NODE=$NODE
		GAIAFLOW_REALNODE_HOST_IP=$gateway
		GAIAFLOW_REALNODE_POD_SUBNET=$subnet
		GAIAFLOW_REALNODE_CONTAINERD_SOCKET=$sock
		GAIAFLOW_REALNODE_REGISTRY_HOSTS=$run/containerd/certs.d
		GAIAFLOW_REALNODE_LOAD_IMAGE=$here/load-image.sh
		GAIAFLOW_REALNODE_KUBECTL=$bin/kubectl
		GAIAFLOW_REALNODE_CRICTL=$bin/crictl
		GAIAFLOW_REALNODE_XCOM_SIDECAR_IMAGES=$(tr '\n' ' ' <"$images/xcom-sidecar.names" | sed 's/ $//')
	EOF
	mv "$tmp" "$envfile"
}

running() {
	[[ -f $envfile ]] && alive kubelet && alive kube-apiserver && alive containerd &&
		kubectl_ get --raw /readyz >/dev/null 2>&1
}

do_start() {
	bin=$(sed -n 's/^bin //p' "$run/build" 2>/dev/null || true)
	if running; then
		log "the node is running already"
		cat "$envfile"
		return
	fi
	if [[ -d $run ]]; then
		log "leftovers of an earlier node in $run: stopping that first"
		do_stop
	fi
	preflight
	local built start=$SECONDS
	if [[ -n ${K8SNODE_BIN:-} && -n ${K8SNODE_IMAGES:-} ]]; then
		bin=$K8SNODE_BIN images=$K8SNODE_IMAGES
	else
		built=$("$here/build.sh")
		bin=$(sed -n 's/^K8SNODE_BIN=//p' <<<"$built")
		images=$(sed -n 's/^K8SNODE_IMAGES=//p' <<<"$built")
	fi
	[[ -x $bin/kubelet && -f $images/pause.tar ]] || die "build.sh gave no binaries or images"
	start=$SECONDS
	rm -rf "$logs"
	mkdir -p "$run/pids" "$logs"
	echo "bin $bin" >"$run/build"
	echo "images $images" >>"$run/build"
	record_host
	trap 'start_failed' ERR
	make_pki
	make_bridge
	make_cgroups
	start_etcd
	start_containerd
	start_control_plane
	start_kubelet
	write_env
	trap - ERR
	log "node $NODE ready in $((SECONDS - start))s; kubeconfig $kubeconfig, context $CONTEXT"
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
	if [[ ${GAIAFLOW_REALNODE_KEEP:-} == 1 ]]; then
		log "GAIAFLOW_REALNODE_KEEP=1: left as it is; run '$0 stop' to undo it"
	else
		do_stop
	fi
	exit 1
}

# --- stop ------------------------------------------------------------------------------

# Pod sandboxes first, while containerd runs: removing one stops its containers, runs
# the CNI DEL (veth, IP) and removes its network namespace.
remove_pods() {
	local ids id ns
	[[ -x ${bin:-}/crictl ]] && alive containerd || return 0
	ids=$(crictl_ pods -q 2>/dev/null) || return 0
	for id in $ids; do
		ns=$(crictl_ inspectp -o go-template --template '{{range .info.runtimeSpec.linux.namespaces}}{{if eq .type "network"}}{{.path}}{{end}}{{end}}' "$id" 2>/dev/null || true)
		[[ -n $ns ]] && changed "netns $ns"
	done
	[[ -z $ids ]] || crictl_ rmp -f $ids >/dev/null 2>&1 || log "crictl rmp failed; cleaning up by hand"
}

# kill_leftovers: every process still in the node's cgroups (containers whose shim was
# killed with everything else, say). They are ours: start refuses to run when the cgroup
# exists already.
kill_leftovers() {
	local pids i
	for i in $(seq 1 20); do
		pids=$(find /sys/fs/cgroup/*/"$NODE" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u | tr '\n' ' ' || true)
		[[ -n ${pids// /} ]] || return 0
		[[ $i == 1 ]] && log "killing processes left in the node's cgroups: $pids"
		kill -KILL $pids 2>/dev/null || true
		sleep 0.5
	done
	problem "processes are still in the node's cgroups: $pids"
}

# Every mount under the state directory, deepest first (containerd's rootfs and shm
# mounts, kubelet's bind mount of its root dir and its volumes).
unmount_all() {
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

# remove_new_chains IPTABLES: KUBE-* chains that were not there before start, with the
# rules that jump to them.
remove_new_chains() {
	local ipt=$1 tc t c rule
	for tc in $(kube_chains "$ipt"); do
		grep -qxF "chain $ipt $tc" "$before" && continue
		t=${tc%%/*} c=${tc#*/}
		"$ipt-save" -t "$t" 2>/dev/null | grep -E -- "-j $c( |\$)" | sed 's/^-A //' | while IFS= read -r rule; do
			eval "$ipt -t $t -D $rule" 2>/dev/null || true
		done
		"$ipt" -t "$t" -F "$c" 2>/dev/null || true
		"$ipt" -t "$t" -X "$c" 2>/dev/null || problem "could not delete $ipt chain $t/$c"
	done
}

restore_sysctls() {
	local name was now
	while read -r kind name was; do
		[[ $kind == sysctl && $was != - ]] || continue
		now=$(sysctl -n "$name" 2>/dev/null || echo -)
		[[ $now == "$was" ]] && continue
		sysctl -qw "$name=$was" >/dev/null || problem "could not restore $name=$was"
		log "restored $name: $now -> $was"
	done <"$before"
}

undo_changes() {
	local kind rest ns
	[[ -f $changes ]] || return 0
	# Newest first.
	tac "$changes" | while read -r kind rest; do
		case $kind in
		netns)
			ns=$rest
			[[ -e $ns ]] || continue
			umount "$ns" 2>/dev/null || true
			rm -f "$ns"
			;;
		bridge) ip link delete "$rest" 2>/dev/null || true ;;
		# iptables CHAIN ARGS...: a rule start inserted (no quoted arguments).
		iptables) iptables -D $rest 2>/dev/null || true ;;
		esac
	done
}

do_stop() {
	if [[ ! -d $run ]]; then
		log "no node in $dir"
		return 0
	fi
	bin=$(sed -n 's/^bin //p' "$run/build" 2>/dev/null || true)
	rm -f "$run/stop-problems"
	mkdir -p "$logs" "$run/pids"
	halt kubelet
	# A containerd that died (or was killed with everything else) still has its pods in
	# its root: start it again so that crictl can tear their networks down.
	if ! alive containerd && [[ -f $run/containerd/config.toml && -x ${bin:-}/crictl ]]; then
		log "containerd is not running: starting it again to remove its pods"
		spawn containerd containerd --config "$run/containerd/config.toml"
		wait_for containerd "containerd answering" 30 ctr -a "$sock" version || true
	fi
	remove_pods
	halt kube-scheduler
	halt kube-controller-manager
	halt kube-apiserver
	halt etcd
	halt containerd
	# Shims of our containerd that outlived it (a pod crictl could not remove): found by
	# our socket on their command line.
	local p
	for p in /proc/[0-9]*; do
		[[ -r $p/cmdline ]] || continue
		if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q "^/usr/bin/containerd-shim-runc-v2 .*-address $sock "; then
			kill -KILL "${p#/proc/}" 2>/dev/null || true
		fi
	done
	kill_leftovers
	unmount_all
	if [[ -f $before ]]; then
		undo_changes
		remove_new_chains iptables
		remove_new_chains ip6tables
		restore_sysctls
		# The cgroup root kubelet runs pods under, in every hierarchy (runc adds it to the
		# v2 mount too). Start refuses to run when one exists, so each one is ours.
		local c
		for c in /sys/fs/cgroup/*/"$NODE"; do
			remove_cgroup "$c"
		done
		# Directories kubelet and containerd make when missing: removed when they were
		# missing before and are empty now.
		local d
		for d in /var/log/containers /run/netns; do
			grep -qx "dir $d" "$before" || rmdir "$d" 2>/dev/null || true
		done
	fi
	if [[ -s $run/stop-problems ]]; then
		log "stopped, but some host changes are not undone (above); $run keeps the record: run stop again"
		return 1
	fi
	rm -rf "$run"
	log "stopped; every host change undone (logs kept in $logs)"
}

do_env() {
	[[ -f $envfile ]] || die "no node running in $dir (run: $0 start)"
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
status)
	bin=$(sed -n 's/^bin //p' "$run/build" 2>/dev/null || true)
	running
	;;
*)
	sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
