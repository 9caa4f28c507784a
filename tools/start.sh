#!/usr/bin/env bash
# Sets up a fresh machine and runs the main job (the node) on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
BEAMLINE_SKIP_OTP27=1 bash tools/setup.sh
# What `pnpm start` runs, without pnpm in between: this script's pid becomes the node's, so a
# SIGTERM sent to it (kill, a service manager) reaches switchd; pnpm does not pass signals on.
exec node --conditions=@beamline/source --import tsx apps/switchd/src/main.ts "$@"
