#!/usr/bin/env bash
# Builds (and caches) the real control-plane binaries for tests from the Go module proxy only:
#   kine, kwok, kube-apiserver, kube-scheduler, source-controller, kustomize-controller
# plus the Flux CRDs, and the Argo CD CRDs (argocd-crds; nothing built). All versions come from
# versions.env.
#
# Usage:
#   tools/real-cluster/build.sh [component ...]   build what is missing (default: all)
#   tools/real-cluster/build.sh --bin-dir          print the bin directory, build nothing
#   tools/real-cluster/build.sh --out-dir          print the cache directory for this version set
#   tools/real-cluster/build.sh --check [comp ...] exit 0 when everything asked for is built
#   tools/real-cluster/build.sh --wrapper-only comp  only generate the wrapper module(s) (debugging)
#
# Cache: ${AZDO_GITOPS_CACHE:-$HOME/.cache/azdo-gitops}/real-cluster/<key>/{bin,crds,src}
#        with GOMODCACHE/GOCACHE under ${AZDO_GITOPS_CACHE:-...}/real-cluster/go/.
# <key> is a hash of the version assignments in versions.env.
set -euo pipefail
shopt -s inherit_errexit # command substitutions stop at their first failing command too

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VERSIONS_FILE="$HERE/versions.env"
# shellcheck source=versions.env
source "$VERSIONS_FILE"

ALL_COMPONENTS=(kine kwok kube-apiserver kube-scheduler source-controller kustomize-controller argocd-crds)

