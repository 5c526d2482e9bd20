#!/usr/bin/env bash
# Builds the real Vault clients for test/e2e/vault-clients.test.ts into .cache/vault-clients/ unless they are there,
# and prints that directory: hvac (PyPI, pinned) in a virtual environment, and go-reader, a small program on the
# official Go client (github.com/hashicorp/vault/api v1.23.0 from the Go module proxy, pinned by go.sum).
# Test tooling only.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.cache/vault-clients"
hvac_version="2.3.0"
mkdir -p "$out/bin"
if ! { [ -x "$out/venv/bin/python" ] && "$out/venv/bin/python" -c "import hvac, sys; sys.exit(hvac.__version__ != '$hvac_version')" 2>/dev/null; }; then
  command -v python3 >/dev/null 2>&1 || { echo "vault-clients: python3 is needed" >&2; exit 1; }
  rm -rf "$out/venv"
  python3 -m venv "$out/venv" >&2
  "$out/venv/bin/pip" install --quiet --disable-pip-version-check "hvac==$hvac_version" >&2
fi
stamp="$(sha256sum "$root/tools/vault-clients/go-reader/main.go" "$root/tools/vault-clients/go-reader/go.sum" | sha256sum | cut -c1-16)"
if [ ! -x "$out/bin/go-reader" ] || [ "$(cat "$out/bin/go-reader.stamp" 2>/dev/null)" != "$stamp" ]; then
  command -v go >/dev/null 2>&1 || { echo "vault-clients: go is needed" >&2; exit 1; }
  (cd "$root/tools/vault-clients/go-reader" && go build -mod=readonly -o "$out/bin/go-reader" .) >&2
  echo "$stamp" > "$out/bin/go-reader.stamp"
fi
echo "$out"
