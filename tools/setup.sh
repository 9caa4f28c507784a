#!/usr/bin/env bash
# Makes a fresh Debian 12 machine ready to run beamline and its tests: Erlang/OTP from Debian
# (the interop peer), OTP 27 in a private folder (the second interop peer), pnpm and the
# workspace's packages. Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# erlang-ssl (with crypto, public-key, asn1) and openssl: the TLS distribution interop test.
# sip-tester (SIPp): the real SIP phone of the sofia tests.
debian_packages=(erlang-base erlang-dev erlang-crypto erlang-public-key erlang-asn1 erlang-ssl openssl sip-tester)
missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing from Debian's packages: ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${BEAMLINE_SKIP_OTP27:-}" != 1 ]; then
  bash tools/install-otp27.sh .otp27 >/dev/null
fi

export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
npx -y pnpm@12.4.2 install --frozen-lockfile --reporter=silent