CACHE_BASE="${AZDO_GITOPS_CACHE:-$HOME/.cache/azdo-gitops}/real-cluster"
PATCH_DIR="$HERE/patches"
# The key covers every version assignment and every patch: change either and a fresh set is built.
KEY=$( {
  grep -E '^[A-Z0-9_]+=' "$VERSIONS_FILE" | sed -E 's/[[:space:]]*#.*$//' | sort
  cat "$PATCH_DIR"/*.patch
} | sha256sum | cut -c1-12)
OUT="$CACHE_BASE/$KEY"
BIN="$OUT/bin"

log() { printf '[real-cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

is_built() {
  case "$1" in
    source-controller | kustomize-controller) [[ -x "$BIN/$1" && -f "$OUT/crds/$1/.complete" ]] ;;
    argocd-crds) [[ -f "$OUT/crds/$1/.complete" ]] ;;
    *) [[ -x "$BIN/$1" ]] ;;
  esac
}

mode=build
case "${1:-}" in
  --bin-dir) echo "$BIN"; exit 0 ;;
  --out-dir) echo "$OUT"; exit 0 ;;
  --check) mode=check; shift ;;
  --wrapper-only) mode=wrapper; shift ;;
  -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
esac
components=("$@")
[[ ${#components[@]} -gt 0 ]] || components=("${ALL_COMPONENTS[@]}")
for c in "${components[@]}"; do
  [[ " ${ALL_COMPONENTS[*]} " == *" $c "* ]] || { log "unknown component '$c' (known: ${ALL_COMPONENTS[*]})"; exit 2; }
done

if [[ $mode == check ]]; then
  for c in "${components[@]}"; do is_built "$c" || exit 1; done
  exit 0
fi

command -v go >/dev/null || { log "go is not on PATH: install Go >= 1.26 (Debian: golang-go) and retry"; exit 1; }
command -v jq >/dev/null || { log "jq is not on PATH: apt-get install jq and retry"; exit 1; }

mkdir -p "$BIN" "$OUT/src" "$OUT/crds" "$CACHE_BASE/go"
export GOMODCACHE="$CACHE_BASE/go/mod" GOCACHE="$CACHE_BASE/go/build" GOPATH="$CACHE_BASE/go/path"
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}" GOFLAGS="-buildvcs=false"
export CGO_ENABLED=0 GOWORK=off GO111MODULE=on
LOCAL_GO=$(GOTOOLCHAIN=local go env GOVERSION) # e.g. go1.26.8

# One build at a time per cache directory (parallel test runs share the cache).
exec 9>"$OUT/.lock"
if ! flock -n 9; then
  log "another build.sh holds $OUT/.lock; waiting for it"
  flock 9
fi

# version_gt A B: true when Go version A (1.27.0) is newer than B (1.26.8)
version_gt() { [[ "$1" != "$2" && "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1)" == "$1" ]]; }

# toolchain_for <go directive>: local Go when new enough, else the pinned GO_TOOLCHAIN.
toolchain_for() {
  if version_gt "$1" "${LOCAL_GO#go}"; then
    version_gt "$1" "${GO_TOOLCHAIN#go}" && { log "a module needs go $1, newer than GO_TOOLCHAIN=$GO_TOOLCHAIN in versions.env: raise it"; exit 1; }
    echo "$GO_TOOLCHAIN"
  else
    echo local
  fi
}

# run_with_progress <component> <command...>: runs the command, printing elapsed time every 60 s.
run_with_progress() {
  local name=$1; shift
  local start=$SECONDS logf="$OUT/src/$name.log"
  "$@" >"$logf" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 60); do sleep 1; kill -0 "$pid" 2>/dev/null || break; done
    kill -0 "$pid" 2>/dev/null && log "$name: still building ($((SECONDS - start)) s elapsed)"
  done
  if ! wait "$pid"; then
    log "$name: build FAILED after $((SECONDS - start)) s; last lines of $logf:"
    tail -n 30 "$logf" >&2
    return 1
  fi
}

# module_info <module@version>: downloads the module (zip + go.mod), prints `go mod download -json`.
# A module whose go directive is newer than the local Go is downloaded with GO_TOOLCHAIN.
# Only stdout is parsed: the go command's own messages (toolchain downloads, warnings) go to stderr,
# which is kept in a file and shown when the download fails.
module_info() {
  local json err need tc=local errf
  errf="$OUT/src/download-$(tr '/@' '__' <<<"$1").err"
  for _ in 1 2; do
    if json=$(cd "$OUT/src" && GOTOOLCHAIN=$tc go mod download -json "$1" 2>"$errf"); then
      if jq -e '(.Dir | type == "string") and (.GoMod | type == "string")' <<<"$json" >/dev/null 2>&1 &&
        [[ -d $(jq -r .Dir <<<"$json") && -f $(jq -r .GoMod <<<"$json") ]]; then
        echo "$json"
        return 0
      fi
      log "go mod download -json $1 succeeded but did not report an existing Dir and GoMod: $json"
      return 1
    fi
    err=$(jq -r '.Error // empty' <<<"$json" 2>/dev/null || true)
    [[ -n $err ]] || err=$(tail -n 20 "$errf")
    need=$(sed -nE 's/.*requires go >= ([0-9.]+).*/\1/p' <<<"$err" | head -1)
    [[ -n $need && $tc == local ]] || break
    tc=$(toolchain_for "$need") || return 1
    log "$1 requires go $need: using toolchain $tc (fetched from the module proxy once)"
  done
  log "cannot download $1 from $GOPROXY: $err"
  return 1
}

# write_wrapper <dir> <upstream go.mod> <main module path> <main module version> <staging version or ''> <tool pkgs...>
# Writes a wrapper go.mod that requires the upstream module and reproduces its build list:
# every upstream requirement pinned as upstream pins it, every upstream replace that is not a
# local path copied, upstream godebug lines copied, and (k8s.io/kubernetes) every staging module
# required at v0.0.0 replaced by the published k8s.io/<name> v0.N.P.
write_wrapper() {
  local dir=$1 gomod=$2 mainpath=$3 mainver=$4 staging=$5; shift 5
  mkdir -p "$dir"
  local json; json=$(GOTOOLCHAIN=local go mod edit -json "$gomod")
  local goline; goline=$(jq -r '.Go' <<<"$json")
  {
    echo "// Generated by tools/real-cluster/build.sh from $mainpath@$mainver's go.mod. Do not edit."
    echo "module azdo-gitops.local/real-cluster/$(basename "$dir")"
    echo
    echo "go $goline"
    echo
    jq -r '(.GoDebug // .Godebug // [])[] | "godebug \(.Key)=\(.Value)"' <<<"$json"
    echo
    for t in "$@"; do echo "tool $t"; done
    echo
    echo "require $mainpath $mainver"
    echo
    echo "require ("
    jq -r '(.Require // [])[] | "\t\(.Path) \(.Version)"' <<<"$json"
    echo ")"
    echo
    echo "replace ("
    # non-local upstream replaces
    jq -r '(.Replace // [])[] | select(.New.Version != null) |
      "\t\(.Old.Path)\(if .Old.Version then " " + .Old.Version else "" end) => \(.New.Path) \(.New.Version)"' <<<"$json"
    if [[ -n $staging ]]; then
      jq -r --arg v "$staging" '(.Require // [])[] | select((.Path | startswith("k8s.io/")) and .Version == "v0.0.0") |
        "\t\(.Path) => \(.Path) \($v)"' <<<"$json"
    fi
    echo ")"
  } >"$dir/go.mod"
}

record_time() { # component seconds toolchain
  printf '%s\t%s s\t%s\t%s\n' "$1" "$2" "$3" "$(date -u +%FT%TZ)" >>"$OUT/build-times.tsv"
}

build_go_install() { # component module-path package-path version
  local name=$1 module=$2 pkg=$3 version=$4 start=$SECONDS
  local info dir goline tc modver="$3@$4"
  info=$(module_info "$module@$version") || return 1
  dir=$(jq -r .GoMod <<<"$info")
  goline=$(GOTOOLCHAIN=local go mod edit -json "$dir" | jq -r .Go)
  tc=$(toolchain_for "$goline")
  log "$name: go install $modver (toolchain $tc)"
  rm -rf "$OUT/src/$name.gobin"; mkdir -p "$OUT/src/$name.gobin"
  run_with_progress "$name" env GOTOOLCHAIN="$tc" GOBIN="$OUT/src/$name.gobin" \
    go install -trimpath -ldflags="-s -w" "$modver" || return 1
  mv -f "$OUT/src/$name.gobin/$(basename "$pkg")" "$BIN/$name"
  log "$name: built in $((SECONDS - start)) s -> $BIN/$name"
  record_time "$name" $((SECONDS - start)) "$tc"
}

K8S_WRAPPER="$OUT/src/kubernetes"
prepare_kubernetes_wrapper() {
  # go.mod is regenerated every time (cheap, deterministic); go.sum accumulates.
  local info gomod srcdir minor patch
  info=$(module_info "k8s.io/kubernetes@$K8S_VERSION") || return 1
  gomod=$(jq -r .GoMod <<<"$info"); srcdir=$(jq -r .Dir <<<"$info")
  IFS=. read -r _ minor patch <<<"${K8S_VERSION#v}"
  write_wrapper "$K8S_WRAPPER" "$gomod" k8s.io/kubernetes "$K8S_VERSION" "v0.$minor.$patch" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-scheduler
  # upstream go.sum covers every pinned dependency; -mod=mod adds the staging modules' sums.
  if [[ ! -f "$K8S_WRAPPER/go.sum" ]]; then
    cp "$srcdir/go.sum" "$K8S_WRAPPER/go.sum"; chmod u+w "$K8S_WRAPPER/go.sum"
  fi
}

build_kubernetes_cmd() { # component
  local name=$1 start=$SECONDS tc goline minor
  log "$name: fetching k8s.io/kubernetes@$K8S_VERSION (large module zip) and generating the wrapper module"
  prepare_kubernetes_wrapper || return 1
  [[ $mode == wrapper ]] && { log "$name: wrapper module in $K8S_WRAPPER"; return 0; }
  goline=$(GOTOOLCHAIN=local go mod edit -json "$K8S_WRAPPER/go.mod" | jq -r .Go)
  tc=$(toolchain_for "$goline")
  IFS=. read -r _ minor _ <<<"${K8S_VERSION#v}"
  local pkg=k8s.io/component-base/version
  local ldflags="-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  log "$name: go build k8s.io/kubernetes/cmd/$name@$K8S_VERSION (toolchain $tc)"
  run_with_progress "$name" bash -c 'cd "$1" && GOTOOLCHAIN="$2" go build -mod=mod -trimpath -ldflags="$3" -o "$4.tmp" "$5"' _ \
    "$K8S_WRAPPER" "$tc" "$ldflags" "$BIN/$name" "k8s.io/kubernetes/cmd/$name" || return 1
  mv -f "$BIN/$name.tmp" "$BIN/$name"
  log "$name: built in $((SECONDS - start)) s -> $BIN/$name"
  record_time "$name" $((SECONDS - start)) "$tc"
}

# install_crds <component> <crd files...>: copies them to $OUT/crds/<component>, marked complete
# only when every file is there and is a CustomResourceDefinition.
install_crds() {
  local name=$1 f; shift
  [[ $# -gt 0 ]] || { log "$name: no CRD files to install"; return 1; }
  for f in "$@"; do
    grep -q '^kind: CustomResourceDefinition' "$f" || { log "$name: $f is missing or not a CustomResourceDefinition"; return 1; }
  done
  rm -rf "$OUT/crds/$name"; mkdir -p "$OUT/crds/$name"
  cp "$@" "$OUT/crds/$name/"; chmod -R u+w "$OUT/crds/$name"
  touch "$OUT/crds/$name/.complete"
}

# Extra lines for a wrapper's go.mod, from versions.env (<NAME> is the component in capitals):
#   <NAME>_REPLACES="module=version ..."  dependency versions the proxy does not serve, pinned to
#                                         the nearest one it does;
#   <NAME>_PATCHES="module@version=file ..."  a dependency built from its module zip with
#                                         patches/<file> applied (upstream bugs our tests hit).
wrapper_extras() { # component wrapper-dir
  local name=$1 wrapper=$2 prefix r info dest
  prefix="$(tr 'a-z-' 'A-Z_' <<<"$name")"
  local replaces="${prefix}_REPLACES" patches="${prefix}_PATCHES"
  for r in ${!replaces:-}; do
    printf 'replace %s => %s %s\n' "${r%%=*}" "${r%%=*}" "${r#*=}" >>"$wrapper/go.mod"
  done
  for r in ${!patches:-}; do
    local modver=${r%%=*} patch="$PATCH_DIR/${r#*=}"
    [[ -f $patch ]] || { log "$name: $patches names ${r#*=}, which is not in $PATCH_DIR"; return 1; }
    info=$(module_info "$modver") || return 1
    dest="$OUT/src/patched/$(tr '/@' '__' <<<"$modver")"
    rm -rf "$dest"; mkdir -p "$(dirname "$dest")"
    cp -r "$(jq -r .Dir <<<"$info")" "$dest"; chmod -R u+w "$dest"
    # GIT_CEILING_DIRECTORIES: git apply patches the copy as plain files, never a repository above it
    (cd "$dest" && GIT_CEILING_DIRECTORIES="$(dirname "$dest")" git apply -p1 "$patch") ||
      { log "$name: $patch does not apply to $modver"; return 1; }
    printf 'replace %s => %s\n' "${modver%@*}" "$dest" >>"$wrapper/go.mod"
    log "$name: $modver built from its module zip with ${r#*=} applied"
  done
}

# build_wrapped <component> <module> <package> <version>: builds the package in a wrapper module
# that reproduces the module's build list (write_wrapper) plus the component's extras.
build_wrapped() {
  local name=$1 mod=$2 pkg=$3 version=$4 start=$SECONDS wrapper="$OUT/src/$1"
  local info gomod srcdir goline tc
  info=$(module_info "$mod@$version") || return 1
  gomod=$(jq -r .GoMod <<<"$info"); srcdir=$(jq -r .Dir <<<"$info")
  write_wrapper "$wrapper" "$gomod" "$mod" "$version" "" "$pkg"
  wrapper_extras "$name" "$wrapper" || return 1
  [[ -f "$wrapper/go.sum" ]] || { cp "$srcdir/go.sum" "$wrapper/go.sum"; chmod u+w "$wrapper/go.sum"; }
  [[ $mode == wrapper ]] && { log "$name: wrapper module in $wrapper"; return 0; }
  goline=$(GOTOOLCHAIN=local go mod edit -json "$wrapper/go.mod" | jq -r .Go)
  tc=$(toolchain_for "$goline")
  log "$name: go build $pkg@$version (toolchain $tc)"
  run_with_progress "$name" bash -c 'cd "$1" && GOTOOLCHAIN="$2" go build -mod=mod -trimpath -ldflags="-s -w" -o "$3.tmp" "$4"' _ \
    "$wrapper" "$tc" "$BIN/$name" "$pkg" || return 1
  mv -f "$BIN/$name.tmp" "$BIN/$name"
  log "$name: built in $((SECONDS - start)) s -> $BIN/$name"
  record_time "$name" $((SECONDS - start)) "$tc"
}

build_flux_controller() { # component version
  local name=$1 mod="github.com/fluxcd/$1" info
  build_wrapped "$name" "$mod" "$mod" "$2" || return 1
  [[ $mode == wrapper ]] && return 0
  info=$(module_info "$mod@$2") || return 1
  install_crds "$name" "$(jq -r .Dir <<<"$info")"/config/crd/bases/*.yaml
  log "$name: CRDs in $OUT/crds/$name"
}

# Argo CD's Application and AppProject CRDs, from its module zip (manifests/crds): enough to
# validate the example's Applications and the reconciler's refresh request on a real API server.
fetch_argocd_crds() {
  local name=argocd-crds start=$SECONDS info srcdir
  info=$(module_info "github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION") || return 1
  srcdir=$(jq -r .Dir <<<"$info")
  install_crds "$name" "$srcdir/manifests/crds/application-crd.yaml" "$srcdir/manifests/crds/appproject-crd.yaml"
  log "$name: Argo CD $ARGOCD_VERSION CRDs in $OUT/crds/$name ($((SECONDS - start)) s)"
}

# build_component <component>: runs in its own background process, where `set -e` holds
# (a function called as `f || ...` would run with errexit ignored and could "succeed" halfway).
build_component() {
  case "$1" in
    kine) build_go_install kine github.com/k3s-io/kine github.com/k3s-io/kine "$KINE_VERSION" ;;
    kwok) build_wrapped kwok sigs.k8s.io/kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION" ;;
    kube-apiserver | kube-scheduler) build_kubernetes_cmd "$1" ;;
    source-controller) build_flux_controller "$1" "$SOURCE_CONTROLLER_VERSION" ;;
    kustomize-controller) build_flux_controller "$1" "$KUSTOMIZE_CONTROLLER_VERSION" ;;
    argocd-crds) fetch_argocd_crds ;;
  esac
  [[ $mode == wrapper ]] || is_built "$1" || { log "$1: the build ended but its files are not in $OUT"; return 1; }
}

# Components that share a wrapper module (or most dependencies) build one after another in one
# lane; lanes run concurrently, up to BUILD_LANES at once, so one lane's downloads overlap
# another's compiling. Longest lanes first.
lane_of() {
  case "$1" in
    kube-apiserver | kube-scheduler) echo kubernetes ;;
    source-controller | kustomize-controller) echo flux ;;
    *) echo "$1" ;;
  esac
}
LANE_ORDER=(kubernetes flux kwok kine argocd-crds)
BUILD_LANES=${BUILD_LANES:-3}

# run_lane <component...>: builds the lane's components in order, each in a background
# subprocess (never in an `||` list, where errexit would be ignored), and stops at a failure.
run_lane() {
  local c
  for c in "$@"; do
    build_component "$c" &
    wait $! || { log "$c: FAILED (log: $OUT/src/$c.log)"; return 1; }
  done
}

# (wrapped in a function so bash parses the whole file before running: editing build.sh
# while a build runs cannot break that build)
main() {
  total_start=$SECONDS
  log "cache $OUT (local $LOCAL_GO); components: ${components[*]}"
  local -A lane_members=()
  local c lane
  for c in "${components[@]}"; do
    if [[ $mode == build ]] && is_built "$c"; then log "$c: cached"; continue; fi
    lane=$(lane_of "$c")
    lane_members[$lane]+="$c "
  done
  local -A pids=()
  for lane in "${LANE_ORDER[@]}"; do
    [[ -n ${lane_members[$lane]:-} ]] || continue
    while [[ $(jobs -rp | wc -l) -ge $BUILD_LANES ]]; do sleep 1; done
    # shellcheck disable=SC2086 # a space-separated list of component names
    run_lane ${lane_members[$lane]} &
    pids[$lane]=$!
  done
  local failed=() lanes_ok=true
  for lane in "${!pids[@]}"; do wait "${pids[$lane]}" || lanes_ok=false; done
  for c in "${components[@]}"; do
    if [[ $mode == build ]]; then is_built "$c" || failed+=("$c"); fi
  done
  [[ $lanes_ok == true || ${#failed[@]} -gt 0 ]] || failed+=("a wrapper module")
  if [[ ${#failed[@]} -gt 0 ]]; then
    log "FAILED: ${failed[*]} (logs in $OUT/src/<component>.log); total $((SECONDS - total_start)) s"
    exit 1
  fi
  if [[ $mode == wrapper ]]; then log "wrapper modules in $OUT/src"; else log "all built in $((SECONDS - total_start)) s; binaries in $BIN"; fi
}
main "$@"; exit $?
