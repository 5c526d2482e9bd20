#!/usr/bin/env bash
# Installs the certificate linters the PKI tests run, unless they are there, and prints their directory:
#   zlint v3.7.3 (Go module github.com/zmap/zlint/v3, built with `go install` into .cache/lint/bin)
#   pkilint 0.13.3 (PyPI, in the virtual environment .cache/lint/pkilint)
# Test tooling only: test/e2e/pki-lint.test.ts lints every kind of artifact okmsd makes.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.cache/lint"
zlint_version="v3.7.3"
pkilint_version="0.13.3"
mkdir -p "$out/bin"
if ! [ -x "$out/bin/zlint" ] || ! [ -f "$out/bin/zlint.$zlint_version" ]; then
  command -v go >/dev/null 2>&1 || { echo "lint: the Go toolchain is needed to build zlint" >&2; exit 1; }
  echo "lint: building zlint $zlint_version from the Go module proxy (first run only)" >&2
  GOTOOLCHAIN=local GOBIN="$out/bin" CGO_ENABLED=0 go install "github.com/zmap/zlint/v3/cmd/zlint@$zlint_version" >&2
  touch "$out/bin/zlint.$zlint_version"
fi
if ! [ -x "$out/pkilint/bin/lint_pkix_cert" ] || ! "$out/pkilint/bin/pip" show pkilint 2>/dev/null | grep -q "^Version: $pkilint_version$"; then
  command -v python3 >/dev/null 2>&1 || { echo "lint: python3 is needed for pkilint" >&2; exit 1; }
  rm -rf "$out/pkilint"
  python3 -m venv "$out/pkilint" >&2
  "$out/pkilint/bin/pip" install --quiet --disable-pip-version-check "pkilint==$pkilint_version" >&2
fi
for tool in "$out/bin/zlint" "$out/pkilint/bin/lint_pkix_cert" "$out/pkilint/bin/lint_crl" "$out/pkilint/bin/lint_ocsp_response"; do
  [ -x "$tool" ] || { echo "lint: $tool is missing after the install" >&2; exit 1; }
done
echo "$out"
