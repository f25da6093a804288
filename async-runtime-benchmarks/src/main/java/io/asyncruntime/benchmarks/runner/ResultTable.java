package io.asyncruntime.benchmarks.runner;

import io.asyncruntime.benchmarks.Implementation;
import io.asyncruntime.benchmarks.footprint.IdleTaskFootprint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns JMH's JSON results (and the idle-task footprint lines) into the one table the project
 * quotes: a row per workload, a column per implementation, and how this runtime compares with the
 * best peer and with {@code ForkJoinPool}.
 *
 * <p>Every cell is the median of the measured iterations. Rules, so any benchmark class fits,
 * not only {@code SchedulerBenchmarks}:
 * <ul>
 *   <li>Columns come from the JMH parameter {@value #IMPL_PARAM}; a benchmark without it gets one
 *       {@code score} column and no ratios.</li>
 *   <li>A secondary result whose name has no dot is an {@code @AuxCounters} unit of work; when a
 *       benchmark has one, the table shows it (in millions per second) instead of the primary score,
 *       and divides the allocation profile by it.</li>
 *   <li>{@code gc.alloc.rate.norm} (from {@code -prof gc}) becomes a second table: bytes allocated
 *       per unit of work. Idle-task footprints are added to it.</li>
 *   <li>Ratios read "times better": ours ÷ peer for rates, peer ÷ ours for times and bytes, so
 *       above 1.00 this runtime is ahead.</li>
 * </ul>
 */
public final class ResultTable {

    static final String IMPL_PARAM = "impl";
    private static final String OURS = Implementation.ASYNC_RUNTIME.id;
    private static final String FJP = Implementation.FORK_JOIN.id;
    private static final String SINGLE_COLUMN = "score";
    private static final String ALLOC_NORM = "gc.alloc.rate.norm";

    /** One table row: a metric of one workload, valued per implementation. */
    static final class Row {
        /** Orders rows: Tokio's workloads in the order of its bench file, then everything else as found. */
        final int order;
        final String label;
        final String unit;
        final boolean higherIsBetter;
        final Map<String, Double> values = new LinkedHashMap<>();

        Row(String label, String unit, boolean higherIsBetter) {
            int index = BenchMain.WORKLOADS.indexOf(label.split("[ ,]", 2)[0]);
            this.order = index < 0 ? BenchMain.WORKLOADS.size() : index;
            this.label = label;
            this.unit = unit;
            this.higherIsBetter = higherIsBetter;
        }
    }

    private final Map<String, Row> speedRows = new LinkedHashMap<>();
    private final Map<String, Row> memoryRows = new LinkedHashMap<>();
    private final Set<String> columns = new LinkedHashSet<>();

    /** Adds every result of a JMH JSON result file. */
    @SuppressWarnings("unchecked")
    public ResultTable addJmhJson(String json) {
        List<Object> results = (List<Object>) Json.parse(json);
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Object result : results) {
            entries.add((Map<String, Object>) result);
        }
        Map<String, Integer> combinations = countParameterCombinations(entries);
        for (Map<String, Object> entry : entries) {
            add(entry, combinations);
        }
        return this;
    }

    /** Adds idle-task footprints. */
    public ResultTable addFootprints(List<IdleTaskFootprint.Result> footprints) {
        for (IdleTaskFootprint.Result footprint : footprints) {
            String label = String.format(Locale.ROOT, "idle task, heap after GC (%,d tasks)", footprint.tasks);
            Row row = memoryRows.computeIfAbsent(label, l -> new Row(l, "B/task", false));
            row.values.put(footprint.implementation.id, footprint.bytesPerTask);
            columns.add(footprint.implementation.id);
        }
        return this;
    }

    @SuppressWarnings("unchecked")
    private void add(Map<String, Object> entry, Map<String, Integer> combinations) {
        String benchmark = shortName((String) entry.get("benchmark"));
        Map<String, Object> params = (Map<String, Object>) entry.getOrDefault("params", Map.of());
        String column = params.containsKey(IMPL_PARAM) ? (String) params.get(IMPL_PARAM) : SINGLE_COLUMN;
        columns.add(column);
        String label = benchmark;
        if (combinations.getOrDefault(benchmark, 1) > 1) {
            label += " " + describe(params);
        }

        Map<String, Object> primary = (Map<String, Object>) entry.get("primaryMetric");
        Map<String, Object> secondary = (Map<String, Object>) entry.getOrDefault("secondaryMetrics", Map.of());
        String mode = (String) entry.get("mode");
        String counterName = null;
        for (String name : secondary.keySet()) {
            if (!name.contains(".")) {
                counterName = name;
                break;
            }
        }

        double primaryScore = number(primary.get("score"));
        double unitsPerOp = 1;
        if (counterName != null) {
            double counterScore = number(((Map<String, Object>) secondary.get(counterName)).get("score"));
            unitsPerOp = counterScore / primaryScore;
            double counterMedian = median((Map<String, Object>) secondary.get(counterName));
            row(speedRows, label, "M " + words(counterName) + "/s", true).values.put(column, counterMedian / 1e6);
        } else {
            boolean higherIsBetter = "thrpt".equals(mode);
            row(speedRows, label, (String) primary.get("scoreUnit"), higherIsBetter).values.put(column, median(primary));
        }

        Map<String, Object> alloc = (Map<String, Object>) secondary.get(ALLOC_NORM);
        if (alloc != null) {
            String unit = counterName == null ? "B/op" : "B/" + singular(counterName);
            row(memoryRows, label + ", allocated", unit, false).values.put(column, median(alloc) / unitsPerOp);
        }
    }

    private static Row row(Map<String, Row> rows, String label, String unit, boolean higherIsBetter) {
        return rows.computeIfAbsent(label + '\u0000' + unit, key -> new Row(label, unit, higherIsBetter));
    }

    /** Renders the speed table, then the memory table, as Markdown. */
    public String render() {
        List<String> ordered = orderedColumns();
        StringBuilder out = new StringBuilder();
        if (!speedRows.isEmpty()) {
            renderTable(out, "workload", speedRows.values(), ordered);
        }
        if (!memoryRows.isEmpty()) {
            if (out.length() > 0) {
                out.append('\n');
            }
            renderTable(out, "memory", memoryRows.values(), ordered);
        }
        return out.toString();
    }

    private void renderTable(StringBuilder out, String firstHeader, Collection<Row> unsorted, List<String> ordered) {
        List<Row> rows = new ArrayList<>(unsorted);
        rows.sort(Comparator.comparingInt(row -> row.order));
        boolean ratios = ordered.contains(OURS);
        List<String> header = new ArrayList<>(List.of(firstHeader, "unit"));
        for (String column : ordered) {
            header.add(displayName(column));
        }
        if (ratios) {
            header.add("ours vs best peer");
            header.add("ours vs FJP");
        }
        List<List<String>> lines = new ArrayList<>();
        lines.add(header);
        for (Row row : rows) {
            List<String> line = new ArrayList<>(List.of(row.label, row.unit));
            for (String column : ordered) {
                Double value = row.values.get(column);
                line.add(value == null ? "–" : format(value));
            }
            if (ratios) {
                line.add(ratio(row, bestPeer(row)));
                line.add(ratio(row, FJP));
            }
            lines.add(line);
        }
        appendMarkdown(out, lines);
    }

    private static String bestPeer(Row row) {
        String best = null;
        for (Map.Entry<String, Double> entry : row.values.entrySet()) {
            if (entry.getKey().equals(OURS) || !Double.isFinite(entry.getValue())) {
                continue;
            }
            if (best == null || better(row, entry.getValue(), row.values.get(best))) {
                best = entry.getKey();
            }
        }
        return best;
    }

    private static boolean better(Row row, double a, double b) {
        return row.higherIsBetter ? a > b : a < b;
    }

    /** "1.23× (Netty epoll)": how many times better ours is than that peer. */
    private static String ratio(Row row, String peer) {
        Double ours = row.values.get(OURS);
        Double theirs = peer == null ? null : row.values.get(peer);
        if (ours == null || theirs == null || ours <= 0 || theirs <= 0) {
            return "–";
        }
        double times = row.higherIsBetter ? ours / theirs : theirs / ours;
        String text = String.format(Locale.ROOT, "%.2f×", times);
        return peer.equals(FJP) ? text : text + " (" + displayName(peer) + ")";
    }

    private List<String> orderedColumns() {
        List<String> ordered = new ArrayList<>();
        for (Implementation implementation : Implementation.values()) {
            if (columns.contains(implementation.id)) {
                ordered.add(implementation.id);
            }
        }
        for (String column : columns) {
            if (!ordered.contains(column)) {
                ordered.add(column);
            }
        }
        return ordered;
    }

    private static String displayName(String column) {
        for (Implementation implementation : Implementation.values()) {
            if (implementation.id.equals(column)) {
                return implementation.displayName;
            }
        }
        return column;
    }

    /** Three significant digits, without exponent: 12345 → "12345", 12.345 → "12.3", 0.01234 → "0.0123". */
    static String format(double value) {
        if (!Double.isFinite(value)) {
            return String.valueOf(value);
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 100 || magnitude == 0) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        int decimals = Math.min(6, 2 - (int) Math.floor(Math.log10(magnitude)));
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static void appendMarkdown(StringBuilder out, List<List<String>> lines) {
        int columnCount = lines.get(0).size();
        int[] widths = new int[columnCount];
        for (List<String> line : lines) {
            for (int i = 0; i < columnCount; i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        for (int l = 0; l < lines.size(); l++) {
            List<String> line = lines.get(l);
            out.append('|');
            for (int i = 0; i < columnCount; i++) {
                String cell = line.get(i);
                boolean leftAligned = i < 2;
                String padding = " ".repeat(widths[i] - cell.length());
                out.append(' ').append(leftAligned ? cell + padding : padding + cell).append(" |");
            }
            out.append('\n');
            if (l == 0) {
                out.append('|');
                for (int i = 0; i < columnCount; i++) {
                    out.append(i < 2 ? " :" : " ").append("-".repeat(Math.max(1, widths[i] - 1)))
                            .append(i < 2 ? " |" : ": |");
                }
                out.append('\n');
            }
        }
    }

    private static Map<String, Integer> countParameterCombinations(List<Map<String, Object>> entries) {
        Map<String, Set<String>> seen = new LinkedHashMap<>();
        for (Map<String, Object> entry : entries) {
            @SuppressWarnings("unchecked")
            Map<String, Object> params = (Map<String, Object>) entry.getOrDefault("params", Map.of());
            seen.computeIfAbsent(shortName((String) entry.get("benchmark")), k -> new LinkedHashSet<>())
                    .add(describe(params));
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        seen.forEach((benchmark, combinations) -> counts.put(benchmark, combinations.size()));
        return counts;
    }

    private static String describe(Map<String, Object> params) {
        StringBuilder out = new StringBuilder();
        params.forEach((key, value) -> {
            if (!key.equals(IMPL_PARAM)) {
                out.append(out.length() == 0 ? "" : " ").append(key).append('=').append(value);
            }
        });
        return out.toString();
    }

    /** "io.asyncruntime.benchmarks.SchedulerBenchmarks.spawn_many_local" → "spawn_many_local"; other classes keep their class name. */
    static String shortName(String benchmark) {
        int lastDot = benchmark.lastIndexOf('.');
        String method = benchmark.substring(lastDot + 1);
        String owner = benchmark.substring(0, Math.max(0, lastDot));
        String ownerSimple = owner.substring(owner.lastIndexOf('.') + 1);
        return ownerSimple.equals("SchedulerBenchmarks") ? method : ownerSimple + "." + method;
    }

    /** "roundTrips" → "round trips". */
    static String words(String counterName) {
        return counterName.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    /** "spawns" → "spawn", "roundTrips" → "round trip", "yields" → "yield". */
    static String singular(String counterName) {
        String words = words(counterName);
        return words.endsWith("s") ? words.substring(0, words.length() - 1) : words;
    }

    /**
     * The median over all measured iterations (of all forks), which JMH writes as the 50th
     * percentile; the mean when it is absent. Iterations on this shared 2-core machine have
     * outliers both ways, and the project quotes medians (CONVENTIONS.md).
     */
    @SuppressWarnings("unchecked")
    private static double median(Map<String, Object> metric) {
        Object percentiles = metric.get("scorePercentiles");
        if (percentiles instanceof Map && ((Map<String, Object>) percentiles).containsKey("50.0")) {
            return number(((Map<String, Object>) percentiles).get("50.0"));
        }
        return number(metric.get("score"));
    }

    private static double number(Object value) {
        if (value instanceof Number) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof String) {
            return Double.parseDouble((String) value);
        }
        return Double.NaN;
    }
}
