#!/usr/bin/env bash
# Puts Erlang/OTP 27 (from Debian 13's packages) in a private folder, leaving the system's
# OTP alone, so the interop suites can run against both. The Debian mirror is the one this
# machine's apt already uses; only the suite name changes. The unpacked emulator runs through
# Debian 13's own dynamic loader and libraries, kept inside the folder.
# usage: tools/install-otp27.sh [DIR]   (default .otp27). Prints the path of the `erl` it made.
set -euo pipefail
target=${1:-.otp27}
mkdir -p "$target"
target=$(cd "$target" && pwd)
erl="$target/root/usr/lib/erlang/bin/erl"

is_otp27() { "$1" -noshell -eval 'halt(case erlang:system_info(otp_release) of "27" -> 0; _ -> 1 end).' >/dev/null 2>&1; }
if [ -x "$erl" ] && is_otp27 "$erl"; then echo "$erl"; exit 0; fi

mirror=$(grep -hoE '^(URIs:|deb) +[a-z]+://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
  | grep -oE "[a-z]+://[^ ]+" | head -n 1 || true)
[ -n "$mirror" ] || { echo "install-otp27: no Debian mirror found in apt's sources" >&2; exit 1; }

mkdir -p "$target/apt/lists/partial" "$target/debs"
echo "deb $mirror trixie main" > "$target/apt/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$target/apt/sources.list" -o Dir::Etc::sourceparts=-
          -o "Dir::State::Lists=$target/apt/lists" -o APT::Get::List-Cleanup=0)
log="$target/install.log"
apt-get "${apt_opts[@]}" update >"$log" 2>&1
(cd "$target/debs" && apt-get "${apt_opts[@]}" download \
  erlang-base erlang-crypto erlang-public-key erlang-asn1 erlang-ssl \
  libc6 libgcc-s1 libstdc++6 libtinfo6 zlib1g libssl3t64 libsystemd0 libcap2 \
  libgcrypt20 libgpg-error0 liblz4-1 liblzma5 libzstd1 >>"$log" 2>&1)

rm -rf "$target/root" && mkdir -p "$target/root"
for deb in "$target"/debs/*.deb; do dpkg-deb -x "$deb" "$target/root"; done

libs="$target/root/usr/lib/x86_64-linux-gnu"
otp="$target/root/usr/lib/erlang"
for bin in "$otp"/bin/* "$otp"/erts-*/bin/*; do
  [ -f "$bin" ] && [ ! -L "$bin" ] || continue
  [ "$(head -c 4 "$bin" | tail -c 3)" = ELF ] || continue
  mv "$bin" "$bin.elf"
  cat > "$bin" <<WRAP
#!/bin/sh
exec "$libs/ld-linux-x86-64.so.2" --argv0 "\$0" --library-path "$libs" "$bin.elf" "\$@"
WRAP
  chmod +x "$bin"
done
sed -i "s|^\( *\)ROOTDIR=/usr/lib/erlang\$|\1ROOTDIR=$otp|" "$otp/bin/erl" "$otp"/erts-*/bin/erl

is_otp27 "$erl" || { echo "install-otp27: the unpacked OTP 27 does not start (see $log)" >&2; exit 1; }
echo "$erl"
