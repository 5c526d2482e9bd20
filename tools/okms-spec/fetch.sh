#!/usr/bin/env bash
# Fetches OVHcloud's own OpenAPI description of the OKMS data plane (2.17.0, with BYOK) from the Go module proxy —
# github.com/ovh/okms-sdk-go v0.5.4, which ships it as .github/codegen/schemas/swagger.yaml (Apache-2.0) — into
# .cache/okms-spec/ unless it is there, checks its SHA-256, and prints its path. The contract tests
# (test/integration/okms-contract.test.ts) validate okmsd's requests and responses against it; it is never copied
# into the repository.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.cache/okms-spec"
file="$out/okms-openapi-2.17.0.yaml"
sha="1a0bda62961433a942ad394e33f59f20caf681cd72ed90508fb30f5751f2ccfe"
module="github.com/ovh/okms-sdk-go"
version="v0.5.4"
if [ -f "$file" ] && echo "$sha  $file" | sha256sum -c --quiet - 2>/dev/null; then echo "$file"; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "okms-spec: go is needed (the spec comes from the Go module proxy)" >&2; exit 1; }
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && go mod init okmsd.test/spec >/dev/null 2>&1 && go mod download -json "$module@$version" > download.json)
zip="$(sed -n 's/^[[:space:]]*"Zip": "\(.*\)",$/\1/p' "$tmp/download.json")"
[ -f "$zip" ] || { echo "okms-spec: the module proxy gave no zip for $module@$version" >&2; cat "$tmp/download.json" >&2; exit 1; }
python3 - "$zip" "$module@$version/.github/codegen/schemas/swagger.yaml" "$file" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive, open(sys.argv[3], "wb") as target:
    target.write(archive.read(sys.argv[2]))
PY
echo "$sha  $file" | sha256sum -c --quiet - || { echo "okms-spec: $file does not have the pinned SHA-256" >&2; rm -f "$file"; exit 1; }
echo "$file"
