package io.asyncruntime.benchmarks.runner;

import io.asyncruntime.benchmarks.Implementation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns {@link Sample}s (per-fork values) into the tables the project quotes: one section per
 * benchmark class, a speed table and a memory table each, a row per workload, a column per
 * implementation, and how this runtime compares.
 *
 * <ul>
 *   <li>A cell is the median of its samples (one per sweep), with "± x %" = half their range
 *       as a share of the median when there are several.</li>
 *   <li>A ratio is "times better" (ours ÷ peer for rates, peer ÷ ours for times and bytes: above
 *       1.00× this runtime is ahead), taken per sweep between the two cells of that sweep; the
 *       table shows the median of those ratios and, with several sweeps, their lowest and highest.
 *       Interleaved sweeps make such a ratio robust to a process that drew a slow core.</li>
 *   <li>Ratio columns, when the section has this runtime (column id {@code asyncruntime}, any
 *       case): against ForkJoinPool in its better mode for the row (the async or LIFO column with
 *       the better median), against Kotlin, and against the best peer. A peer that runs the row's
 *       workload on one thread while the others use every worker (Netty with children kept on one
 *       loop) is marked ¹ and is never the best peer.</li>
 * </ul>
 */
public final class ResultTable {

    private static final String OURS = Implementation.ASYNC_RUNTIME.id;
    private static final String FLOOR_MARK = " ¹";

    /** One table row: a metric of one workload, its samples per implementation. */
    private static final class Row {
        final String label;
        final String variant;
        final String unit;
        final boolean higherIsBetter;
        final Map<String, List<Sample>> cells = new LinkedHashMap<>();
        String shownLabel;

        Row(Sample first) {
            this.label = first.row();
            this.variant = first.variant();
            this.unit = first.unit();
            this.higherIsBetter = first.higherIsBetter();
        }

        /** The workload a row belongs to: "ping_pong, allocated" → "ping_pong". */
        String workload() {
            return label.split("[ ,]", 2)[0];
        }

        double median(String column) {
            List<Sample> samples = cells.get(column);
            if (samples == null) {
                return Double.NaN;
            }
            double[] values = new double[samples.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = samples.get(i).value();
            }
            return Samples.median(values);
        }

        boolean better(double a, double b) {
            return Double.isNaN(b) || (higherIsBetter ? a > b : a < b);
        }
    }

    /** The rows of one benchmark class and the columns they use. */
    private static final class Section {
        final Map<String, Row> speedRows = new LinkedHashMap<>();
        final Map<String, Row> memoryRows = new LinkedHashMap<>();
        final Set<String> columns = new LinkedHashSet<>();
    }

    private final Map<String, Section> sections = new TreeMap<>(
            Comparator.comparing((String name) -> !name.equals(Samples.SCHEDULER_SECTION)).thenComparing(name -> name));

    /** Adds samples. */
    public ResultTable add(Collection<Sample> samples) {
        for (Sample sample : samples) {
            Section section = sections.computeIfAbsent(sample.section(), name -> new Section());
            section.columns.add(sample.column());
            Map<String, Row> rows = sample.memory() ? section.memoryRows : section.speedRows;
            String key = sample.row() + '\u0000' + sample.variant() + '\u0000' + sample.unit();
            rows.computeIfAbsent(key, k -> new Row(sample)).cells
                    .computeIfAbsent(sample.column(), c -> new ArrayList<>()).add(sample);
        }
        return this;
    }

