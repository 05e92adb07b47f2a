#!/usr/bin/env bash
# Loads images from the Docker daemon into the real node's containerd (what `minikube
# image load` does for minikube): docker save IMAGE... | ctr import. A pod then runs an
# image by the name Docker knows it by, with imagePullPolicy Never or IfNotPresent
# (kubelet and containerd both expand `name:tag` to `docker.io/library/name:tag`).
#
# Usage: e2e/k8snode/load-image.sh IMAGE...
# The node is found through GAIAFLOW_REALNODE_CONTAINERD_SOCKET, else the env file of
# the node in GAIAFLOW_REALNODE_DIR (default /var/lib/gaiaflow-realnode).
set -euo pipefail

if [[ $# -eq 0 ]]; then
	echo "usage: $0 IMAGE..." >&2
	exit 2
fi
sock=${GAIAFLOW_REALNODE_CONTAINERD_SOCKET:-}
if [[ -z $sock ]]; then
	envfile=${GAIAFLOW_REALNODE_DIR:-/var/lib/gaiaflow-realnode}/run/env
	[[ -f $envfile ]] || { echo "load-image: no node running ($envfile missing)" >&2; exit 1; }
	sock=$(sed -n 's/^GAIAFLOW_REALNODE_CONTAINERD_SOCKET=//p' "$envfile")
fi
[[ -S $sock ]] || { echo "load-image: $sock is not a socket: is the node running?" >&2; exit 1; }
docker save "$@" | ctr -a "$sock" -n k8s.io images import -
