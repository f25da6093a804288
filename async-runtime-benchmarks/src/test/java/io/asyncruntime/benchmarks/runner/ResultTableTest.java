package io.asyncruntime.benchmarks.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.benchmarks.Implementation;
import io.asyncruntime.benchmarks.footprint.IdleTaskFootprint;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTableTest {

    /** The shape JMH 1.37 writes with {@code -prof gc} and an {@code @AuxCounters} counter. */
    private static String entry(String benchmark, String impl, double invocationsPerSecond, double spawnsPerSecond,
                                double bytesPerInvocation) {
        return "{ \"jmhVersion\" : \"1.37\", \"benchmark\" : \"" + benchmark + "\", \"mode\" : \"thrpt\","
                + " \"params\" : { \"impl\" : \"" + impl + "\", \"tasks\" : \"10000\" },"
                + " \"primaryMetric\" : { \"score\" : " + invocationsPerSecond + ", \"scoreError\" : \"NaN\","
                + " \"scoreConfidence\" : [ \"NaN\", \"NaN\" ], \"scoreUnit\" : \"ops/s\", \"rawData\" : [ [ 1.0 ] ] },"
                + " \"secondaryMetrics\" : {"
                + " \"gc.alloc.rate\" : { \"score\" : 12.5, \"scoreUnit\" : \"MB/sec\" },"
                + " \"gc.alloc.rate.norm\" : { \"score\" : " + bytesPerInvocation + ", \"scoreUnit\" : \"B/op\" },"
                + " \"spawns\" : { \"score\" : " + spawnsPerSecond + ", \"scoreUnit\" : \"ops/s\" } } }";
    }

    private static final String LOCAL = "io.asyncruntime.benchmarks.SchedulerBenchmarks.spawn_many_local";
    private static final String CHAIN = "io.asyncruntime.benchmarks.SchedulerBenchmarks.chained_spawn";

    @Test
    void showsUnitsOfWorkPerSecondAndRatiosAgainstTheBestPeerAndForkJoinPool() {
        String json = "[" + entry(CHAIN, "asyncruntime", 100, 1e6, 1000) + ","
                + entry(LOCAL, "asyncruntime", 500, 5e6, 320_000) + ","
                + entry(LOCAL, "forkjoin", 400, 4e6, 240_000) + ","
                + entry(LOCAL, "netty_epoll", 1000, 10e6, 30_000) + "]";

        String table = new ResultTable().addJmhJson(json).render();

        assertThat(table).containsPattern("\\| async-runtime \\| ForkJoinPool \\| Netty epoll \\| +ours vs best peer \\| ours vs FJP \\|");
        // Tokio's order, whatever order JMH ran them in.
        assertThat(table.indexOf("spawn_many_local")).isLessThan(table.indexOf("chained_spawn"));
        assertThat(table).containsPattern("spawn_many_local +\\| M spawns/s +\\| +5\\.00 \\| +4\\.00 \\| +10\\.0 \\|"
                + " +0\\.50× \\(Netty epoll\\) \\| +1\\.25× \\|");
        // 320,000 B per invocation of 10,000 spawns; lower is better, so the ratios invert.
        assertThat(table).containsPattern("spawn_many_local, allocated +\\| B/spawn +\\| +32\\.0 \\| +24\\.0 \\| +3\\.00 \\|"
                + " +0\\.09× \\(Netty epoll\\) \\| +0\\.75× \\|");
        assertThat(table).containsPattern("chained_spawn +\\| M spawns/s +\\| +1\\.00 \\| +– \\| +– \\| +– \\| +– \\|");
    }

    @Test
    void addsIdleTaskFootprintsToTheMemoryTable() {
        String table = new ResultTable().addFootprints(List.of(
                IdleTaskFootprint.Result.parse("idle_footprint impl=asyncruntime tasks=1000000 bytesPerTask=64.1 spawnMillis=400"),
                IdleTaskFootprint.Result.parse("idle_footprint impl=kotlin tasks=1000000 bytesPerTask=313.0 spawnMillis=900")))
                .render();

        assertThat(table).containsPattern("idle task, heap after GC \\(1,000,000 tasks\\) \\| B/task \\| +64\\.1 \\| +313 \\|"
                + " +4\\.88× \\(Kotlin Default\\) \\|$");
    }

    @Test
    void aBenchmarkWithoutTheImplParameterGetsOneScoreColumnInItsOwnSection() {
        String json = "[{ \"benchmark\" : \"io.asyncruntime.benchmarks.time.TimerBenchmarks.insert\", \"mode\" : \"avgt\","
                + " \"params\" : { \"timers\" : \"1000\" }, \"primaryMetric\" : { \"score\" : 12.5,"
                + " \"scoreUnit\" : \"ns/op\" }, \"secondaryMetrics\" : { } }]";

        String table = new ResultTable().addJmhJson(json).render();

        assertThat(table).startsWith("**TimerBenchmarks**\n\n")
                .contains("| benchmark | unit  | score |")
                .contains("| insert    | ns/op |  12.5 |");
    }

    @Test
    void aPeerParameterAlsoMakesColumnsAndTimesAreBetterWhenLower() {
        String json = "[" + timed("asyncRuntime", 40) + "," + timed("scheduledThreadPoolExecutor", 60) + ","
                + timed("nettyHashedWheelTimer", 20) + "]";

        String table = new ResultTable().addJmhJson(json).render();

        assertThat(table).contains("**TimerChurnBenchmark**")
                .containsPattern("\\| churn +\\| ms/op +\\| +40\\.0 \\| +60\\.0 \\| +20\\.0 \\| +0\\.50× \\(nettyHashedWheelTimer\\) \\|")
                .doesNotContain("ours vs FJP");
    }

    private static String timed(String peer, double millis) {
        return "{ \"benchmark\" : \"io.asyncruntime.benchmarks.time.TimerChurnBenchmark.churn\", \"mode\" : \"ss\","
                + " \"params\" : { \"peer\" : \"" + peer + "\" }, \"primaryMetric\" : { \"score\" : " + millis + ","
                + " \"scoreUnit\" : \"ms/op\" }, \"secondaryMetrics\" : { } }";
    }

    @Test
    void latencyCountersGetTheirOwnRowsWhereLowerIsBetter() {
        String echo = "io.asyncruntime.benchmarks.net.TcpEchoBenchmark.echo";
        String json = "[" + echoEntry(echo, "asyncruntime", 90_000, 1_200) + "," + echoEntry(echo, "netty_nio", 80_000, 1_500) + "]";

        String table = new ResultTable().addJmhJson(json).render();

        assertThat(table).containsPattern("echo +\\| M round trips/s +\\| +0\\.0900 \\| +0\\.0800 \\| +1\\.13× \\(Netty NIO\\) \\|");
        assertThat(table).containsPattern("echo, p99 latency +\\| µs +\\| +1200 \\| +1500 \\| +1\\.25× \\(Netty NIO\\) \\|");
    }

    private static String echoEntry(String benchmark, String impl, double roundTripsPerSecond, double p99) {
        return "{ \"benchmark\" : \"" + benchmark + "\", \"mode\" : \"thrpt\", \"params\" : { \"impl\" : \"" + impl + "\" },"
                + " \"primaryMetric\" : { \"score\" : " + roundTripsPerSecond / 6400 + ", \"scoreUnit\" : \"ops/s\" },"
                + " \"secondaryMetrics\" : {"
                + " \"p99LatencyMicros\" : { \"score\" : " + p99 + ", \"scoreUnit\" : \"#\" },"
                + " \"roundTrips\" : { \"score\" : " + roundTripsPerSecond + ", \"scoreUnit\" : \"ops/s\" } } }";
    }

    @Test
    void showsTheMedianIterationNotTheMean() {
        String json = "[" + entry(LOCAL, "forkjoin", 400, 4e6, 240_000)
                .replace("\"spawns\" : { \"score\" : 4000000.0,",
                        "\"spawns\" : { \"score\" : 4000000.0, \"scorePercentiles\" : { \"0.0\" : 1e6, \"50.0\" : 4.5e6 },")
                + "]";

        assertThat(new ResultTable().addJmhJson(json).render()).containsPattern("\\| +4\\.50 \\|");
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
    void footprintLinesRoundTrip() {
        IdleTaskFootprint.Result parsed = IdleTaskFootprint.Result.parse(
                "idle_footprint impl=forkjoin tasks=1000 bytesPerTask=88.0 spawnMillis=12");
        assertThat(parsed.implementation).isEqualTo(Implementation.FORK_JOIN);
        assertThat(IdleTaskFootprint.Result.parse(parsed.toLine()).bytesPerTask).isEqualTo(88.0);
        assertThat(IdleTaskFootprint.Result.parse("# JMH noise")).isNull();
    }
}
