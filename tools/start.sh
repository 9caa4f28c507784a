#!/usr/bin/env bash
# Sets up a fresh machine and runs the main job (the node) on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
BEAMLINE_SKIP_OTP27=1 bash tools/setup.sh
exec npx -y pnpm@12.4.2 start "$@"
