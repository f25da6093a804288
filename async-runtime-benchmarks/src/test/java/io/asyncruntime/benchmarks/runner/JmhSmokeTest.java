package io.asyncruntime.benchmarks.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.benchmarks.Implementation;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The CI smoke pass: JMH itself runs every scheduler benchmark once per implementation, in this
 * JVM ({@code -f 0}), with tiny sizes and one short iteration, failing on any benchmark error.
 * This keeps the JMH wiring (generated code, states, parameters, counters) from rotting; the
 * numbers mean nothing.
 */
class JmhSmokeTest {

    @Test
    void everyBenchmarkRunsOnEveryImplementation() throws Exception {
        // JMH refuses to start while another JMH run holds its lock; CI must not depend on that.
        System.setProperty("jmh.ignoreLock", "true");
        List<Implementation> implementations = Implementation.available();
        OptionsBuilder builder = new OptionsBuilder();
        builder.include("\\.SchedulerBenchmarks\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(30))
                .shouldFailOnError(true)
                .param(ResultTable.IMPL_PARAM, ids(implementations));
        for (Map.Entry<String, String> size : Profile.SMOKE.sizes.entrySet()) {
            builder.param(size.getKey(), size.getValue());
        }
        Options options = builder.build();
        PrintStream silent = new PrintStream(OutputStream.nullOutputStream());

        Collection<RunResult> results =
                new Runner(options, OutputFormatFactory.createFormatInstance(silent, VerboseMode.SILENT)).run();

        assertThat(results).hasSize(BenchMain.WORKLOADS.size() * implementations.size());
        for (RunResult result : results) {
            Result counter = result.getSecondaryResults().values().stream()
                    .filter(r -> !r.getLabel().contains("."))
                    .findFirst().orElseThrow();
            assertThat(counter.getScore())
                    .as("%s on %s", result.getParams().getBenchmark(), result.getParams().getParam("impl"))
                    .isPositive();
        }
    }

    private static String[] ids(List<Implementation> implementations) {
        return implementations.stream().map(i -> i.id).toArray(String[]::new);
    }
}
