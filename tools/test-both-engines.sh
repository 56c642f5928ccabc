#!/usr/bin/env bash
# The whole suite on SQLite and on PostgreSQL at the same time (one process each: the machine
# this runs on has two cores, and each run has a database and ports of its own). Each line is
# prefixed with its engine; a summary of both ends the output; fails if either fails.
# MDK_TEST_SERIAL=1 runs them one after the other instead.
set -uo pipefail
bin=${BIN:-.venv/bin}
export HYPOTHESIS_PROFILE=${HYPOTHESIS_PROFILE:-ci}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

run() {  # engine
  local started=$SECONDS
  MDK_TEST_DB=$1 "$bin/pytest" -q -p no:cacheprovider "${@:2}" 2>&1 | tee "$logs/$1.log" \
    | sed -u "s/^/[$1] /"
  local status=${PIPESTATUS[0]}
  echo "$status $(( SECONDS - started ))" > "$logs/$1.status"
  return "$status"
}

if [ "${MDK_TEST_SERIAL:-0}" = 1 ]; then
  run sqlite "$@"; run postgresql "$@"
else
  run sqlite "$@" & run postgresql "$@" & wait
fi

failed=0
echo
for engine in sqlite postgresql; do
  read -r status seconds < "$logs/$engine.status" || { status=1; seconds=?; }
  summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed|error)' "$logs/$engine.log" | tail -1)
  echo "$engine: ${summary:-no summary} (exit $status, ${seconds} s)"
  [ "$status" = 0 ] || failed=1
done
exit "$failed"
