#!/usr/bin/env bash
# Installs schemathesis (PyPI, pinned) into .cache/schemathesis/ unless it is there, and prints the path of `st`.
# Test tooling only: test/e2e/schemathesis.test.ts runs it against every plane's served OpenAPI document.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.cache/schemathesis"
version="4.32.5"
if [ -x "$venv/bin/st" ] && "$venv/bin/st" --version 2>/dev/null | grep -q "$version"; then echo "$venv/bin/st"; exit 0; fi
command -v python3 >/dev/null 2>&1 || { echo "schemathesis: python3 is needed" >&2; exit 1; }
rm -rf "$venv"
python3 -m venv "$venv" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version" >&2
"$venv/bin/st" --version >&2
echo "$venv/bin/st"
