# Sourced by the bench scripts: sets JAVA to a JDK >= 21, picked like ./portal does (JAVA_HOME, then
# /usr/lib/jvm/*, then java on PATH), or exits with a message.
java_major() { "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print v[1]; exit }'; }
find_java() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  for d in /usr/lib/jvm/*; do candidates+=("$d/bin/java"); done
  command -v java >/dev/null && candidates+=("$(command -v java)")
  for j in "${candidates[@]}"; do
    if [ -x "$j" ] && [ "$(java_major "$j")" -ge 21 ] 2>/dev/null; then echo "$j"; return 0; fi
  done
  return 1
}
JAVA=$(find_java) || { echo "no JDK 21 or newer found (looked at JAVA_HOME, /usr/lib/jvm, PATH)" >&2; exit 1; }
