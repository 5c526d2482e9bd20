#!/usr/bin/env bash
# Makes throw-away key material for trying okmsd by hand: client keys and CSRs of every accepted type,
# and one of each refused type, under certs/dev/ (gitignored). okmsd makes its own CAs (one per domain,
# on creation) and its master key (on first start); nothing here is used by the service itself.
# Never commit real private keys.
set -euo pipefail
out="$(dirname "$0")/dev"
mkdir -p "$out"
chmod 700 "$out"
make_csr() { # name, then openssl -newkey arguments
  local name=$1; shift
  openssl req -new "$@" -nodes -keyout "$out/$name.key" -subj "/CN=okmsd-dev-$name" -out "$out/$name.csr" 2>/dev/null
  chmod 600 "$out/$name.key"
  echo "  $out/$name.csr"
}
echo "okmsd dev material (accepted):"
make_csr ec-p256 -newkey ec -pkeyopt ec_paramgen_curve:P-256
make_csr ec-p384 -newkey ec -pkeyopt ec_paramgen_curve:P-384
make_csr ec-p521 -newkey ec -pkeyopt ec_paramgen_curve:P-521
make_csr rsa-2048 -newkey rsa:2048
make_csr rsa-4096 -newkey rsa:4096
echo "okmsd dev material (refused, to see the errors):"
make_csr rsa-1024-weak -newkey rsa:1024
make_csr secp256k1-unsupported -newkey ec -pkeyopt ec_paramgen_curve:secp256k1
echo "master key for OKMSD_MASTER_KEY (dev only): $(openssl rand -base64 32)"
