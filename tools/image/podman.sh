#!/usr/bin/env bash
# podman with the image build's own storage under the cache root, so a cold run is really cold
# and nothing else's images are touched. Used by build.sh and by test/image/.
#
#   tools/image/podman.sh <podman arguments…>
#   tools/image/podman.sh --storage-dir     print the storage directory, run nothing
#
# runc, not crun: bookworm's crun refuses kernels with hybrid cgroups (v1 controllers plus a
# cgroup2 mount). cgroupfs and a file events log: no systemd is needed.
set -euo pipefail
CACHE="${AZDO_GITOPS_CACHE:-$HOME/.cache/azdo-gitops}/image"
if [[ ${1:-} == --storage-dir ]]; then echo "$CACHE/storage"; exit 0; fi
mkdir -p "$CACHE/storage" "$CACHE/run" "$CACHE/tmp"
# Limits every container (build steps included) starts with: podman's defaults (1048576 open
# files, 4194304 processes) are refused where the machine's hard limits are lower.
nofile=$(ulimit -Hn)
[[ $nofile == unlimited || $nofile -gt 1048576 ]] && nofile=1048576
cat >"$CACHE/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=4096:4096"]
CONF
export CONTAINERS_CONF="$CACHE/containers.conf"
export TMPDIR="$CACHE/tmp" # podman save and build write large temporary files there
exec podman --root "$CACHE/storage" --runroot "$CACHE/run" --storage-driver overlay \
  --runtime runc --cgroup-manager cgroupfs --events-backend file "$@"
