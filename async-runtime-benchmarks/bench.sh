#!/usr/bin/env bash
# Runs the async-runtime benchmarks and prints one table (see README.md in this folder).
#
#   async-runtime-benchmarks/bench.sh [smoke|quick|fair|full] [selector…]
#
# selector: spawn_many_local spawn_many_remote yield_many ping_pong chained_spawn idle_footprint,
#           all (every JMH benchmark in the module, plus the footprint), or any JMH include regex,
#           e.g. a class name such as TimerBenchmarks. None: the five Tokio workloads + the footprint.
# profile:  smoke (~1 min, tiny sizes: checks the script), quick (default: one sweep, a first look),
#           fair (5 interleaved sweeps of the quick timing: the quotable one, ~12 min for 5 workloads x
#           4 implementations), full (5 sweeps of 15 warm-up + 10 measured 1 s iterations: by hand).
# env:      JAVA_HOME  the JDK that builds and runs (default: java on PATH); e.g.
#                      JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 async-runtime-benchmarks/bench.sh
#           IMPLS      a subset, e.g. IMPLS=asyncruntime,forkjoin (default: all this JDK runs)
#           SWEEPS     sweeps, overriding the profile's (FORKS is the old name): every (workload,
#                      implementation) cell gets one fork per sweep, in an order shuffled per sweep
#           SEED       the shuffle's seed (default: random, printed in the table's header)
#           RESULTS    the results folder (default: target/bench/<time>-jdk<N>-<profile>)
#           SKIP_BUILD=1 to reuse the last build; MVN_ARGS to add Maven options (e.g. -o)
set -euo pipefail

module="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$module")"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== building async-runtime-benchmarks with $("$java" -version 2>&1 | head -1)"
  # shellcheck disable=SC2086 # MVN_ARGS is a list of options
  (cd "$root" && mvn -B -q ${MVN_ARGS:-} -pl async-runtime-benchmarks -am package -DskipTests)
fi
classpath_file="$module/target/benchmark-classpath.txt"
if [ ! -f "$classpath_file" ]; then
  echo "no $classpath_file: build first (run without SKIP_BUILD)" >&2
  exit 1
fi

args=()
if [ -n "${IMPLS:-}" ]; then args+=("--impls=$IMPLS"); fi
if [ -n "${RESULTS:-}" ]; then args+=("--results=$RESULTS"); fi
if [ -n "${FORKS:-}" ]; then args+=("--sweeps=$FORKS"); fi
if [ -n "${SWEEPS:-}" ]; then args+=("--sweeps=$SWEEPS"); fi
if [ -n "${SEED:-}" ]; then args+=("--seed=$SEED"); fi

cd "$module"
exec "$java" -cp "$module/target/classes:$(cat "$classpath_file")" \
  io.asyncruntime.benchmarks.runner.BenchMain "${args[@]}" "$@"
