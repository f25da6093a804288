package io.asyncruntime.benchmarks.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.benchmarks.Implementation;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The CI smoke pass: JMH itself runs every scheduler benchmark once per implementation (every
 * workload the implementation has a form of), in this JVM ({@code -f 0}), with tiny sizes and one
 * short iteration, failing on any benchmark error; then the runner turns JMH's result objects into
 * samples and a table. This keeps the JMH wiring (generated code, states, parameters, counters)
 * and the result extraction from rotting; the numbers mean nothing.
 */
class JmhSmokeTest {

    @Test
    void everyBenchmarkRunsOnEveryImplementationAndBecomesATableRow() throws Exception {
        // JMH refuses to start while another JMH run holds its lock; CI must not depend on that.
        System.setProperty("jmh.ignoreLock", "true");
        PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
        List<RunResult> results = new ArrayList<>();
        int expected = 0;
        for (Implementation implementation : Implementation.available()) {
            OptionsBuilder builder = new OptionsBuilder();
            builder.include("\\.SchedulerBenchmarks\\.")
                    .forks(0)
                    .warmupIterations(0)
                    .measurementIterations(1)
                    .measurementTime(TimeValue.milliseconds(30))
                    .shouldFailOnError(true)
                    .param("impl", implementation.id);
            for (String workload : BenchMain.WORKLOADS) {
                if (implementation.supports(workload)) {
                    expected++;
                } else {
                    builder.exclude("\\.SchedulerBenchmarks\\." + workload + "$");
                }
            }
            for (Map.Entry<String, String> size : Profile.SMOKE.sizes.entrySet()) {
                builder.param(size.getKey(), size.getValue());
            }
            Collection<RunResult> run =
                    new Runner(builder.build(), OutputFormatFactory.createFormatInstance(silent, VerboseMode.SILENT)).run();
            results.addAll(run);
        }

        assertThat(results).hasSize(expected);
        List<Sample> samples = new ArrayList<>();
        for (RunResult result : results) {
            List<Sample> fromRun = Samples.fromRun(result, 1);
            Sample speed = fromRun.stream().filter(s -> !s.memory()).findFirst().orElseThrow();
            assertThat(speed.value())
                    .as("%s on %s", result.getParams().getBenchmark(), result.getParams().getParam("impl"))
                    .isPositive();
            assertThat(speed.unit()).startsWith("M ").endsWith("/s");
            samples.addAll(fromRun);
        }
        String table = new ResultTable().add(samples).render();
        assertThat(table).contains("| spawn_many_local ").contains("| yield_many ").contains("ours vs FJP, better mode");
    }
}
