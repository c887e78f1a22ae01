# Sourced by .ci/run, ./bench and ./kiln: exports JAVA_HOME pointing at a JDK >= 21.
# Keeps a JAVA_HOME that already qualifies; otherwise searches the usual install places.
kiln_java_feature() {  # prints the feature release of the JDK at $1 (e.g. 25), or 0
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  echo "${v:-0}"
}
kiln_select_jdk() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(kiln_java_feature "$JAVA_HOME")" -ge 21 ]; then
    return 0
  fi
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*21* /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    if [ -x "$candidate/bin/javac" ] && [ "$(kiln_java_feature "$candidate")" -ge 21 ]; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "Kiln needs a JDK 21 or newer and found none (JAVA_HOME=${JAVA_HOME:-unset}, searched /usr/lib/jvm and /opt)." >&2
  echo "Install one (e.g. apt-get install openjdk-21-jdk) or set JAVA_HOME to it." >&2
  return 1
}
kiln_select_jdk
export PATH="$JAVA_HOME/bin:$PATH"
