#!/usr/bin/env bash
# Builds FerretDB v1.24.1 (a MongoDB-wire-compatible server; test tooling only, never shipped) into
# .cache/ferretdb/ unless it is already there, and prints the binary's path.
#
# Why a vendored source archive: the Go module proxy answers 403 for github.com/FerretDB/FerretDB@v1.24.1 on
# these machines, while every dependency in its go.sum is served. The archive is `git archive v1.24.1`
# (commit b297c1124e2ca996250cccdab96fd0c7c455c12e) less tests, docs and website, plus the generated
# build/version/version.txt that a plain `go install` lacks (without it the binary panics at start).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
archive="$here/ferretdb-v1.24.1-src.tar.gz"
expected_sha256="ef76a7dd7bb9dae5d76a3a90ab8a96a7c822ebd4153290dd252befe41ae446ad"
out_dir="$root/.cache/ferretdb"
binary="$out_dir/ferretdb-v1.24.1"

if [ -x "$binary" ]; then echo "$binary"; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "ferretdb: the Go toolchain is needed to build the test MongoDB server (or set TEST_MONGODB_URI)" >&2; exit 1; }
echo "$expected_sha256  $archive" | sha256sum -c --quiet - >&2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$archive" -C "$work"
mkdir -p "$out_dir"
echo "ferretdb: building v1.24.1 from source (first run only, about a minute)" >&2
(cd "$work" && GOTOOLCHAIN=local CGO_ENABLED=0 go build -trimpath -buildvcs=false -o "$binary.partial" ./cmd/ferretdb) >&2
mv "$binary.partial" "$binary"
"$binary" --version | head -1 >&2
echo "$binary"
