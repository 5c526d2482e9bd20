#!/usr/bin/env bash
# Installs PyKMIP (PyPI, pinned) into .cache/pykmip/ unless it is there, and prints the path of its python.
# Test tooling only: test/e2e/pykmip.test.ts drives okmsd's KMIP server with PyKMIP's own client.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.cache/pykmip"
version="0.11.0"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import kmip, sys; sys.exit(kmip.__version__ != '$version')" 2>/dev/null; then echo "$venv/bin/python"; exit 0; fi
command -v python3 >/dev/null 2>&1 || { echo "pykmip: python3 is needed" >&2; exit 1; }
rm -rf "$venv"
python3 -m venv "$venv" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check "pykmip==$version" >&2
echo "$venv/bin/python"
