package io.asyncruntime.benchmarks.runner;

import io.asyncruntime.benchmarks.Implementation;
import io.asyncruntime.benchmarks.footprint.IdleTaskFootprint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * What {@code bench.sh} runs: JMH (JSON results, {@code -prof gc}) for the selected benchmarks on
 * every implementation this JVM can run, the idle-task footprint in a fresh JVM per
 * implementation, then one table.
 *
 * <pre>
 * BenchMain [smoke|quick|full] [--impls=a,b] [--forks=N] [--results=DIR] [selector…]
 * BenchMain --table=DIR          re-render the table of an earlier run
 * </pre>
 *
 * A selector is a workload ({@code spawn_many_local}, {@code spawn_many_remote}, {@code yield_many},
 * {@code ping_pong}, {@code chained_spawn}), {@code idle_footprint}, {@code all} (every JMH benchmark
 * in the module plus the footprint), or anything else, taken as a JMH include regex (a class name
 * such as {@code TimerBenchmarks}, or {@code io.asyncruntime.benchmarks.time}). No selector means
 * the five Tokio workloads and the footprint.
 */
public final class BenchMain {

    static final List<String> WORKLOADS =
            List.of("spawn_many_local", "spawn_many_remote", "yield_many", "ping_pong", "chained_spawn");
    static final String FOOTPRINT = "idle_footprint";
    private static final String JMH_JSON = "jmh-result.json";
    private static final String OTHER_JMH_JSON = "jmh-result-other.json";
    private static final String SCHEDULER_BENCHMARKS = "\\.SchedulerBenchmarks\\.";
    private static final String FOOTPRINT_LINES = "footprint.txt";
    private static final String TABLE = "table.md";
    /** The footprint JVM: a fixed heap large enough for a million parked virtual threads (~0.6 GB). */
    private static final List<String> FOOTPRINT_JVM_ARGS = List.of("-XX:+UseG1GC", "-Xms4g", "-Xmx4g",
            "-Dkotlinx.coroutines.scheduler.core.pool.size=" + Implementation.WORKER_THREADS,
            "-Djdk.virtualThreadScheduler.parallelism=" + Implementation.WORKER_THREADS);
    private static final long FOOTPRINT_TIMEOUT_MINUTES = 5;
    private static final long JMH_LOCK_POLL_MILLIS = 2_000;

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Profile profile = Profile.QUICK;
        List<Implementation> implementations = Implementation.available();
        boolean implementationsGiven = false;
        Path results = null;
        Integer forks = null;
        List<String> selectors = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--impls=")) {
                implementationsGiven = true;
                implementations = new ArrayList<>();
                for (String id : arg.substring("--impls=".length()).split(",")) {
                    implementations.add(Implementation.byId(id.trim()));
                }
            } else if (arg.startsWith("--forks=")) {
                forks = Integer.parseInt(arg.substring("--forks=".length()));
                if (forks < 1) {
                    throw new IllegalArgumentException("--forks must be >= 1, was " + forks);
                }
            } else if (arg.startsWith("--results=")) {
                results = Paths.get(arg.substring("--results=".length()));
            } else if (arg.startsWith("--table=")) {
                System.out.print(render(Paths.get(arg.substring("--table=".length()))));
                return;
            } else if (arg.startsWith("-")) {
                throw new IllegalArgumentException("unknown option " + arg + "; see the BenchMain Javadoc or bench.sh");
            } else if (selectors.isEmpty() && isProfile(arg)) {
                profile = Profile.valueOf(arg.toUpperCase(Locale.ROOT));
            } else {
                selectors.add(arg);
            }
        }
        if (results == null) {
            results = Paths.get("target", "bench", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                    + "-jdk" + Runtime.version().feature() + "-" + profile.name().toLowerCase(Locale.ROOT));
        }
        Files.createDirectories(results);

        // Two JMH runs: the Tokio workloads with -p impl=<what this JVM can run>, and any other
        // benchmark with its own parameter values (a benchmark of another package may use "impl"
        // for other ids), unless --impls was given.
        List<String> schedulerIncludes = new ArrayList<>();
        List<String> otherIncludes = new ArrayList<>();
        boolean footprint = selectors.isEmpty();
        for (String selector : selectors.isEmpty() ? WORKLOADS : selectors) {
            if (selector.equals(FOOTPRINT) || selector.equals("memory")) {
                footprint = true;
            } else if (selector.equals("all")) {
                schedulerIncludes.add(SCHEDULER_BENCHMARKS);
                otherIncludes.add(".*");
                footprint = true;
            } else if (WORKLOADS.contains(selector)) {
                schedulerIncludes.add(SCHEDULER_BENCHMARKS + selector + "$");
            } else if (selector.contains("SchedulerBenchmarks")) {
                schedulerIncludes.add(selector);
            } else {
                otherIncludes.add(selector);
            }
        }

        String header = header(profile, implementations, results);
        System.out.println(header);
        int forkCount = forks == null ? profile.forks : forks;
        if (!schedulerIncludes.isEmpty()) {
            runJmh(profile, forkCount, implementations, schedulerIncludes, List.of(), results.resolve(JMH_JSON));
        }
        if (!otherIncludes.isEmpty()) {
            runJmh(profile, forkCount, implementationsGiven ? implementations : null, otherIncludes,
                    List.of(SCHEDULER_BENCHMARKS), results.resolve(OTHER_JMH_JSON));
        }
        if (footprint) {
            runFootprints(profile, implementations, results);
        }
        String table = header + "\n" + render(results);
        Files.writeString(results.resolve(TABLE), table);
        System.out.println();
        System.out.print(table);
        System.out.println("\n(JMH JSON, log and this table: " + results + ")");
    }

    private static boolean isProfile(String arg) {
        for (Profile profile : Profile.values()) {
            if (profile.name().equalsIgnoreCase(arg)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One JMH run.
     *
     * @param implementations the values of the {@code impl} parameter, or {@code null} to keep
     *     each benchmark's own
     */
    private static void runJmh(Profile profile, int forks, List<Implementation> implementations, List<String> includes,
                               List<String> excludes, Path json) throws IOException, RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .forks(forks)
                .warmupIterations(profile.warmupIterations)
                .warmupTime(TimeValue.milliseconds(profile.warmupMillis))
                .measurementIterations(profile.measurementIterations)
                .measurementTime(TimeValue.milliseconds(profile.measurementMillis))
                .addProfiler(GCProfiler.class)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString());
        if (implementations != null) {
            options.param(ResultTable.IMPL_PARAM, ids(implementations));
        }
        includes.forEach(options::include);
        excludes.forEach(options::exclude);
        for (Map.Entry<String, String> size : profile.sizes.entrySet()) {
            options.param(size.getKey(), size.getValue());
        }
        Path log = json.resolveSibling(json.getFileName().toString().replace(".json", ".log").replace("-result", ""));
        awaitJmhLock();
        System.out.println("JMH (log: " + log + "):");
        try (PrintStream logStream = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            ProgressOutput output = new ProgressOutput(
                    OutputFormatFactory.createFormatInstance(logStream, VerboseMode.NORMAL), System.out);
            new Runner(options.build(), output).run();
        } catch (NoBenchmarksException e) {
            System.out.println("  no benchmark matches " + includes + (excludes.isEmpty() ? "" : " except " + excludes));
        }
    }

    /**
     * JMH refuses to start while another JMH run on this machine holds its lock file. On a shared
     * machine that is someone else's benchmark: wait for it (two benchmark runs at once would
     * spoil both) instead of failing. A run that starts between this check and JMH's own still
     * fails, with JMH's message.
     */
    private static void awaitJmhLock() throws IOException {
        Path lock = Paths.get(System.getProperty("java.io.tmpdir"), "jmh.lock");
        boolean told = false;
        while (true) {
            try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock held = channel.tryLock()) {
                if (held != null) {
                    return;
                }
            }
            if (!told) {
                System.out.println("Another JMH run holds " + lock + "; waiting for it to finish…");
                told = true;
            }
            try {
                Thread.sleep(JMH_LOCK_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + lock, e);
            }
        }
    }

    private static String[] ids(List<Implementation> implementations) {
        String[] ids = new String[implementations.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = implementations.get(i).id;
        }
        return ids;
    }

    private static void runFootprints(Profile profile, List<Implementation> implementations, Path results)
            throws IOException, InterruptedException {
        System.out.println("Idle-task footprint, " + profile.footprintTasks + " tasks, one JVM each:");
        List<String> lines = new ArrayList<>();
        for (Implementation implementation : implementations) {
            List<String> command = new ArrayList<>();
            command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(FOOTPRINT_JVM_ARGS);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(IdleTaskFootprint.class.getName());
            command.add(implementation.id);
            command.add(Integer.toString(profile.footprintTasks));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String found = null;
            StringBuilder output = new StringBuilder();
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    output.append(line).append('\n');
                    if (IdleTaskFootprint.Result.parse(line) != null) {
                        found = line;
                    }
                }
            }
            if (!process.waitFor(FOOTPRINT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
            if (found == null) {
                System.out.println("  " + implementation.id + ": FAILED\n" + output);
            } else {
                System.out.println("  " + found);
                lines.add(found);
            }
        }
        Files.write(results.resolve(FOOTPRINT_LINES), lines);
    }

    /** The table of the results in {@code dir} (JMH JSON and footprint lines, whichever exist). */
    static String render(Path dir) throws IOException {
        ResultTable table = new ResultTable();
        for (String name : List.of(JMH_JSON, OTHER_JMH_JSON)) {
            Path json = dir.resolve(name);
            if (Files.exists(json) && Files.size(json) > 0) {
                table.addJmhJson(Files.readString(json));
            }
        }
        Path footprints = dir.resolve(FOOTPRINT_LINES);
        if (Files.exists(footprints)) {
            List<IdleTaskFootprint.Result> parsed = new ArrayList<>();
            try (Stream<String> lines = Files.lines(footprints)) {
                lines.map(IdleTaskFootprint.Result::parse).filter(r -> r != null).forEach(parsed::add);
            }
            table.addFootprints(parsed);
        }
        return table.render();
    }

    private static String header(Profile profile, List<Implementation> implementations, Path results) {
        return String.format(Locale.ROOT,
                "async-runtime benchmarks — profile %s, %s %s (%s), %d CPUs (%s), load average %.2f, %s%n"
                        + "implementations: %s; %d workers each; results in %s",
                profile.name().toLowerCase(Locale.ROOT), System.getProperty("java.vm.name"), Runtime.version(),
                System.getProperty("java.vendor"), Runtime.getRuntime().availableProcessors(), cpuModel(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
                ids(implementations).length == 0 ? "none" : String.join(", ", ids(implementations)),
                Implementation.WORKER_THREADS, results);
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Paths.get("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        } catch (IOException | RuntimeException e) {
            return "unknown CPU";
        }
    }
}
