#!/usr/bin/env bash
# A Flink session cluster on this machine's loopback: one JobManager and N TaskManagers (default 2), each its own
# JVM, built from Flink's Maven artifacts (the distribution tarball is not needed). It is how we prove that
# `nightly --runner=FlinkRunner --flinkMaster=HOST:PORT` runs on a real cluster: FlinkClusterIT drives this script.
#
#   src/cluster/flink-session-cluster.sh start             # JobManager + TaskManagers, waits until all registered
#   src/cluster/flink-session-cluster.sh submit nightly --date=2024-03-30 --logs=testdata/logs --output=DIR
#       (every option goes on to the jar: --logs/--output on S3 or HDFS with the store's options, which travel to
#       the TaskManagers inside the job's pipeline options; README, "Proving it on a real cluster")
#   src/cluster/flink-session-cluster.sh status
#   src/cluster/flink-session-cluster.sh stop              # stops every JVM it started (pid files), kills on timeout
#
# Settings (environment): FLINK_CLUSTER_DIR (work dir: config, logs, pid files, tmp; default target/flink-cluster),
# FLINK_REST_PORT (18081), FLINK_RPC_PORT (16123), FLINK_TASKMANAGERS (2), FLINK_SLOTS (task slots per
# TaskManager, 1), FLINK_JM_MEMORY (1024m), FLINK_TM_MEMORY (2048m: process sizes), ENCORE_JAR (target/encore.jar),
# FLINK_START_TIMEOUT (seconds, 120). Needs bash, Java 17 (JAVA_HOME or java on the PATH) and Maven.
#
# Each JVM runs in its own folder under $FLINK_CLUSTER_DIR/tmp (its working directory and java.io.tmpdir), so a
# job's data reaches the TaskManagers only through absolute paths or store URLs, never the launcher's directory.
#
# The cluster's classpath is Flink's own runtime only (src/cluster/flink-runtime.pom.xml, at the Flink version
# found in the jar), like the lib/ of a Flink distribution: Beam, Encore and their dependencies reach the cluster
# only inside the submitted job jar, loaded by Flink's child-first user-code class loader, as on any real cluster.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

WORK="${FLINK_CLUSTER_DIR:-target/flink-cluster}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
REST_PORT="${FLINK_REST_PORT:-18081}"
RPC_PORT="${FLINK_RPC_PORT:-16123}"
TASKMANAGERS="${FLINK_TASKMANAGERS:-2}"
SLOTS="${FLINK_SLOTS:-1}"
JM_MEMORY="${FLINK_JM_MEMORY:-1024m}"
TM_MEMORY="${FLINK_TM_MEMORY:-2048m}"
JAR="${ENCORE_JAR:-target/encore.jar}"
START_TIMEOUT="${FLINK_START_TIMEOUT:-120}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
REST="http://localhost:$REST_PORT"
# Every JVM of this cluster carries this marker, so `stop` never signals a process that merely reuses a pid.
MARKER="-Dencore.flink.cluster=$WORK"

# What Flink 1.19's distribution puts in env.java.opts.all for Java 17: the JDK internals its RPC, network stack
# and serializers (Kryo) reach by reflection. Its jdk.compiler exports are left out: no class on this classpath
# refers to the JDK's compiler (com.sun.tools.javac).
JDK17_OPTS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)
# Flink logs through SLF4J; the cluster's binding is slf4j-simple at INFO, one log file per process. log.file is
# what Flink's REST API serves as the process's log (/jobmanager/log, /taskmanagers/<id>/log). Beam's step names
# are longer than Flink's 80-character metric names, which Flink warns about for every operator: silenced.
log_opts() {
  echo "-Dlog.file=$WORK/log/$1.log -Dorg.slf4j.simpleLogger.defaultLogLevel=info" \
    "-Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX" \
    "-Dorg.slf4j.simpleLogger.log.org.apache.flink.metrics.MetricGroup=error"
}

die() { echo "flink-session-cluster: $*" >&2; exit 1; }

# The pid in a pid file if that process is alive and is one of ours; empty otherwise.
live_pid() {
  local file="$WORK/pid/$1.pid" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null && command_line "$pid" | grep -qF -- "$MARKER"; then
    echo "$pid"
  fi
}

command_line() {
  if [ -r "/proc/$1/cmdline" ]; then
    tr '\0' ' ' <"/proc/$1/cmdline"
  else
    ps -ww -o args= -p "$1" 2>/dev/null || true
  fi
}

