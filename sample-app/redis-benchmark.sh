#!/usr/bin/env bash
# Load run: Debian's redis-server against the sample's RESP server, one run, interleaved.
#
#   sample-app/redis-benchmark.sh [requests] [rounds]      # defaults: 1000000 requests, 1 round
#
# Starts redis-server (port 6390, no persistence) and the sample app (RESP on 6391, HTTP on a free
# port), warms the JVM up, then for each round and for pipelining 1 and 16 runs
# `redis-benchmark -t ping,set,get -c 50 -n <requests> -P <p>` against each server in turn, and prints
# requests/s and p99 side by side with the ratio sample/redis. Needs redis-server and redis-benchmark
# (apt-get install redis-server redis-tools) and the sample's jar (mvn -B -DskipTests package).
# Java: $JAVA_HOME/bin/java if set, else java on the PATH; extra JVM flags in $JAVA_OPTS.
# Take the exclusive CPU lock around it for quotable numbers: flock -x /work/wt/.cpu.lock sample-app/redis-benchmark.sh
set -euo pipefail
requests=${1:-1000000}
rounds=${2:-1}
here=$(cd "$(dirname "$0")" && pwd)
jar=$(ls "$here"/target/sample-app-*.jar 2>/dev/null | grep -v original | head -1 || true)
[ -n "$jar" ] || { echo "no sample-app jar in $here/target: run mvn -B -DskipTests package first" >&2; exit 2; }
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null \
  || { echo "needs redis-server and redis-benchmark: apt-get install -y redis-server redis-tools" >&2; exit 2; }
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
redis_port=6390
sample_port=6391
out=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

redis-server --port $redis_port --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --logfile "$out/redis.log" &
pids+=($!)
# shellcheck disable=SC2086
"$java" ${JAVA_OPTS:-} -jar "$jar" --server.port=0 --sample.redis.port=$sample_port > "$out/sample.log" 2>&1 &
pids+=($!)
for port in $redis_port $sample_port; do
  for _ in $(seq 1 120); do
    [ "$(redis-cli -p $port ping 2>/dev/null)" = PONG ] && break
    sleep 0.5
  done
  [ "$(redis-cli -p $port ping 2>/dev/null)" = PONG ] || { echo "server on $port did not start; see $out" >&2; exit 1; }
done
echo "redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/'), sample on $("$java" -version 2>&1 | head -1)"
echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

bench() { # target port pipeline requests -> CSV lines prefixed with target,pipeline
  redis-benchmark -h 127.0.0.1 -p "$2" -t ping,set,get -c 50 -n "$4" -P "$3" -q --csv 2>/dev/null \
    | grep -v '^"test"' | sed "s/^/$1,$3,/"
}
# Warm-up: let the JIT compile the server's paths before anything is measured.
bench warmup $sample_port 16 $((requests / 2)) > /dev/null
bench warmup $sample_port 1 $((requests / 5)) > /dev/null

for round in $(seq 1 "$rounds"); do
  for p in 1 16; do
    bench redis $redis_port $p "$requests" >> "$out/results.csv"
    bench sample $sample_port $p "$requests" >> "$out/results.csv"
  done
done

python3 - "$out/results.csv" <<'PY'
import csv, statistics, sys
rows = {}
for r in csv.reader(open(sys.argv[1])):
    target, p, test, rps, p99 = r[0], int(r[1]), r[2], float(r[3]), float(r[8])
    rows.setdefault((test, p, target), []).append((rps, p99))
print(f"{'test':<12} {'-P':>3} {'redis req/s':>12} {'sample req/s':>13} {'ratio':>6} {'redis p99 ms':>13} {'sample p99 ms':>14}")
for (test, p) in sorted({(t, p) for (t, p, _) in rows}, key=lambda k: (k[1], k[0])):
    red, sam = rows.get((test, p, 'redis'), []), rows.get((test, p, 'sample'), [])
    if not red or not sam: continue
    rr = statistics.median(x[0] for x in red); sr = statistics.median(x[0] for x in sam)
    rp = statistics.median(x[1] for x in red); sp = statistics.median(x[1] for x in sam)
    print(f"{test:<12} {p:>3} {rr:>12,.0f} {sr:>13,.0f} {sr/rr:>6.2f} {rp:>13.3f} {sp:>14.3f}")
print(f"(median of {len(red)} round(s) per cell; raw results: {sys.argv[1]})")
PY
