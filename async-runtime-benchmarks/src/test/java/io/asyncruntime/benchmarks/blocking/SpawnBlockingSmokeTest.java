package io.asyncruntime.benchmarks.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The blocking-pool benchmarks run through JMH in this JVM ({@code -f 0}) with small sizes, on
 * every peer this JDK can run (virtual threads from JDK 21), and count the calls they made: keeps
 * their wiring from rotting. The numbers mean nothing.
 */
class SpawnBlockingSmokeTest {

    @Test
    void theBlockingBenchmarksRunOnEveryPeer() throws Exception {
        System.setProperty("jmh.ignoreLock", "true");
        boolean virtualThreads = Runtime.version().feature() >= 21;
        OptionsBuilder builder = new OptionsBuilder();
        builder.include(virtualThreads ? "\\.SpawnBlocking(Platform|Virtual)Benchmark\\." : "\\.SpawnBlockingPlatformBenchmark\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(30))
                .shouldFailOnError(true)
                .param("calls", "2000")
                .param("batch", "100");
        PrintStream silent = new PrintStream(OutputStream.nullOutputStream());

        Collection<RunResult> results =
                new Runner(builder.build(), OutputFormatFactory.createFormatInstance(silent, VerboseMode.SILENT)).run();

        assertThat(results).hasSize(virtualThreads ? 4 : 2);
        for (RunResult result : results) {
            assertThat(result.getSecondaryResults().get("calls").getScore())
                    .as("%s on %s", result.getParams().getBenchmark(), result.getParams().getParam("peer"))
                    .isPositive();
        }
    }
}
