#!/usr/bin/env bash
# Builds grammar/tree-sitter-nix.wasm from the sources in the npm package
# tree-sitter-nix@0.0.2 with Debian's emscripten (apt-get install emscripten).
# The package is fetched with `npm pack` (no install scripts run) and checked
# against its registry integrity before anything is compiled.
#
#   scripts/build-grammar.sh [OUT.wasm]     default: grammar/tree-sitter-nix.wasm
#
# Flags are the ones tree-sitter CLI 0.25 passes to emcc (its `build --wasm`
# with emscripten); the output is byte-identical
# on every rebuild, which scripts/check-grammar.sh verifies.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$HERE/grammar/tree-sitter-nix.wasm}
PKG=tree-sitter-nix@0.0.2
INTEGRITY='sha512-rPYc7NUi6hPOyFSoVdCVC9feqBk0kJ0Z3ftTWXo1ubyyKzPM5tJP6mD6xYl0gN45oh9GHGzvTbOmmwIk0XOj5A=='

command -v emcc >/dev/null || { echo "emcc not found: apt-get install -y emscripten" >&2; exit 2; }
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
( cd "$WORK" && npm pack --silent "$PKG" >/dev/null )
TGZ=$(ls "$WORK"/*.tgz)
GOT="sha512-$(openssl dgst -sha512 -binary "$TGZ" | base64 -w0)"
[ "$GOT" = "$INTEGRITY" ] || { echo "integrity mismatch for $PKG: $GOT" >&2; exit 2; }
tar -xzf "$TGZ" -C "$WORK"
cd "$WORK/package/src"
# Debian's emscripten ships a frozen cache: EM_CACHE must stay unset.
unset EM_CACHE
emcc -o "$WORK/tree-sitter-nix.wasm" -Os -s WASM=1 -s SIDE_MODULE=2 -s TOTAL_MEMORY=33554432 \
  -s NODEJS_CATCH_EXIT=0 -s 'EXPORTED_FUNCTIONS=["_tree_sitter_nix"]' \
  -fno-exceptions -fvisibility=hidden -I . parser.c scanner.c
mkdir -p "$(dirname "$OUT")"
cp "$WORK/tree-sitter-nix.wasm" "$OUT"
sha256sum "$OUT" | cut -d' ' -f1