    /** Each section's speed table, then its memory table, as Markdown; the scheduler workloads first, untitled. */
    public String render() {
        StringBuilder out = new StringBuilder();
        boolean severalSweeps = false;
        for (Map.Entry<String, Section> entry : sections.entrySet()) {
            Section section = entry.getValue();
            boolean scheduler = entry.getKey().equals(Samples.SCHEDULER_SECTION);
            List<String> columns = orderedColumns(section.columns);
            if (out.length() > 0) {
                out.append('\n');
            }
            if (!scheduler) {
                out.append("**").append(entry.getKey()).append("**\n\n");
            }
            boolean floors = false;
            if (!section.speedRows.isEmpty()) {
                floors |= renderTable(out, scheduler ? "workload" : "benchmark", section.speedRows.values(), columns, scheduler);
            }
            if (!section.memoryRows.isEmpty()) {
                if (!section.speedRows.isEmpty()) {
                    out.append('\n');
                }
                floors |= renderTable(out, "memory", section.memoryRows.values(), columns, scheduler);
            }
            if (floors) {
                out.append("\n¹ every child stays on its parent's loop, so this workload runs on one thread:"
                        + " a floor on overhead without stealing, never counted as the best peer.\n");
            }
            for (Map<String, Row> rows : List.of(section.speedRows, section.memoryRows)) {
                for (Row row : rows.values()) {
                    for (List<Sample> samples : row.cells.values()) {
                        severalSweeps |= samples.size() > 1;
                    }
                }
            }
        }
        if (severalSweeps) {
            out.append("\nCells: median over the sweeps (one fork each) ± half their range, as a share of the median."
                    + " Ratios: median of the per-sweep ratios (lowest–highest); above 1.00× this runtime is ahead.\n");
        }
        return out.toString();
    }

    /** Renders one table; returns whether it marked a floor. */
    private boolean renderTable(StringBuilder out, String firstHeader, Collection<Row> unsorted, List<String> columns,
                                boolean scheduler) {
        List<Row> rows = new ArrayList<>(unsorted);
        rows.sort(Comparator.comparingInt((Row row) -> scheduler ? workloadOrder(row) : 0).thenComparing(row -> row.label)
                .thenComparing(row -> row.variant));
        Map<String, Integer> variantsPerLabel = new LinkedHashMap<>();
        for (Row row : rows) {
            variantsPerLabel.merge(row.label, 1, Integer::sum);
        }
        for (Row row : rows) {
            row.shownLabel = variantsPerLabel.get(row.label) > 1 && !row.variant.isEmpty() ? row.label + " " + row.variant : row.label;
        }
        String ours = find(columns, OURS);
        List<String> forkJoin = new ArrayList<>();
        for (Implementation mode : List.of(Implementation.FORK_JOIN, Implementation.FORK_JOIN_LIFO)) {
            String column = find(columns, mode.id);
            if (column != null) {
                forkJoin.add(column);
            }
        }
        String kotlin = find(columns, Implementation.KOTLIN.id);

        List<String> header = new ArrayList<>(List.of(firstHeader, "unit"));
        for (String column : columns) {
            header.add(displayName(column));
        }
        if (ours != null) {
            if (!forkJoin.isEmpty()) {
                header.add(forkJoin.size() > 1 ? "ours vs FJP, better mode" : "ours vs FJP");
            }
            if (kotlin != null) {
                header.add("ours vs Kotlin");
            }
            header.add("ours vs best peer");
        }
        boolean markedFloor = false;
        List<List<String>> lines = new ArrayList<>();
        lines.add(header);
        for (Row row : rows) {
            List<String> line = new ArrayList<>(List.of(row.shownLabel, row.unit));
            for (String column : columns) {
                boolean floor = isFloor(row, column);
                markedFloor |= floor && row.cells.containsKey(column);
                line.add(cell(row, column) + (floor && row.cells.containsKey(column) ? FLOOR_MARK : ""));
            }
            if (ours != null) {
                if (!forkJoin.isEmpty()) {
                    String better = best(row, forkJoin, ours);
                    String mode = forkJoin.size() > 1 && better != null
                            ? (better.equals(find(columns, Implementation.FORK_JOIN_LIFO.id)) ? " LIFO" : " async") : "";
                    line.add(better == null ? "–" : ratio(row, ours, better) + mode);
                }
                if (kotlin != null) {
                    line.add(ratio(row, ours, kotlin));
                }
                List<String> peers = new ArrayList<>();
                for (String column : columns) {
                    if (!column.equals(ours) && !isFloor(row, column)) {
                        peers.add(column);
                    }
                }
                String best = best(row, peers, ours);
                line.add(best == null ? "–" : ratio(row, ours, best) + " (" + displayName(best) + ")");
            }
            lines.add(line);
        }
        appendMarkdown(out, lines);
        return markedFloor;
    }

