#!/usr/bin/env bash
# The run step of action.yml. Inputs arrive as INPUT_* environment variables;
# GITHUB_ACTION_PATH, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY come from the runner.
set -uo pipefail

if [ -n "${INPUT_COMMAND:-}" ]; then
  read -r -a cmd <<< "$INPUT_COMMAND"
else
  version="${INPUT_VERSION:-}"
  if [ -z "$version" ]; then
    version="$(node -p 'require(process.argv[1]).version' "$GITHUB_ACTION_PATH/package.json")" || exit 2
  fi
  cmd=(npx --yes "nixgen-migrate@$version")
fi

mode=()
case "${INPUT_WRITE:-false}" in
  true) mode=(--write) ;;
  false) ;;
  *) echo "::error title=nixgen-migrate::input write must be true or false, not '${INPUT_WRITE}'"; exit 2 ;;
esac
case "${INPUT_VERIFY:-false}" in
  true) mode+=(--verify) ;;
  false) ;;
  *) echo "::error title=nixgen-migrate::input verify must be true or false, not '${INPUT_VERIFY}'"; exit 2 ;;
esac
case "${INPUT_FAIL_ON_CHANGES:-true}" in
  true|false) ;;
  *) echo "::error title=nixgen-migrate::input fail-on-changes must be true or false, not '${INPUT_FAIL_ON_CHANGES}'"; exit 2 ;;
esac

# whitespace-separated lists (no globbing, no eval)
set -f
read -r -d '' -a paths <<< "${INPUT_PATHS:-.}" || true
read -r -d '' -a extra <<< "${INPUT_ARGS:-}" || true
set +f
[ ${#paths[@]} -gt 0 ] || paths=(.)

# ${a[@]+"${a[@]}"}: empty arrays under set -u on bash 3.2 (macOS runners)
"${cmd[@]}" --format github ${mode[@]+"${mode[@]}"} ${extra[@]+"${extra[@]}"} -- "${paths[@]}"
code=$?
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "exit-code=$code" >> "$GITHUB_OUTPUT"; fi
if [ "$code" = 1 ] && [ "${INPUT_FAIL_ON_CHANGES:-true}" = false ]; then
  echo "nixgen-migrate: changes needed or findings to look at; not failing (fail-on-changes: false)"
  exit 0
fi
exit "$code"
