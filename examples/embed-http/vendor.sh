#!/usr/bin/env bash
# Builds the library packages and packs the two this service uses into vendor/ (run from anywhere).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
mkdir -p "$here/vendor"
(cd "$root" && npx -y pnpm@12.4.2 -r --filter ./packages/etf --filter ./packages/core run build)
for lib in etf core; do (cd "$root/packages/$lib" && npx -y pnpm@12.4.2 pack --pack-destination "$here/vendor" >/dev/null); done
ls "$here/vendor"