    private static int workloadOrder(Row row) {
        int index = BenchMain.WORKLOADS.indexOf(row.workload());
        return index < 0 ? BenchMain.WORKLOADS.size() : index;
    }

    private static boolean isFloor(Row row, String column) {
        Implementation implementation = Implementation.find(column);
        return implementation != null && implementation.isSingleThreadedFloor(row.workload());
    }

    /** Of {@code candidates}, the column with the best median in this row (not ours), or null. */
    private static String best(Row row, List<String> candidates, String ours) {
        String best = null;
        double bestValue = Double.NaN;
        for (String column : candidates) {
            double value = row.median(column);
            if (column.equals(ours) || !Double.isFinite(value) || value <= 0) {
                continue;
            }
            if (best == null || row.better(value, bestValue)) {
                best = column;
                bestValue = value;
            }
        }
        return best;
    }

    /** "12.3 ±8%": the median and half the range as a share of it. */
    private static String cell(Row row, String column) {
        List<Sample> samples = row.cells.get(column);
        if (samples == null) {
            return "–";
        }
        double median = row.median(column);
        String text = format(median);
        if (samples.size() > 1 && median != 0) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (Sample sample : samples) {
                min = Math.min(min, sample.value());
                max = Math.max(max, sample.value());
            }
            text += String.format(Locale.ROOT, " ±%.0f%%", 100 * (max - min) / 2 / Math.abs(median));
        }
        return text;
    }

    /**
     * "0.85× (0.71–1.02)": the median of the per-sweep ratios of ours to {@code peer}, and their
     * range. Samples are paired by sweep; a sample measured once (a footprint, sweep 0) pairs with
     * the other's sweep-0 sample.
     */
    static String ratio(Row row, String oursColumn, String peer) {
        Map<Integer, Double> ours = bySweep(row.cells.get(oursColumn));
        Map<Integer, Double> theirs = bySweep(row.cells.get(peer));
        List<Double> ratios = new ArrayList<>();
        for (Map.Entry<Integer, Double> entry : ours.entrySet()) {
            Double other = theirs.get(entry.getKey());
            if (other != null && entry.getValue() > 0 && other > 0) {
                ratios.add(row.higherIsBetter ? entry.getValue() / other : other / entry.getValue());
            }
        }
        if (ratios.isEmpty()) {
            return "–";
        }
        double[] values = ratios.stream().mapToDouble(Double::doubleValue).toArray();
        String text = String.format(Locale.ROOT, "%.2f×", Samples.median(values));
        if (values.length > 1) {
            double min = ratios.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            double max = ratios.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            text += String.format(Locale.ROOT, " (%.2f–%.2f)", min, max);
        }
        return text;
    }

    private static Map<Integer, Double> bySweep(List<Sample> samples) {
        Map<Integer, Double> bySweep = new TreeMap<>();
        if (samples != null) {
            for (Sample sample : samples) {
                bySweep.put(sample.sweep(), sample.value());
            }
        }
        return bySweep;
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

    private static List<String> orderedColumns(Set<String> columns) {
        List<String> ordered = new ArrayList<>();
        for (Implementation implementation : Implementation.values()) {
            String column = find(new ArrayList<>(columns), implementation.id);
            if (column != null) {
                ordered.add(column);
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
        Implementation implementation = Implementation.find(column);
        return implementation != null && implementation.id.equals(column) ? implementation.displayName : column;
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
}
