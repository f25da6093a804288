package io.asyncruntime.benchmarks.runner;

import io.asyncruntime.benchmarks.footprint.IdleTaskFootprint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns JMH's own result objects ({@link RunResult}, what {@code Runner.run} returns) into
 * {@link Sample}s, one per fork and metric, and stores them as JSON (Jackson, from the Spring Boot
 * BOM) so that {@code BenchMain --table=DIR} can render a table again.
 *
 * <p>What becomes a row, per benchmark method:
 * <ul>
 *   <li>an {@code @AuxCounters(OPERATIONS)} counter (a secondary result without a dot in its name
 *       and a rate unit) is the unit of work: the speed row shows it in millions per second, in
 *       place of the primary score; without one the primary score is the row;</li>
 *   <li>an {@code @AuxCounters(EVENTS)} counter (unit {@code #}) is a row of its own, lower is
 *       better; a name ending in {@code Micros}, {@code Millis} or {@code Nanos} gives the unit
 *       ({@code latenessP99Micros} → "lateness p99", µs);</li>
 *   <li>{@code gc.alloc.rate.norm} ({@code -prof gc}) is a memory row: bytes per unit of work.</li>
 * </ul>
 * Each value is the median of the fork's measured iterations.
 */
final class Samples {

    static final String IMPL_PARAM = "impl";
    static final String PEER_PARAM = "peer";
    static final List<String> COLUMN_PARAMS = List.of(IMPL_PARAM, PEER_PARAM);
    static final String SINGLE_COLUMN = "score";
    static final String SCHEDULER_SECTION = "SchedulerBenchmarks";
    private static final String ALLOC_NORM = "gc.alloc.rate.norm";
    private static final String EVENTS_UNIT = "#";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Samples() {
    }

    /**
     * The samples of one JMH run of one benchmark and parameter set.
     *
     * @param sweep the sweep this run belongs to (its one fork gets this number), or 0 to number
     *     the forks of the run from 1
     */
    static List<Sample> fromRun(RunResult run, int sweep) {
        BenchmarkParams params = run.getParams();
        String benchmark = params.getBenchmark();
        String section = className(benchmark);
        String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
        String column = SINGLE_COLUMN;
        StringBuilder variant = new StringBuilder();
        for (String key : params.getParamsKeys()) {
            if (COLUMN_PARAMS.contains(key)) {
                if (column.equals(SINGLE_COLUMN)) {
                    column = params.getParam(key);
                }
            } else {
                variant.append(variant.length() == 0 ? "" : " ").append(key).append('=').append(params.getParam(key));
            }
        }
        List<Sample> samples = new ArrayList<>();
        int fork = 0;
        for (BenchmarkResult forkResult : run.getBenchmarkResults()) {
            fork++;
            List<IterationResult> iterations = new ArrayList<>(forkResult.getIterationResults());
            if (iterations.isEmpty()) {
                continue;
            }
            Fork f = new Fork(section, method, variant.toString(), column, sweep > 0 ? sweep : fork, iterations, samples);
            f.add(params.getMode() == Mode.Throughput);
        }
        return samples;
    }

    /** The rows of one fork. */
    private record Fork(String section, String method, String variant, String column, int sweep,
                        List<IterationResult> iterations, List<Sample> out) {

        void add(boolean throughput) {
            Map<String, Result> first = iterations.get(0).getSecondaryResults();
            String counter = null;
            List<String> events = new ArrayList<>();
            for (Result result : first.values()) {
                String label = result.getLabel();
                if (label.contains(".")) {
                    continue;
                }
                if (EVENTS_UNIT.equals(result.getScoreUnit())) {
                    events.add(label);
                } else if (counter == null) {
                    counter = label;
                }
            }
            String unitOfWork = counter;
            if (unitOfWork != null) {
                double perSecond = median(it -> secondary(it, unitOfWork));
                emit(method, "M " + words(unitOfWork) + "/s", true, false, perSecond / 1e6);
            } else {
                Result primary = iterations.get(0).getPrimaryResult();
                emit(method, primary.getScoreUnit(), throughput, false, median(it -> it.getPrimaryResult().getScore()));
            }
            for (String event : events) {
                String[] nameAndUnit = eventNameAndUnit(event);
                emit(method + ", " + nameAndUnit[0], nameAndUnit[1], false, false, median(it -> secondary(it, event)));
            }
            if (first.containsKey(ALLOC_NORM)) {
                double unitsPerOp = unitOfWork == null ? 1
                        : median(it -> secondary(it, unitOfWork) / it.getPrimaryResult().getScore());
                String unit = unitOfWork == null ? "B/op" : "B/" + singular(unitOfWork);
                emit(method + ", allocated", unit, false, true, median(it -> secondary(it, ALLOC_NORM)) / unitsPerOp);
            }
        }

        private void emit(String row, String unit, boolean higherIsBetter, boolean memory, double value) {
            out.add(new Sample(section, row, variant, unit, higherIsBetter, memory, column, sweep, value));
        }

        private double median(ToDoubleFunction<IterationResult> metric) {
            double[] values = new double[iterations.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = metric.applyAsDouble(iterations.get(i));
            }
            return Samples.median(values);
        }

        private static double secondary(IterationResult iteration, String label) {
            Result result = iteration.getSecondaryResults().get(label);
            return result == null ? Double.NaN : result.getScore();
        }
    }

    /** The footprint lines as samples of the scheduler section's memory table. */
    static List<Sample> fromFootprints(Collection<IdleTaskFootprint.Result> footprints) {
        List<Sample> samples = new ArrayList<>();
        for (IdleTaskFootprint.Result footprint : footprints) {
            String row = String.format(Locale.ROOT, "%s, heap after GC (%,d tasks)", footprint.kind.label, footprint.tasks);
            samples.add(new Sample(SCHEDULER_SECTION, row, "", "B/task", false, true,
                    footprint.implementation.id, 0, footprint.bytesPerTask));
        }
        return samples;
    }

    static void write(Path file, List<Sample> samples) {
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), samples);
    }

    static List<Sample> read(Path file) {
        return List.of(JSON.readValue(file.toFile(), Sample[].class));
    }

    /** The median (the mean of the middle two for an even count); NaN for none. */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** "io.asyncruntime.benchmarks.time.TimerChurnBenchmark.churn" → "TimerChurnBenchmark". */
    static String className(String benchmark) {
        String owner = benchmark.substring(0, Math.max(0, benchmark.lastIndexOf('.')));
        return owner.substring(owner.lastIndexOf('.') + 1);
    }

    /** "roundTrips" → "round trips". */
    static String words(String counterName) {
        return counterName.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    /** "spawns" → "spawn", "roundTrips" → "round trip", "yields" → "yield". */
    static String singular(String counterName) {
        String words = words(counterName);
        return words.endsWith("s") ? words.substring(0, words.length() - 1) : words;
    }

    /** "latenessP99Micros" → {"lateness p99", "µs"}; "earlyWakeUps" → {"early wake ups", "count"}. */
    static String[] eventNameAndUnit(String event) {
        for (String[] suffix : new String[][] {{"Micros", "µs"}, {"Millis", "ms"}, {"Nanos", "ns"}}) {
            if (event.endsWith(suffix[0]) && event.length() > suffix[0].length()) {
                return new String[] {words(event.substring(0, event.length() - suffix[0].length())), suffix[1]};
            }
        }
        return new String[] {words(event), "count"};
    }
}
