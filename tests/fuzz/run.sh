#!/usr/bin/env bash
# Runs every *_fuzz binary in <fuzzer-bin-dir> for <seconds> each, on a temporary COPY of its
# seed corpus (tests/fuzz/corpus/<name without _fuzz>/), so the repository is never written
# to: new corpus entries, crash reproducers and logs all stay in a temp dir, which is kept
# (and printed) only when something failed.
#
#   bash tests/fuzz/run.sh build/fuzz/tests/fuzz 20
#
# Prints one line per fuzzer with its exec count and ends with "N passed, M failed"; exits
# non-zero when any fuzzer crashed, broke an invariant, or did not run.
set -u

if [ $# -ne 2 ]; then
  echo "usage: bash $0 <fuzzer-bin-dir> <seconds>" >&2
  exit 2
fi
bin_dir=$1
seconds=$2
case $seconds in
  '' | *[!0-9]*)
    echo "seconds must be a positive integer, got '$seconds'" >&2
    exit 2
    ;;
esac
if [ ! -d "$bin_dir" ]; then
  echo "no such directory: $bin_dir" >&2
  exit 2
fi

bin_dir=$(cd "$bin_dir" && pwd)  # absolute: each fuzzer runs from inside the temp dir
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
corpus_root=$script_dir/corpus
work=$(mktemp -d "${TMPDIR:-/tmp}/edgetrace-fuzz.XXXXXX")

passed=0
failed=0
found=0
for bin in "$bin_dir"/*_fuzz; do
  [ -f "$bin" ] && [ -x "$bin" ] || continue
  found=$((found + 1))
  name=$(basename "$bin")
  target=${name%_fuzz}
  corpus=$work/$target/corpus
  artifacts=$work/$target/artifacts
  mkdir -p "$corpus" "$artifacts"
  if [ -d "$corpus_root/$target" ]; then
    cp -R "$corpus_root/$target/." "$corpus/"
  fi
  log=$work/$target/fuzz.log
  # Run from inside the temp dir too: libFuzzer writes nothing relative to the caller's cwd.
  (cd "$work/$target" &&
    "$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
      "$corpus" >"$log" 2>&1)
  status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
  execs=${execs:-0}
  crashes=$(find "$artifacts" -type f | wc -l)
  if [ "$status" -eq 0 ] && [ "$crashes" -eq 0 ] && [ "$execs" -gt 0 ]; then
    passed=$((passed + 1))
    echo "PASS $name: $execs execs in ${seconds}s"
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $status, $execs execs, $crashes artifact(s); log: $log"
    grep -m 5 -E 'invariant failed|ERROR: |SUMMARY: |runtime error|not found|No such' "$log" |
      sed 's/^/    /'
    for artifact in "$artifacts"/*; do
      [ -f "$artifact" ] && echo "    reproducer: $artifact"
    done
  fi
done

if [ "$found" -eq 0 ]; then
  echo "no *_fuzz binaries in $bin_dir (build with: cmake --preset fuzz && cmake --build --preset fuzz)"
  failed=1
fi
echo "$passed passed, $failed failed"
if [ "$failed" -eq 0 ]; then
  rm -rf "$work"
  exit 0
fi
echo "work directory kept: $work"
exit 1
