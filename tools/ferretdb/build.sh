#!/usr/bin/env bash
# Builds FerretDB v1.24.2 (a MongoDB-wire-compatible server; test tooling only, never shipped) into
# .cache/ferretdb/ unless it is already there, and prints the binary's path.
#
# The source comes from the Go module proxy by name and version (`go mod download`, checked against
# sum.golang.org). A module download lacks the generated build/version/version.txt that FerretDB's release
# build writes (without it the binary panics at start), so it is added here, naming the tag's commit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
module="github.com/FerretDB/FerretDB"
version="v1.24.2"
commit="cda72d440810406a208c4670aa7047f5bc8d528f"
out_dir="$root/.cache/ferretdb"
binary="$out_dir/ferretdb-$version"

if [ -x "$binary" ]; then echo "$binary"; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "ferretdb: the Go toolchain is needed to build the test MongoDB server (or set TEST_MONGODB_URI)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
echo "ferretdb: fetching $module@$version from the Go module proxy and building it (first run only, about a minute)" >&2
dir="$(cd "$work" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -n "$dir" ] && [ -f "$dir/go.mod" ] || { echo "ferretdb: go mod download gave no module directory" >&2; exit 1; }
cp -R "$dir" "$work/src"
chmod -R u+w "$work/src"
printf '%s' "$version" >"$work/src/build/version/version.txt"
printf '%s' "$commit" >"$work/src/build/version/commit.txt"
mkdir -p "$out_dir"
(cd "$work/src" && GOTOOLCHAIN=local CGO_ENABLED=0 go build -trimpath -buildvcs=false -o "$binary.partial" ./cmd/ferretdb) >&2
mv "$binary.partial" "$binary"
"$binary" --version | head -1 >&2
echo "$binary"
