#!/usr/bin/env bash
# ONNX Runtime 1.22.0 CPU peer of ./bench models: times the models Kiln exported to ONNX.
#
#   ./run.sh --dir DIR [--threads 1,2] [--secs 3] [--min-calls 1000] NAME...
#   (THREADS and SECS in the environment give --threads and --secs defaults)
#
# Prints one configuration line, then one JSON line per (model, threads) on stdout (see peer/OrtBench.java).
# Builds itself on first run with $MVN (default: mvn), offline first, then from Maven Central; MAVEN_ARGS
# (e.g. -Dmaven.repo.local=DIR) reaches that build through the environment. Needs a JDK >= 21 (JAVA_HOME).
set -euo pipefail
cd "$(dirname "$0")"
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
MVN=${MVN:-mvn}

mkdir -p target
build() { "$MVN" -B -q "$@" -f pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt; }
if [ ! -f target/classpath.txt ] || [ pom.xml -nt target/classpath.txt ] || \
   [ -n "$(find src -newer target/classpath.txt -name '*.java' 2>/dev/null)" ] || [ ! -d target/classes/peer ]; then
  echo "== build (offline) with $MVN" >&2
  build -o >target/build.log 2>&1 || { echo "== offline build failed, resolving online" >&2; build >target/build.log 2>&1; } \
    || { cat target/build.log >&2; exit 1; }
  touch target/classpath.txt   # the dependency plugin leaves an unchanged file alone: stamp this build
fi
exec "$JAVA_HOME/bin/java" -Xmx2g --enable-native-access=ALL-UNNAMED -cp "target/classes:$(cat target/classpath.txt)" \
  peer.OrtBench --threads "${THREADS:-1,2}" --secs "${SECS:-3}" "$@"
