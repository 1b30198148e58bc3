#!/usr/bin/env bash
# Rebuilds the grammar in a temp dir and compares its sha256 with the committed
# wasm and with grammar/tree-sitter-nix.wasm.sha256. Exit 1 on any mismatch.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
rebuilt=$("$HERE/scripts/build-grammar.sh" "$TMP/tree-sitter-nix.wasm")
committed=$(sha256sum "$HERE/grammar/tree-sitter-nix.wasm" | cut -d' ' -f1)
recorded=$(cut -d' ' -f1 "$HERE/grammar/tree-sitter-nix.wasm.sha256")
echo "rebuilt   $rebuilt"; echo "committed $committed"; echo "recorded  $recorded"
[ "$rebuilt" = "$committed" ] && [ "$committed" = "$recorded" ] || { echo "grammar wasm is not reproducible" >&2; exit 1; }
echo "grammar wasm reproducible"
