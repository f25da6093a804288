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
 * <p>Every cell is the median of the measured iterations. One section per benchmark class (the
 * Tokio workloads and the idle-task footprint share the first), so any benchmark class fits:
 * <ul>
 *   <li>Columns come from the JMH parameter {@value #IMPL_PARAM} (or {@value #PEER_PARAM}); a
 *       benchmark with neither gets one {@code score} column. The column whose id is
 *       {@code asyncruntime} (any case) is this runtime; with it come the ratio columns.</li>
 *   <li>A secondary result whose name has no dot is an {@code @AuxCounters} unit of work; when a
 *       benchmark has one, the table shows it (in millions per second) instead of the primary score,
 *       and divides the allocation profile by it. One whose name ends in {@value #LATENCY_SUFFIX}
 *       (an {@code EVENTS} counter such as {@code p99LatencyMicros}) is a latency instead: it gets
 *       its own row ("p99 latency", µs, lower is better).</li>
 *   <li>{@code gc.alloc.rate.norm} (from {@code -prof gc}) becomes a second table: bytes allocated
 *       per unit of work. Idle-task footprints are added to it.</li>
 *   <li>Ratios read "times better": ours ÷ peer for rates, peer ÷ ours for times and bytes, so
 *       above 1.00 this runtime is ahead.</li>
 * </ul>
 */
public final class ResultTable {

    static final String IMPL_PARAM = "impl";
    static final String PEER_PARAM = "peer";
    private static final List<String> COLUMN_PARAMS = List.of(IMPL_PARAM, PEER_PARAM);
    private static final String OURS = Implementation.ASYNC_RUNTIME.id;
    private static final String FJP = Implementation.FORK_JOIN.id;
    private static final String SINGLE_COLUMN = "score";
    private static final String ALLOC_NORM = "gc.alloc.rate.norm";
    private static final String SCHEDULER_SECTION = "SchedulerBenchmarks";
    static final String LATENCY_SUFFIX = "LatencyMicros";

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

    /** The rows of one benchmark class and the columns they use. */
    private static final class Section {
        final Map<String, Row> speedRows = new LinkedHashMap<>();
        final Map<String, Row> memoryRows = new LinkedHashMap<>();
        final Set<String> columns = new LinkedHashSet<>();
    }

    private final Map<String, Section> sections = new LinkedHashMap<>();

    private Section section(String className) {
        return sections.computeIfAbsent(className, name -> new Section());
    }

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
        Section section = section(SCHEDULER_SECTION);
        for (IdleTaskFootprint.Result footprint : footprints) {
            String label = String.format(Locale.ROOT, "idle task, heap after GC (%,d tasks)", footprint.tasks);
            Row row = section.memoryRows.computeIfAbsent(label, l -> new Row(l, "B/task", false));
            row.values.put(footprint.implementation.id, footprint.bytesPerTask);
            section.columns.add(footprint.implementation.id);
        }
        return this;
    }

    @SuppressWarnings("unchecked")
    private void add(Map<String, Object> entry, Map<String, Integer> combinations) {
        String benchmark = (String) entry.get("benchmark");
        Section section = section(className(benchmark));
        Map<String, Object> params = (Map<String, Object>) entry.getOrDefault("params", Map.of());
        String column = SINGLE_COLUMN;
        for (String name : COLUMN_PARAMS) {
            if (params.containsKey(name)) {
                column = (String) params.get(name);
                break;
            }
        }
        section.columns.add(column);
        String label = benchmark.substring(benchmark.lastIndexOf('.') + 1);
        if (combinations.getOrDefault(benchmark, 1) > 1) {
            label += " " + describe(params);
        }

        Map<String, Object> primary = (Map<String, Object>) entry.get("primaryMetric");
        Map<String, Object> secondary = (Map<String, Object>) entry.getOrDefault("secondaryMetrics", Map.of());
        String mode = (String) entry.get("mode");
        String counterName = null;
        for (String name : secondary.keySet()) {
            if (!name.contains(".") && !name.endsWith(LATENCY_SUFFIX)) {
                counterName = name;
                break;
            }
        }
        for (String name : secondary.keySet()) {
            if (name.endsWith(LATENCY_SUFFIX)) {
                String what = name.substring(0, name.length() - LATENCY_SUFFIX.length()) + " latency";
                row(section.speedRows, label + ", " + what, "µs", false)
                        .values.put(column, median((Map<String, Object>) secondary.get(name)));
            }
        }

        double primaryScore = number(primary.get("score"));
        double unitsPerOp = 1;
        if (counterName != null) {
            double counterScore = number(((Map<String, Object>) secondary.get(counterName)).get("score"));
            unitsPerOp = counterScore / primaryScore;
            double counterMedian = median((Map<String, Object>) secondary.get(counterName));
            row(section.speedRows, label, "M " + words(counterName) + "/s", true).values.put(column, counterMedian / 1e6);
        } else {
            boolean higherIsBetter = "thrpt".equals(mode);
            row(section.speedRows, label, (String) primary.get("scoreUnit"), higherIsBetter)
                    .values.put(column, median(primary));
        }

        Map<String, Object> alloc = (Map<String, Object>) secondary.get(ALLOC_NORM);
        if (alloc != null) {
            String unit = counterName == null ? "B/op" : "B/" + singular(counterName);
            row(section.memoryRows, label + ", allocated", unit, false).values.put(column, median(alloc) / unitsPerOp);
        }
    }

    private static Row row(Map<String, Row> rows, String label, String unit, boolean higherIsBetter) {
        return rows.computeIfAbsent(label + '\u0000' + unit, key -> new Row(label, unit, higherIsBetter));
    }

    /**
     * Renders each section's speed table, then its memory table, as Markdown; sections other than
     * the Tokio workloads get their class name as a heading line.
     */
    public String render() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Section> entry : sections.entrySet()) {
            Section section = entry.getValue();
            boolean scheduler = entry.getKey().equals(SCHEDULER_SECTION);
            List<String> ordered = orderedColumns(section.columns);
            if (out.length() > 0) {
                out.append('\n');
            }
            if (!scheduler) {
                out.append("**").append(entry.getKey()).append("**\n\n");
            }
            if (!section.speedRows.isEmpty()) {
                renderTable(out, scheduler ? "workload" : "benchmark", section.speedRows.values(), ordered);
            }
            if (!section.memoryRows.isEmpty()) {
                if (!section.speedRows.isEmpty()) {
                    out.append('\n');
                }
                renderTable(out, "memory", section.memoryRows.values(), ordered);
            }
        }
        return out.toString();
    }

    private void renderTable(StringBuilder out, String firstHeader, Collection<Row> unsorted, List<String> ordered) {
        List<Row> rows = new ArrayList<>(unsorted);
        rows.sort(Comparator.comparingInt(row -> row.order));
        String ours = find(ordered, OURS);
        String forkJoin = find(ordered, FJP);
        List<String> header = new ArrayList<>(List.of(firstHeader, "unit"));
        for (String column : ordered) {
            header.add(displayName(column));
        }
        if (ours != null) {
            header.add("ours vs best peer");
            if (forkJoin != null) {
                header.add("ours vs FJP");
            }
        }
        List<List<String>> lines = new ArrayList<>();
        lines.add(header);
        for (Row row : rows) {
            List<String> line = new ArrayList<>(List.of(row.label, row.unit));
            for (String column : ordered) {
                Double value = row.values.get(column);
                line.add(value == null ? "–" : format(value));
            }
            if (ours != null) {
                line.add(ratio(row, ours, bestPeer(row, ours), true));
                if (forkJoin != null) {
                    line.add(ratio(row, ours, forkJoin, false));
                }
            }
            lines.add(line);
        }
        appendMarkdown(out, lines);
    }

    /** The column whose id is {@code id}, ignoring case (peers spell this runtime "asyncRuntime"). */
    private static String find(List<String> columns, String id) {
        for (String column : columns) {
            if (column.equalsIgnoreCase(id)) {
                return column;
            }
        }
        return null;
    }

    private static String bestPeer(Row row, String ours) {
        String best = null;
        for (Map.Entry<String, Double> entry : row.values.entrySet()) {
            if (entry.getKey().equals(ours) || !Double.isFinite(entry.getValue())) {
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
    private static String ratio(Row row, String oursColumn, String peer, boolean namePeer) {
        Double ours = row.values.get(oursColumn);
        Double theirs = peer == null ? null : row.values.get(peer);
        if (ours == null || theirs == null || ours <= 0 || theirs <= 0) {
            return "–";
        }
        double times = row.higherIsBetter ? ours / theirs : theirs / ours;
        String text = String.format(Locale.ROOT, "%.2f×", times);
        return namePeer ? text + " (" + displayName(peer) + ")" : text;
    }

    private static List<String> orderedColumns(Set<String> columns) {
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
            seen.computeIfAbsent((String) entry.get("benchmark"), k -> new LinkedHashSet<>())
                    .add(describe(params));
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        seen.forEach((benchmark, combinations) -> counts.put(benchmark, combinations.size()));
        return counts;
    }

    private static String describe(Map<String, Object> params) {
        StringBuilder out = new StringBuilder();
        params.forEach((key, value) -> {
            if (!COLUMN_PARAMS.contains(key)) {
                out.append(out.length() == 0 ? "" : " ").append(key).append('=').append(value);
            }
        });
        return out.toString();
    }

    /** "io.asyncruntime.benchmarks.time.TimerChurnBenchmark.churn" → "TimerChurnBenchmark". */
    static String className(String benchmark) {
        String owner = benchmark.substring(0, Math.max(0, benchmark.lastIndexOf('.')));
        return owner.substring(owner.lastIndexOf('.') + 1);
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