# The processes of the cluster as started: one pid file each.
processes() {
  local f
  for f in "$WORK"/pid/*.pid; do
    [ -e "$f" ] && basename "$f" .pid
  done
  return 0
}

any_running() {
  local p
  for p in $(processes); do
    [ -n "$(live_pid "$p")" ] && return 0
  done
  return 1
}

# A setting of the running cluster's config.yaml, so that status, submit and stop need only FLINK_CLUSTER_DIR.
setting() {
  sed -n "s/^$1: //p" "$WORK/conf/config.yaml" 2>/dev/null
}

flink_version() {
  [ -f "$JAR" ] || die "$JAR not found: build it first (mvn -B -q -DskipTests package)."
  local props=.flink-runtime.version.properties jar="$JAR" dir
  if command -v unzip >/dev/null; then
    unzip -p "$jar" "$props"
  else
    [[ "$jar" = /* ]] || jar="$ROOT/$jar"
    dir="$(mktemp -d)"
    (cd "$dir" && "${JAVA_HOME:+$JAVA_HOME/bin/}jar" xf "$jar" "$props" && cat "$props")
    rm -rf "$dir"
  fi | sed -n 's/^project.version=//p'
}

# Flink's runtime jars and their dependencies at that version, resolved once by Maven (cached per version).
classpath() {
  local version="$1" file="$WORK/classpath-$1.txt"
  if [ ! -s "$file" ]; then
    if ! mvn -B -q -f "$ROOT/src/cluster/flink-runtime.pom.xml" dependency:build-classpath \
      -Dflink.version="$version" -Dmdep.outputFile="$file" >"$WORK/classpath.log" 2>&1; then
      cat "$WORK/classpath.log" >&2
      die "cannot resolve Flink $version's runtime with Maven (src/cluster/flink-runtime.pom.xml)."
    fi
  fi
  cat "$file"
}

write_config() {
  mkdir -p "$WORK/conf" "$WORK/log" "$WORK/pid" "$WORK/tmp" "$WORK/plugins"
  cat >"$WORK/conf/config.yaml" <<EOF
# Written by src/cluster/flink-session-cluster.sh on every start; change the script, not this file.
# Flink 1.19 reads config.yaml (standard YAML) from --configDir; flink-conf.yaml is its legacy format.
jobmanager.rpc.address: localhost
jobmanager.rpc.port: $RPC_PORT
jobmanager.bind-host: localhost
jobmanager.memory.process.size: $JM_MEMORY
taskmanager.host: localhost
taskmanager.bind-host: localhost
taskmanager.numberOfTaskSlots: $SLOTS
taskmanager.memory.process.size: $TM_MEMORY
rest.address: localhost
rest.bind-address: localhost
rest.port: $REST_PORT
parallelism.default: $((TASKMANAGERS * SLOTS))
# The default, stated: the job jar's classes (Beam, Encore, their dependencies) are loaded child-first; Flink's
# own packages always come from the cluster's classpath.
classloader.resolve-order: child-first
io.tmp.dirs: $WORK/tmp
web.tmpdir: $WORK/tmp/web
blob.storage.directory: $WORK/tmp/blobs
EOF
}

# BashJavaUtils turns the memory sizes of config.yaml into JVM flags and the exact memory options Flink's
# entry points expect, as Flink's own start scripts do. Prints two lines: JVM flags, then -D options.
resource_params() {
  local cp="$1" command="$2" out
  out="$("$JAVA" -cp "$cp" org.apache.flink.runtime.util.bash.BashJavaUtils "$command" --configDir "$WORK/conf" \
    2>/dev/null)" || die "Flink's BashJavaUtils $command failed; check the memory sizes."
  grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$out" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://' | tail -n 2
}

launch() {
  local name="$1" cp="$2" main="$3" params="$4"; shift 4
  local jvm dynamic
  jvm="$(sed -n 1p <<<"$params")"
  dynamic="$(sed -n 2p <<<"$params")"
  # Each JVM runs in a folder of its own, also its java.io.tmpdir, as on a host of its own: nothing it does can
  # rely on the launcher's working directory (a job's relative path would not reach the launcher's files).
  local home="$WORK/tmp/$name"
  mkdir -p "$home"
  # Word splitting of $jvm, $dynamic and log_opts is intended: they are lists of flags without spaces inside.
  # shellcheck disable=SC2046,SC2086
  # An empty plugins dir: Flink looks for ./plugins otherwise, and warns that it is missing. `exec` keeps the
  # subshell's pid, the one written to the pid file, as the JVM's.
  (cd "$home" && FLINK_PLUGINS_DIR="$WORK/plugins" exec nohup "$JAVA" $jvm "${JDK17_OPTS[@]}" $(log_opts "$name") \
    "$MARKER" -Djava.io.tmpdir="$home" -cp "$cp" "$main" --configDir "$WORK/conf" $dynamic "$@") \
    >"$WORK/log/$name.log" 2>&1 </dev/null &
  echo $! >"$WORK/pid/$name.pid"
}

# The REST API's cluster overview (JSON), or nothing while it does not answer. Plain bash when curl is missing.
overview() {
  if command -v curl >/dev/null; then
    curl -sf --max-time 5 "$REST/overview" 2>/dev/null || true
  else
    (exec 3<>"/dev/tcp/localhost/$REST_PORT" \
      && printf 'GET /overview HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 && timeout 5 cat <&3 | tail -n 1) \
      2>/dev/null || true
  fi
}

stop() {
  local p pid pids=() names=() i waited=0 alive
  for p in $(processes); do
    pid="$(live_pid "$p")"
    if [ -n "$pid" ]; then
      kill "$pid" 2>/dev/null || true
      pids+=("$pid")
      names+=("$p")
    fi
  done
  if [ "${#pids[@]}" -eq 0 ]; then
    rm -f "$WORK"/pid/*.pid
    return 0
  fi
  # Flink shuts down cleanly on SIGTERM (and removes its temporary files); 30 s, then SIGKILL.
  while [ "$waited" -lt 60 ]; do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.5
    waited=$((waited + 1))
  done
  for i in "${!pids[@]}"; do
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      kill -9 "${pids[$i]}" 2>/dev/null || true
      echo "${names[$i]} (pid ${pids[$i]}) did not stop in 30 s: killed"
    else
      echo "${names[$i]} (pid ${pids[$i]}) stopped"
    fi
  done
  rm -f "$WORK"/pid/*.pid
}

# Whether something on this machine accepts connections on a port.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  any_running && die "a cluster is already running from $WORK ($0 status; $0 stop)."
  # Else the readiness check below could be answered by whatever holds the port, another cluster say.
  local port
  for port in "$REST_PORT" "$RPC_PORT"; do
    port_in_use "$port" && die "port $port is in use on localhost: choose others (FLINK_REST_PORT, FLINK_RPC_PORT)."
  done
  local version cp jm tm i deadline count hint
  version="$(flink_version)"
  [ -n "$version" ] || die "$JAR holds no Flink runtime (.flink-runtime.version.properties)."
  # Nothing of ours runs: the previous cluster's pid files, logs and temporary files go.
  rm -rf "$WORK/log" "$WORK/tmp" "$WORK"/pid/*.pid
  write_config
  cp="$(classpath "$version")"
  jm="$(resource_params "$cp" GET_JM_RESOURCE_PARAMS)"
  tm="$(resource_params "$cp" GET_TM_RESOURCE_PARAMS)"
  launch jobmanager "$cp" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "$jm" \
    --executionMode cluster
  for i in $(seq 1 "$TASKMANAGERS"); do
    launch "taskmanager-$i" "$cp" org.apache.flink.runtime.taskexecutor.TaskManagerRunner "$tm" \
      -D "io.tmp.dirs=$WORK/tmp/taskmanager-$i"
  done

  hint="${FLINK_CLUSTER_DIR:+FLINK_CLUSTER_DIR=$WORK }"
  deadline=$((SECONDS + START_TIMEOUT))
  while :; do
    for p in $(processes); do
      if [ -z "$(live_pid "$p")" ]; then
        echo "flink-session-cluster: $p exited during start; the end of $WORK/log/$p.log:" >&2
        tail -n 30 "$WORK/log/$p.log" >&2 || true
        stop >&2
        exit 1
      fi
    done
    count="$(overview | grep -o '"taskmanagers":[0-9]*' | cut -d: -f2 || true)"
    [ "${count:-0}" -ge "$TASKMANAGERS" ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "flink-session-cluster: $TASKMANAGERS TaskManagers not registered after $START_TIMEOUT s" \
        "(logs: $WORK/log)." >&2
      stop >&2
      exit 1
    fi
    sleep 1
  done
  cat <<EOF
Flink $version session cluster on loopback: JobManager + $TASKMANAGERS TaskManagers ($SLOTS slot(s) each)
  REST API and web UI: $REST   (logs, pid files, config: $WORK)
Submit the nightly job to it:
  java -jar $JAR nightly --date=2024-03-30 --logs=testdata/logs --output=target/cluster-out \\
    --runner=FlinkRunner --flinkMaster=localhost:$REST_PORT --parallelism=$((TASKMANAGERS * SLOTS))
  (or: $hint$0 submit nightly --date=2024-03-30 --logs=testdata/logs --output=target/cluster-out)
Stop it: $hint$0 stop
EOF
}

status() {
  local p pid running=1
  for p in $(processes); do
    pid="$(live_pid "$p")"
    if [ -n "$pid" ]; then echo "$p: running (pid $pid)"; running=0; else echo "$p: not running"; fi
  done
  if [ "$running" -eq 0 ]; then
    REST_PORT="$(setting rest.port)"
    REST="http://localhost:$REST_PORT"
    echo "REST API: $REST"
    echo "overview: $(overview)"
  else
    echo "no cluster running from $WORK"
  fi
  return "$running"
}

# Submits an Encore command to the running cluster, at the parallelism of all its task slots.
submit() {
  [ "$#" -ge 1 ] || die "usage: $0 submit <encore command> [--name=value ...]"
  any_running || die "no cluster running from $WORK ($0 start)."
  exec "$JAVA" -jar "$JAR" "$@" --runner=FlinkRunner --flinkMaster="localhost:$(setting rest.port)" \
    --parallelism="$(setting parallelism.default)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  submit) shift; submit "$@" ;;
  *) die "usage: $0 start|stop|status|submit <encore command> [--name=value ...]" ;;
esac
