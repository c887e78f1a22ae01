#!/usr/bin/env bash
# Proves the README's commands work for a newcomer: a fresh clone of this checkout's HEAD, an
# empty Maven local repository, JAVA_HOME unset (the machine's default java may be 17). Runs the
# sample commands first (the order that needs them to build the annotation processor themselves);
# .ci/run then runs the test command the same way, so both orders are covered.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$src" "$work/kiln"
mkdir "$work/m2"
cd "$work/kiln"
fresh() {  # runs a README command as a newcomer would, output to $work/log
  env -u JAVA_HOME MAVEN_ARGS="-Dmaven.repo.local=$work/m2" "$@" >"$work/log" 2>&1
}
expect() {  # expect LABEL PATTERN: the last command's output must contain PATTERN
  if ! grep -q -- "$2" "$work/log"; then
    echo "fresh clone: $1 did not print '$2'; its output:" >&2
    tail -40 "$work/log" >&2
    exit 1
  fi
  echo "fresh clone: $1 works"
}
fail() { echo "fresh clone: $1 failed (exit $2); its output:" >&2; tail -40 "$work/log" >&2; exit 1; }

fresh ./kiln perceptron || fail "./kiln perceptron" $?
expect "./kiln perceptron" "A single perceptron cannot learn XOR"

fresh ./kiln-spark lenet --epochs 1 --out "$work/spark-out" || fail "./kiln-spark lenet" $?
expect "./kiln-spark lenet" "test accuracy"
test -s "$work/spark-out/lenet.safetensors" || { echo "fresh clone: ./kiln-spark lenet wrote no weights" >&2; exit 1; }

# A newcomer who set nothing and runs the sample again without a build gets one clear line.
rm -rf samples/target
set +e; env -u JAVA_HOME KILN_SKIP_BUILD=1 ./kiln perceptron >"$work/log" 2>&1; rc=$?; set -e
[ "$rc" = 2 ] || fail "KILN_SKIP_BUILD=1 ./kiln on an unbuilt tree (expected exit 2)" "$rc"
expect "KILN_SKIP_BUILD=1 ./kiln on an unbuilt tree" "run once without KILN_SKIP_BUILD"
