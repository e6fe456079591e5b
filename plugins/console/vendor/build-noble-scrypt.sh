#!/usr/bin/env bash
# Rebuild vendor/noble-hashes-<version>/scrypt.js: @noble/hashes' scrypt as one
# classic browser script (no modules, no network at run time) that defines
# globalThis.NobleHashesScrypt = { version, scrypt, scryptAsync }.
#
#   bash plugins/console/vendor/build-noble-scrypt.sh
#
# A developer tool, run by hand when the pinned version changes; the output is
# committed and nothing runs it at build or run time. It needs npm (registry
# access) and Node >= 20. Reproducible: the package tarball is pinned by its
# npm integrity hash, esbuild by version, and the bundle carries no paths or
# dates, so a rerun gives the same bytes (README.md records their SHA-256).
#
# @noble/hashes 2.x ships ES modules only (scrypt.js imports pbkdf2.js,
# hmac.js, sha2.js, _md.js, _u64.js, utils.js), no UMD/IIFE build, so esbuild
# bundles the package's own ESM files into one IIFE: no minification, no
# syntax lowering (no --target), only the modules scrypt needs.
set -euo pipefail

NOBLE_VERSION=2.4.0
NOBLE_INTEGRITY="sha512-X5XaVWZIBCT7HHZGm5I7ZQXDwLG+bGXuSrMQAW+7Zvl87h1kmc1ZB1VSRJcpUfoUrGQp4Fkoxm5kZ+Ms+aW+eA=="
ESBUILD_VERSION=0.28.2

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/noble-hashes-$NOBLE_VERSION"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "@noble/hashes@$NOBLE_VERSION" >/dev/null
tarball="noble-hashes-$NOBLE_VERSION.tgz"
actual="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
if [[ "$actual" != "$NOBLE_INTEGRITY" ]]; then
  echo "integrity mismatch for $tarball: $actual" >&2
  exit 1
fi
tar xzf "$tarball"

cat > entry.mjs <<JS
import { scrypt, scryptAsync } from "./package/scrypt.js";
globalThis.NobleHashesScrypt = Object.freeze({ version: "$NOBLE_VERSION", scrypt, scryptAsync });
JS

banner="/*! @noble/hashes $NOBLE_VERSION, scrypt only (scrypt.js and the modules it imports), bundled
 * unmodified by plugins/console/vendor/build-noble-scrypt.sh (esbuild $ESBUILD_VERSION, IIFE, not minified).
 * Source: npm package @noble/hashes@$NOBLE_VERSION, $NOBLE_INTEGRITY
 * https://github.com/paulmillr/noble-hashes -- MIT License, Copyright (c) 2022 Paul Miller
 * (https://paulmillr.com); full text in LICENSE beside this file.
 * Defines globalThis.NobleHashesScrypt = { version, scrypt, scryptAsync }. */"

mkdir -p "$out"
# Run from the work dir so the module comments esbuild writes are "package/…", not temp paths.
npx --yes "esbuild@$ESBUILD_VERSION" entry.mjs --bundle --format=iife --charset=utf8 \
  --legal-comments=inline --log-level=warning --banner:js="$banner" --outfile="$out/scrypt.js"
cp package/LICENSE "$out/LICENSE"
echo "wrote $out/scrypt.js (sha256 $(sha256sum "$out/scrypt.js" | cut -d' ' -f1))"
