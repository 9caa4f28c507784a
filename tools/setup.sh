#!/usr/bin/env bash
# Makes a fresh Debian 12 machine ready to run beamline and its tests: Erlang/OTP from Debian
# (the interop peer), OTP 27 in a private folder (the second interop peer), pnpm and the
# workspace's packages. Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v erl >/dev/null 2>&1; then
  echo "setup: installing Erlang/OTP from Debian's packages" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq erlang-base erlang-dev >/dev/null
fi

if [ "${BEAMLINE_SKIP_OTP27:-}" != 1 ]; then
  bash tools/install-otp27.sh .otp27 >/dev/null
fi

export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
npx -y pnpm@12.4.2 install --frozen-lockfile --reporter=silent
