#!/usr/bin/env bash
# Kiln's share of javac time on the samples, warm (in one JVM) and cold (one javac process per build).
# Needs the modules built (./mvnw install -DskipTests); see docs/processor-performance.md.
# Usage: benchmarks/processor-timing/run.sh [warm-rounds] [cold-runs]   (MAVEN_REPO overrides ~/.m2/repository)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-15}
COLD=${2:-7}
REPO=${MAVEN_REPO:-$HOME/.m2/repository}
VERSION=0.1.0-SNAPSHOT
DSL=dsl-annotations/target/kiln-dsl-$VERSION.jar
RUNTIME=runtime/target/kiln-runtime-$VERSION.jar
PROCESSOR=processor/target/kiln-processor-$VERSION.jar
POET=$(ls "$REPO"/com/palantir/javapoet/javapoet/*/javapoet-*.jar | grep -v sources | head -1)
for jar in "$DSL" "$RUNTIME" "$PROCESSOR" "$POET"; do
  [[ -f $jar ]] || { echo "run.sh: $jar is missing; build first: ./mvnw install -DskipTests" >&2; exit 1; }
done
S=samples/src/main/java/io/kiln/samples
SAMPLES=(trivial=$S/perceptron/Perceptron.java lenet=$S/lenet/LeNet.java charlstm=$S/charlstm/CharLstm.java
  seq2seq=$S/seq2seq/Seq2Seq.java tinygpt=$S/gpt/TinyGpt.java)

echo "== warm: $ROUNDS interleaved in-process compiles per sample after 5 warm-up rounds (javax.tools, one JVM)"
java -cp "$PROCESSOR:$POET:$DSL" benchmarks/processor-timing/ProcessorTiming.java "$DSL:$RUNTIME" 5 "$ROUNDS" "${SAMPLES[@]}"

echo "== cold: one javac process per build, $COLD runs each; medians of wall time and of CPU time (user + sys, all threads)"
echo "   none: -proc:none; kiln: with the processor (it writes the class, javac compiles both);"
echo "   generated: -proc:none of the source plus the class Kiln wrote, i.e. what compiling the generated code costs"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
JAVAC=(javac -cp "$DSL:$RUNTIME" --add-modules jdk.incubator.vector -nowarn -XDsuppressNotes)
# Prints "wall-ms cpu-ms" of one command. CPU time is less disturbed than wall time by other users of the cores.
measure() {
  local TIMEFORMAT="%R %U %S" t
  t=$( { time "$@" >/dev/null 2>&1; } 2>&1 )
  awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}' <<<"$t"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf "%-9s %17s %17s %17s %17s %17s\n" sample "none wall/cpu" "kiln wall/cpu" "generated wall/cpu" "kiln share" "processor"
for spec in "${SAMPLES[@]}"; do
  name=${spec%%=*}; src=${spec#*=}
  rm -rf "$OUT"/* && mkdir -p "$OUT/gen"
  "${JAVAC[@]}" -d "$OUT" -s "$OUT/gen" -processorpath "$PROCESSOR:$POET:$DSL" "$src"
  generated=$(find "$OUT/gen" -name '*.java')
  : >"$OUT/none"; : >"$OUT/kiln"; : >"$OUT/gen.t"
  for ((i = 0; i < COLD; i++)); do
    rm -rf "$OUT/c" && mkdir "$OUT/c"
    measure "${JAVAC[@]}" -d "$OUT/c" -proc:none "$src" >>"$OUT/none"
    rm -rf "$OUT/c" "$OUT/s" && mkdir "$OUT/c" "$OUT/s"
    measure "${JAVAC[@]}" -d "$OUT/c" -s "$OUT/s" -processorpath "$PROCESSOR:$POET:$DSL" "$src" >>"$OUT/kiln"
    rm -rf "$OUT/c" && mkdir "$OUT/c"
    measure "${JAVAC[@]}" -d "$OUT/c" -proc:none "$src" $generated >>"$OUT/gen.t"
  done
  col() { cut -d' ' -f"$2" "$OUT/$1" | median; }
  nw=$(col none 1); nc=$(col none 2); kw=$(col kiln 1); kc=$(col kiln 2); gw=$(col gen.t 1); gc=$(col gen.t 2)
  printf "%-9s %7d / %5d ms %7d / %5d ms %7d / %5d ms %7d / %5d ms %7d / %5d ms\n" "$name" "$nw" "$nc" "$kw" "$kc" "$gw" "$gc" \
    $((kw - nw)) $((kc - nc)) $((kw - gw)) $((kc - gc))
done
echo "kiln share = kiln − none: what the processor adds to a build; processor = kiln − generated: the processor itself"
echo "(loading it and JavaPoet, its passes, the extra round), without compiling the class it writes"
