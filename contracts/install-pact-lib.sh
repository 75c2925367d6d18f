#!/usr/bin/env bash
# install-pact-lib.sh DIR: put libpact_ffi 0.4.28 (the version pact-go v2.4.2 links
# and runs with) into DIR/lib, without root and without a global install.
#
# Idempotent: a library already in DIR/lib that carries the right version is kept.
# Otherwise the npm package that ships it is packed into DIR (npm pack: a download,
# no install, no scripts run), its sha256 is checked, and the .so is extracted.
# Fails loudly on any mismatch. See contracts/README.md for the `pact-go install`
# route on machines with internet access.
set -euo pipefail

dir=${1:?usage: install-pact-lib.sh DIR}
want=0.4.28
npm_pkg=@pact-foundation/pact-core-linux-x64-glibc@18.1.0
tgz_name=pact-foundation-pact-core-linux-x64-glibc-18.1.0.tgz
tgz_sha256=b7cd02d81749ab11a8d388410a2c99d822620f525de9fdeaa32830b8cfe82025
so_in_tgz=package/prebuilds/linux-x64/libpact_ffi.so
lib=$dir/lib/libpact_ffi.so

die() { echo "pact-lib: $*" >&2; exit 1; }

# lib_version FILE prints the pact_ffi version compiled into FILE (its embedded
# verifier CLI carries the crate version: "pact_verifier_cliv0.4.28").
lib_version() {
	strings -n 8 "$1" | grep -o -m1 'pact_verifier_cliv[0-9][0-9.]*' | sed 's/^pact_verifier_cliv//' || true
}

# has_symbol FILE: the library exports the FFI entry point pact-go calls first.
has_symbol() {
	nm -D --defined-only "$1" 2>/dev/null | grep -q ' pactffi_version$'
}

if [[ -f $lib ]] && [[ $(lib_version "$lib") == "$want" ]] && has_symbol "$lib"; then
	echo "pact-lib: $lib is libpact_ffi $want"
	exit 0
fi

case "$(uname -s)/$(uname -m)" in
Linux/x86_64) ;;
*) die "no npm build wired for $(uname -s)/$(uname -m); install libpact_ffi $want into $dir/lib by hand (see contracts/README.md)" ;;
esac
if ldd --version 2>&1 | grep -qi musl; then
	die "musl libc: the npm build is for glibc; see contracts/README.md"
fi
for tool in npm tar strings nm sha256sum; do
	command -v "$tool" >/dev/null || die "$tool is required"
done

mkdir -p "$dir/lib"
if [[ ! -f $dir/$tgz_name ]]; then
	echo "pact-lib: npm pack $npm_pkg into $dir"
	(cd "$dir" && npm pack --silent "$npm_pkg" >/dev/null) || die "npm pack $npm_pkg failed"
fi
echo "$tgz_sha256  $dir/$tgz_name" | sha256sum -c --quiet - ||
	{ rm -f "$dir/$tgz_name"; die "$tgz_name: sha256 mismatch (removed; run again)"; }

tmp=$(mktemp -d "$dir/extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$dir/$tgz_name" -C "$tmp" "$so_in_tgz" || die "extract $so_in_tgz from $tgz_name"
got=$(lib_version "$tmp/$so_in_tgz")
[[ $got == "$want" ]] || die "the package ships libpact_ffi '$got', want $want"
has_symbol "$tmp/$so_in_tgz" || die "the library does not export pactffi_version"
install -m 0755 "$tmp/$so_in_tgz" "$lib.new"
mv -f "$lib.new" "$lib"
echo "pact-lib: installed libpact_ffi $want into $dir/lib"
