#!/usr/bin/env bash
# Kiln's share of javac time on the samples, warm (in one JVM) and cold (one javac process per build).
# Needs the modules built (./mvnw install -DskipTests); see docs/processor-performance.md.
# Usage: benchmarks/processor-timing/run.sh [warm-rounds] [cold-rounds]   (MAVEN_REPO overrides ~/.m2/repository)
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

echo "== cold: one javac process per build, $COLD runs each, min / median wall time"
echo "   none: -proc:none; kiln: with the processor (it writes the class, javac compiles both);"
echo "   generated: -proc:none of the source plus the class Kiln wrote, i.e. what compiling the generated code costs"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
JAVAC=(javac -cp "$DSL:$RUNTIME" --add-modules jdk.incubator.vector -nowarn -XDsuppressNotes)
ms() { local s; s=$(date +%s%N); "$@" >/dev/null; echo $(( ($(date +%s%N) - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
minimum() { sort -n | head -1; }
printf "%-9s %18s %18s %18s %12s %12s\n" sample "none min/median" "kiln min/median" "generated min/med" "kiln share" "processor"
for spec in "${SAMPLES[@]}"; do
  name=${spec%%=*}; src=${spec#*=}
  rm -rf "$OUT"/* && mkdir -p "$OUT/gen"
  "${JAVAC[@]}" -d "$OUT" -s "$OUT/gen" -processorpath "$PROCESSOR:$POET:$DSL" "$src"
  generated=$(find "$OUT/gen" -name '*.java')
  none=(); kiln=(); gen=()
  for ((i = 0; i < COLD; i++)); do
    rm -rf "$OUT/c" && mkdir "$OUT/c"
    none+=("$(ms "${JAVAC[@]}" -d "$OUT/c" -proc:none "$src")")
    rm -rf "$OUT/c" "$OUT/s" && mkdir "$OUT/c" "$OUT/s"
    kiln+=("$(ms "${JAVAC[@]}" -d "$OUT/c" -s "$OUT/s" -processorpath "$PROCESSOR:$POET:$DSL" "$src")")
    rm -rf "$OUT/c" && mkdir "$OUT/c"
    gen+=("$(ms "${JAVAC[@]}" -d "$OUT/c" -proc:none "$src" $generated)")
  done
  nm=$(printf "%s\n" "${none[@]}" | median); km=$(printf "%s\n" "${kiln[@]}" | median); gm=$(printf "%s\n" "${gen[@]}" | median)
  printf "%-9s %8d %6d ms %8d %6d ms %8d %6d ms %9d ms %9d ms\n" "$name" "$(printf "%s\n" "${none[@]}" | minimum)" "$nm" \
    "$(printf "%s\n" "${kiln[@]}" | minimum)" "$km" "$(printf "%s\n" "${gen[@]}" | minimum)" "$gm" $((km - nm)) $((km - gm))
done
echo "kiln share = kiln − none (medians): what the processor adds to a build; processor = kiln − generated: the processor"
echo "itself (loading it and JavaPoet, its passes, the extra round), without compiling the class it writes"
