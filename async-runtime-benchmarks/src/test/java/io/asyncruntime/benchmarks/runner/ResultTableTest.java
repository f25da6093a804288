package io.asyncruntime.benchmarks.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.benchmarks.Implementation;
import io.asyncruntime.benchmarks.footprint.IdleTaskFootprint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultTableTest {

    private static final String SCHEDULER = Samples.SCHEDULER_SECTION;

    private static Sample speed(String row, String impl, int sweep, double millionsPerSecond) {
        return new Sample(SCHEDULER, row, "", "M spawns/s", true, false, impl, sweep, millionsPerSecond);
    }

    @Test
    void showsMediansOverSweepsAndTheMedianOfPerSweepRatiosAgainstFjpsBetterModeKotlinAndTheBestPeer() {
        List<Sample> samples = new ArrayList<>();
        // Sweep by sweep, ours moves with the machine: the per-sweep ratio to the LIFO pool is 0.5, 1.0, 2.0.
        double[] ours = {10, 20, 40};
        double[] lifo = {20, 20, 20};
        double[] async = {5, 5, 5};
        double[] kotlin = {10, 10, 10};
        for (int sweep = 1; sweep <= 3; sweep++) {
            samples.add(speed("spawn_many_local", "asyncruntime", sweep, ours[sweep - 1]));
            samples.add(speed("spawn_many_local", "forkjoin_lifo", sweep, lifo[sweep - 1]));
            samples.add(speed("spawn_many_local", "forkjoin", sweep, async[sweep - 1]));
            samples.add(speed("spawn_many_local", "kotlin", sweep, kotlin[sweep - 1]));
            samples.add(speed("spawn_many_local", "netty_epoll", sweep, 80)); // one loop: a floor
        }
        samples.add(speed("chained_spawn", "asyncruntime", 1, 1));

        String table = new ResultTable().add(samples).render();

        assertThat(table).containsPattern("\\| async-runtime \\| FJP async \\| FJP LIFO \\| Kotlin coroutines \\|"
                + " Netty epoll, 1 loop \\| ours vs FJP, better mode \\| +ours vs Kotlin \\| +ours vs best peer \\|");
        // Tokio's order, whatever order the samples came in.
        assertThat(table.indexOf("spawn_many_local")).isLessThan(table.indexOf("chained_spawn"));
        // Cells: median ± half the range as a share of it (20 ± 15 = 75%).
        assertThat(table).containsPattern("\\| spawn_many_local \\| M spawns/s \\| +20\\.0 ±75% \\| +5\\.00 ±0% \\| +20\\.0 ±0% \\|"
                + " +10\\.0 ±0% \\| +80\\.0 ±0% ¹ \\|");
        // Ratios: median of per-sweep ratios with their range; FJP's better mode here is LIFO; the
        // Netty floor is not the best peer, FJP LIFO is.
        assertThat(table).containsPattern("\\| +1\\.00× \\(0\\.50–2\\.00\\) LIFO \\| +2\\.00× \\(1\\.00–4\\.00\\) \\|"
                + " +1\\.00× \\(0\\.50–2\\.00\\) \\(FJP LIFO\\) \\|");
        assertThat(table).contains("¹ every child stays on its parent's loop");
        assertThat(table).containsPattern("\\| chained_spawn +\\| M spawns/s \\| +1\\.00 \\| +– \\|");
    }

    @Test
    void memoryRowsAreBetterWhenLowerAndFootprintsJoinThem() {
        List<Sample> samples = new ArrayList<>(List.of(
                new Sample(SCHEDULER, "spawn_many_local, allocated", "", "B/spawn", false, true, "asyncruntime", 1, 32),
                new Sample(SCHEDULER, "spawn_many_local, allocated", "", "B/spawn", false, true, "forkjoin", 1, 24)));
        samples.addAll(Samples.fromFootprints(List.of(
                IdleTaskFootprint.Result.parse("idle_footprint impl=asyncruntime kind=oneshot tasks=1000000 bytesPerTask=64.1 spawnMillis=400"),
                IdleTaskFootprint.Result.parse("idle_footprint impl=forkjoin kind=oneshot tasks=1000000 bytesPerTask=48.0 spawnMillis=400"),
                IdleTaskFootprint.Result.parse("idle_footprint impl=asyncruntime kind=bare tasks=1000000 bytesPerTask=32.0 spawnMillis=400"))));

        String table = new ResultTable().add(samples).render();

        assertThat(table).startsWith("| memory ")
                .containsPattern("\\| spawn_many_local, allocated +\\| B/spawn +\\| +32\\.0 \\| +24\\.0 \\| +0\\.75× \\| +0\\.75× \\(FJP async\\) \\|")
                .containsPattern("\\| idle task waiting on a OneShot, heap after GC \\(1,000,000 tasks\\) \\| B/task +\\| +64\\.1 \\| +48\\.0 \\| +0\\.75× \\|")
                .containsPattern("\\| idle task, bare pending, heap after GC \\(1,000,000 tasks\\) +\\| B/task +\\| +32\\.0 \\| +– \\| +– \\|");
    }

    @Test
    void aBenchmarkWithoutTheImplParameterGetsOneScoreColumnInItsOwnSection() {
        String table = new ResultTable().add(List.of(
                new Sample("TimerBenchmarks", "insert", "timers=1000", "ns/op", false, false, "score", 1, 12.5))).render();

        assertThat(table).startsWith("**TimerBenchmarks**\n\n")
                .contains("| benchmark | unit  | score |")
                .contains("| insert    | ns/op |  12.5 |");
    }

    @Test
    void aPeerParameterAlsoMakesColumnsAndEventCountersAreRowsOfTheirOwn() {
        List<Sample> samples = new ArrayList<>();
        for (String peer : List.of("asyncRuntime", "nettyHashedWheelTimer")) {
            double time = peer.equals("asyncRuntime") ? 40 : 20;
            samples.add(new Sample("TimerChurnBenchmark", "churn", "", "ms/op", false, false, peer, 1, time));
            samples.add(new Sample("TimerChurnBenchmark", "churn, lateness p99", "", "µs", false, false, peer, 1, time * 100));
        }

        String table = new ResultTable().add(samples).render();

        assertThat(table).contains("**TimerChurnBenchmark**")
                .containsPattern("\\| churn +\\| ms/op +\\| +40\\.0 \\| +20\\.0 \\| +0\\.50× \\(nettyHashedWheelTimer\\) \\|")
                .containsPattern("\\| churn, lateness p99 \\| µs +\\| +4000 \\| +2000 \\| +0\\.50× \\(nettyHashedWheelTimer\\) \\|")
                .doesNotContain("ours vs FJP");
    }

    @Test
    void rowsWithSeveralParameterSetsShowTheirParameters() {
        String table = new ResultTable().add(List.of(
                new Sample("QueueBenchmarks", "offer", "size=16", "ops/s", true, false, "score", 1, 1),
                new Sample("QueueBenchmarks", "offer", "size=1024", "ops/s", true, false, "score", 1, 2))).render();

        assertThat(table).contains("| offer size=16 ").contains("| offer size=1024 ");
    }

    @Test
    void samplesSurviveTheirJsonFile(@TempDir Path dir) throws Exception {
        List<Sample> samples = List.of(speed("ping_pong", "kotlin", 3, 6.5),
                new Sample("TimerChurnBenchmark", "churn, lateness p99", "", "µs", false, false, "asyncRuntime", 2, 1500));
        Path file = dir.resolve(BenchMain.SAMPLES);

        Samples.write(file, samples);

        assertThat(Files.readString(file)).contains("\"column\"").contains("\"kotlin\"");
        assertThat(Samples.read(file)).isEqualTo(samples);
        assertThat(BenchMain.render(dir)).contains("| ping_pong ");
    }

    @Test
    void formatsThreeSignificantDigits() {
        assertThat(ResultTable.format(12345.6)).isEqualTo("12346");
        assertThat(ResultTable.format(12.345)).isEqualTo("12.3");
        assertThat(ResultTable.format(1.2345)).isEqualTo("1.23");
        assertThat(ResultTable.format(0.012345)).isEqualTo("0.0123");
        assertThat(ResultTable.format(0)).isEqualTo("0");
    }

    @Test
    void namesCountersAndEventsReadably() {
        assertThat(Samples.words("roundTrips")).isEqualTo("round trips");
        assertThat(Samples.singular("roundTrips")).isEqualTo("round trip");
        assertThat(Samples.eventNameAndUnit("latenessP99Micros")).containsExactly("lateness p99", "µs");
        // The TCP echo benchmark's latency counter: a row of its own, lower is better.
        assertThat(Samples.eventNameAndUnit("p99LatencyMicros")).containsExactly("p99 latency", "µs");
        assertThat(Samples.eventNameAndUnit("earlyWakeUps")).containsExactly("early wake ups", "count");
        assertThat(Samples.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(Samples.median(new double[] {4, 1, 2, 3})).isEqualTo(2.5);
    }

    @Test
    void footprintLinesRoundTrip() {
        IdleTaskFootprint.Result parsed = IdleTaskFootprint.Result.parse(
                "idle_footprint impl=forkjoin kind=bare tasks=1000 bytesPerTask=88.0 spawnMillis=12");
        assertThat(parsed.implementation).isEqualTo(Implementation.FORK_JOIN);
        assertThat(parsed.kind).isEqualTo(IdleTaskFootprint.Kind.BARE);
        assertThat(IdleTaskFootprint.Result.parse(parsed.toLine()).bytesPerTask).isEqualTo(88.0);
        assertThat(IdleTaskFootprint.Result.parse("# JMH noise")).isNull();
    }
}
