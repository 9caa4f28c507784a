#!/usr/bin/env bash
# The one command that sets up and runs every test: lint, typecheck, unit tests, and the interop
# suites (files named *.interop.test.ts) against Debian's OTP and again against OTP 27.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
pnpm() { npx -y pnpm@12.4.2 "$@"; }

echo "== lint (biome + dependency-cruiser)"
pnpm lint

echo "== typecheck + all tests (OTP $(erl -noshell -eval 'io:put_chars(erlang:system_info(otp_release)), halt().'))"
pnpm test

otp27=$(bash tools/install-otp27.sh .otp27)
echo "== interop suites against OTP 27 ($otp27)"
BEAMLINE_ERL="$otp27" npx -y pnpm@12.4.2 exec vitest run interop
