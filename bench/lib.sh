# Shared shell helpers of the benchmark scripts (sourced, not run). Expects BENCH_DIR, ROOT and SCRIPT set.

log() { printf '[%s %s] %s\n' "$SCRIPT" "$(date +%T)" "$*" >&2; }
die() { printf '%s: %s\n' "$SCRIPT" "$*" >&2; exit 1; }

need_pkg() { # command package: installs a Debian package when the command is missing
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2 (for $1)"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get update -qq >/dev/null && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

java_feature() { # [JAVA]: the Java feature release of that java (default: the one on PATH), e.g. 25; 0 when unknown
  local v
  v=$("${1:-java}" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -1)
  echo "${v:-0}"
}

use_jdk() { # [HOME]: runs the whole benchmark (Caravan through ./caravan, the fake model, the load clients, jcmd,
  # jstat) on the JDK in HOME; without one, on the newest JDK 25 or later in /usr/lib/jvm (the runtime README
  # recommends), else on the java on PATH
  local home=${1:-} d v best=0
  if [[ -z $home ]]; then
    for d in /usr/lib/jvm/*/; do
      [[ -x ${d}bin/java && -x ${d}bin/jstat && ! -L ${d%/} ]] || continue
      v=$(java_feature "${d}bin/java")
      if (( v >= 25 && v > best )); then best=$v; home=${d%/}; fi
    done
  fi
  [[ -n $home ]] || return 0
  [[ -x $home/bin/java ]] || die "no JDK in $home"
  export JAVA_HOME=$home PATH=$home/bin:$PATH
}

jdk_flags() { # the flags ./caravan run adds on Java 25 and later (for a script that starts the jar itself)
  if (( $(java_feature) >= 25 )); then
    echo "-XX:+UseCompactObjectHeaders --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
  fi
}

stop_pid() { # pid name seconds: TERM, then KILL after the seconds
  local pid=$1 name=$2 secs=$3 i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  log "$name (pid $pid) did not stop in ${secs}s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

free_port() { # from to: first port in [from, to] nobody listens on (loopback)
  local p
  for ((p = $1; p <= $2; p++)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

caravan_up() { # base URL [seconds]: whether Caravan's /actuator/health answers UP within the seconds (default 1)
  curl -fsS -m "${2:-1}" "$1/actuator/health" 2>/dev/null | grep -q '^{"status":"UP"'
}

cpu_ticks() { # pid: user + system CPU of the process so far, in clock ticks (getconf CLK_TCK per second); 0 when gone
  local stat
  read -r stat <"/proc/$1/stat" 2>/dev/null || { echo 0; return; }
  stat=${stat##*) }   # the fields after the command name, which may hold spaces
  awk '{ print $12 + $13 }' <<<"$stat"
}

cpu_ms_since() { # pid ticks: milliseconds of CPU the process used since that cpu_ticks reading
  echo $(( ($(cpu_ticks "$1") - $2) * 1000 / $(getconf CLK_TCK) ))
}

rss_kb() { # pid: resident set of the process and its children (embedded Redis), in kB; 0 when gone
  local total=0 p k v _r
  for p in "$1" $(ps --ppid "$1" -o pid= 2>/dev/null); do
    [[ -r /proc/$p/status ]] || continue
    while read -r k v _r; do
      if [[ $k == VmRSS: ]]; then total=$((total + v)); break; fi
    done <"/proc/$p/status" 2>/dev/null
  done
  echo "$total"
}

jit_compile_s() { # pid: seconds the JVM's JIT compilers have worked so far (jstat -compiler); empty when unreadable
  jstat -compiler "$1" 2>/dev/null | awk 'NR == 2 && $4 ~ /^[0-9.]+$/ { print $4 }'
}

jit_delta_s() { # BEFORE AFTER: JIT seconds between two jit_compile_s reads (2 decimals); NaN when either is missing
  if [[ -n $1 && -n $2 ]]; then awk -v a="$2" -v b="$1" 'BEGIN { printf "%.2f", a - b }'; else echo NaN; fi
}

jit_settled() { # DELTA WINDOW_S: whether the JIT compilers worked under JIT_SETTLED_S per 15 s in a window of load
  [[ $1 != NaN ]] && awk -v j="$1" -v s="$JIT_SETTLED_S" -v w="$2" 'BEGIN { exit !(j < s * w / 15) }'
}

warmup_windows() { # TSV: each warm-up window's rate and JIT seconds (columns 2 and 3) as "rate/s, ...", for a log line
  awk '{ printf "%s%.0f/%s", (NR > 1 ? ", " : ""), $2, $3 }' "$1"
}

settled_rss_kb() { # pid: rss_kb once it has stopped falling (at most 11 s): after a GC that shrank the heap, the JVM
  # gives the memory back to the system in the background, and a read right after the GC still counts it
  local last now tries=0
  sleep 1
  last=$(rss_kb "$1")
  while (( tries < 20 )); do
    sleep 0.5
    now=$(rss_kb "$1")
    (( now >= last - 1024 )) && { echo "$now"; return 0; }
    last=$now tries=$((tries + 1))
  done
  echo "$last"
}

# build_jar WORK: sets JAR to target/caravan-*.jar, building it when older than src/main, kamelets/ or pom.xml
build_jar() {
  JAR=$(ls "$ROOT"/target/caravan-*.jar 2>/dev/null | grep -v -- '-original' | head -1 || true)
  if [[ -z $JAR ]] || [[ -n $(find "$ROOT/src/main" "$ROOT/kamelets" "$ROOT/pom.xml" -newer "$JAR" -type f -print -quit 2>/dev/null) ]]; then
    log "building Caravan (./mvnw -B -q package -DskipTests)"
    (cd "$ROOT" && ./mvnw -B -q package -DskipTests) >"$1/build.log" 2>&1 \
      || { tail -40 "$1/build.log" >&2; die "build failed"; }
    JAR=$(ls "$ROOT"/target/caravan-*.jar | grep -v -- '-original' | head -1)
    touch "$JAR"   # Maven leaves an up-to-date jar as it was: this one is what the sources make now
  else
    log "reusing $JAR (newer than src/main, kamelets/ and pom.xml)"
  fi
  JAR=$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")
}

# start_fake_model WORK LATENCY_MS TOKENS THREADS: starts bench/fakemodel (compiled into WORK/classes) on a free
# port; sets FAKE_PID and FAKE_PORT
start_fake_model() {
  local work=$1 i
  java -Xms64m -Xmx256m -XX:+UseSerialGC -cp "$work/classes" FakeModelServer --port 0 --latency-ms "$2" \
    --tokens "$3" --handler-threads "$4" --writer-threads "$4" >"$work/fake.log" 2>&1 &
  FAKE_PID=$!
  FAKE_PORT=""
  for ((i = 0; i < 300; i++)); do
    # the log may not exist yet: the background job opens it after this shell goes on
    [[ -f $work/fake.log ]] && FAKE_PORT=$(sed -n 's#^fake model listening on http://127.0.0.1:\([0-9]*\)/v1.*#\1#p' "$work/fake.log")
    [[ -n $FAKE_PORT ]] && return 0
    kill -0 "$FAKE_PID" 2>/dev/null || { cat "$work/fake.log" >&2; die "fake model died"; }
    sleep 0.1
  done
  die "fake model did not start"
}

# replace_section LATEST NAME SECTION_FILE: puts the file between <!-- NAME:begin --> and <!-- NAME:end --> of
# LATEST (the file holds the markers), keeping the rest; appends when the markers are missing
replace_section() {
  local latest=$1 name=$2 section=$3
  if [[ -f $latest ]] && grep -q "<!-- $name:begin -->" "$latest" && grep -q "<!-- $name:end -->" "$latest"; then
    awk -v f="$section" -v b="<!-- $name:begin -->" -v e="<!-- $name:end -->" '
      $0 == b { while ((getline line < f) > 0) print line; skip = 1; next }
      $0 == e { skip = 0; next }
      !skip { print }' "$latest" >"$latest.new" && mv "$latest.new" "$latest"
  elif [[ -f $latest ]]; then
    { echo; cat "$section"; } >>"$latest"
  else
    { echo "# Benchmark results"; echo; echo "Latest run of each scenario; see bench/README.md."; echo; cat "$section"; } >"$latest"
  fi
}
