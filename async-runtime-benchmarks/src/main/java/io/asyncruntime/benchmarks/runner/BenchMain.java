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
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
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
 * What {@code bench.sh} runs, then one table.
 *
 * <pre>
 * BenchMain [smoke|quick|fair|full] [--impls=a,b] [--sweeps=N] [--seed=S] [--results=DIR] [selector…]
 * BenchMain --table=DIR          re-render the table of an earlier run
 * </pre>
 *
 * <ul>
 *   <li>The Tokio workloads run in <em>sweeps</em>: every (workload, implementation) cell once, each
 *       in a fresh JMH fork, in an order shuffled anew per sweep (seeded: {@code --seed}); the
 *       profile (or {@code --sweeps}, alias {@code --forks}) says how many sweeps. So each cell gets
 *       one fork per sweep, the implementations are interleaved in time, and every ratio is taken
 *       between two forks of the same sweep.</li>
 *   <li>Any other selected benchmark runs in one JMH run with its own parameter values (plus
 *       {@code -p impl=…} only when {@code --impls} is given), with as many forks as sweeps.</li>
 *   <li>The idle-task footprint (both kinds) runs in a fresh JVM per implementation.</li>
 * </ul>
 * JMH's own result objects become {@link Sample}s (per fork), stored in {@code samples.json}; the
 * JMH JSON of each sweep is kept beside them. A selector is a workload ({@code spawn_many_local},
 * {@code spawn_many_remote}, {@code yield_many}, {@code ping_pong}, {@code chained_spawn}),
 * {@code idle_footprint}, {@code all} (every JMH benchmark in the module plus the footprint), or
 * anything else, taken as a JMH include regex. No selector: the five Tokio workloads and the
 * footprint.
 */
public final class BenchMain {

    static final List<String> WORKLOADS =
            List.of("spawn_many_local", "spawn_many_remote", "yield_many", "ping_pong", "chained_spawn");
    static final String FOOTPRINT = "idle_footprint";
    static final String SAMPLES = "samples.json";
    private static final String OTHER_JMH_JSON = "jmh-result-other.json";
    private static final String SCHEDULER_BENCHMARKS = "\\.SchedulerBenchmarks\\.";
    private static final String TABLE = "table.md";
    /** The footprint JVM: a fixed heap large enough for a million parked virtual threads (~0.6 GB). */
    private static final List<String> FOOTPRINT_JVM_ARGS = List.of("-XX:+UseG1GC", "-Xms4g", "-Xmx4g",
            "-Dkotlinx.coroutines.scheduler.core.pool.size=" + Implementation.WORKER_THREADS,
            "-Djdk.virtualThreadScheduler.parallelism=" + Implementation.WORKER_THREADS);
    private static final long FOOTPRINT_TIMEOUT_MINUTES = 5;
    private static final long JMH_LOCK_POLL_MILLIS = 2_000;

    private final Profile profile;
    private final int sweeps;
    private final long seed;
    private final Path results;
    private final List<Sample> samples = new ArrayList<>();
    private ProgressOutput output;

    private BenchMain(Profile profile, int sweeps, long seed, Path results) {
        this.profile = profile;
        this.sweeps = sweeps;
        this.seed = seed;
        this.results = results;
    }

    public static void main(String[] args) throws Exception {
        Profile profile = Profile.QUICK;
        List<Implementation> implementations = Implementation.available();
        boolean implementationsGiven = false;
        Path results = null;
        Integer sweeps = null;
        long seed = System.nanoTime() % 1_000_000;
        List<String> selectors = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--impls=")) {
                implementationsGiven = true;
                implementations = new ArrayList<>();
                for (String id : arg.substring("--impls=".length()).split(",")) {
                    implementations.add(Implementation.byId(id.trim()));
                }
            } else if (arg.startsWith("--sweeps=") || arg.startsWith("--forks=")) {
                sweeps = Integer.parseInt(arg.substring(arg.indexOf('=') + 1));
                if (sweeps < 1) {
                    throw new IllegalArgumentException("--sweeps must be >= 1, was " + sweeps);
                }
            } else if (arg.startsWith("--seed=")) {
                seed = Long.parseLong(arg.substring("--seed=".length()));
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

        List<String> workloads = new ArrayList<>();
        List<String> otherIncludes = new ArrayList<>();
        boolean footprint = selectors.isEmpty();
        for (String selector : selectors.isEmpty() ? WORKLOADS : selectors) {
            if (selector.equals(FOOTPRINT) || selector.equals("memory")) {
                footprint = true;
            } else if (selector.equals("all")) {
                workloads.addAll(WORKLOADS);
                otherIncludes.add(".*");
                footprint = true;
            } else if (WORKLOADS.contains(selector)) {
                workloads.add(selector);
            } else if (selector.contains("SchedulerBenchmarks")) {
                workloads.addAll(WORKLOADS);
            } else {
                otherIncludes.add(selector);
            }
        }

        workloads = new ArrayList<>(new java.util.LinkedHashSet<>(workloads));
        BenchMain main = new BenchMain(profile, sweeps == null ? profile.sweeps : sweeps, seed, results);
        String header = main.header(implementations);
        System.out.println(header);
        Path log = results.resolve("jmh.log");
        try (PrintStream logStream = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            main.output = new ProgressOutput(OutputFormatFactory.createFormatInstance(logStream, VerboseMode.NORMAL), System.out);
            System.out.println("JMH (log: " + log + "):");
            if (!workloads.isEmpty()) {
                main.runSweeps(workloads, implementations);
            }
            if (!otherIncludes.isEmpty()) {
                main.runOthers(otherIncludes, implementationsGiven ? implementations : null);
            }
        }
        if (footprint) {
            main.runFootprints(implementations);
        }
        String table = header + "\n" + render(results);
        Files.writeString(results.resolve(TABLE), table);
        System.out.println();
        System.out.print(table);
        System.out.println("\n(samples, JMH JSON and log, and this table: " + results + ")");
    }

    private static boolean isProfile(String arg) {
        for (Profile profile : Profile.values()) {
            if (profile.name().equalsIgnoreCase(arg)) {
                return true;
            }
        }
        return false;
    }

    /** Every supported (workload, implementation) cell once per sweep, in a new random order each sweep. */
    private void runSweeps(List<String> workloads, List<Implementation> implementations)
            throws IOException, RunnerException {
        List<String[]> cells = new ArrayList<>();
        for (String workload : workloads) {
            for (Implementation implementation : implementations) {
                if (implementation.supports(workload)) {
                    cells.add(new String[] {workload, implementation.id});
                }
            }
        }
        Random random = new Random(seed);
        for (int sweep = 1; sweep <= sweeps; sweep++) {
            Collections.shuffle(cells, random);
            List<RunResult> runs = new ArrayList<>();
            int done = 0;
            for (String[] cell : cells) {
                done++;
                output.prefix(String.format(Locale.ROOT, "sweep %d/%d, %d/%d: ", sweep, sweeps, done, cells.size()));
                ChainedOptionsBuilder options = options(1)
                        .include(SCHEDULER_BENCHMARKS + cell[0] + "$")
                        .param(Samples.IMPL_PARAM, cell[1]);
                for (RunResult run : runJmh(options, cell[0] + " on " + cell[1])) {
                    runs.add(run);
                    samples.addAll(Samples.fromRun(run, sweep));
                }
                Samples.write(results.resolve(SAMPLES), samples); // a run cut short keeps what it measured
            }
            ResultFormatFactory.getInstance(ResultFormatType.JSON, results.resolve("jmh-sweep-" + sweep + ".json").toString())
                    .writeOut(runs);
        }
        output.prefix("");
    }

    /** Any other benchmark: one JMH run, as many forks as sweeps, each benchmark's own parameters. */
    private void runOthers(List<String> includes, List<Implementation> implementations)
            throws IOException, RunnerException {
        ChainedOptionsBuilder options = options(sweeps);
        if (implementations != null) {
            options.param(Samples.IMPL_PARAM, ids(implementations));
        }
        includes.forEach(options::include);
        options.exclude(SCHEDULER_BENCHMARKS);
        Collection<RunResult> runs = runJmh(options, String.valueOf(includes) + " except the scheduler workloads");
        for (RunResult run : runs) {
            samples.addAll(Samples.fromRun(run, 0));
        }
        Samples.write(results.resolve(SAMPLES), samples);
        ResultFormatFactory.getInstance(ResultFormatType.JSON, results.resolve(OTHER_JMH_JSON).toString()).writeOut(runs);
    }

    private ChainedOptionsBuilder options(int forks) {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .forks(forks)
                .warmupIterations(profile.warmupIterations)
                .warmupTime(TimeValue.milliseconds(profile.warmupMillis))
                .measurementIterations(profile.measurementIterations)
                .measurementTime(TimeValue.milliseconds(profile.measurementMillis))
                .addProfiler(GCProfiler.class);
        for (Map.Entry<String, String> size : profile.sizes.entrySet()) {
            options.param(size.getKey(), size.getValue());
        }
        return options;
    }

    private Collection<RunResult> runJmh(ChainedOptionsBuilder options, String what) throws IOException, RunnerException {
        awaitJmhLock();
        try {
            return new Runner(options.build(), output).run();
        } catch (NoBenchmarksException e) {
            System.out.println("  no benchmark matches " + what);
            return List.of();
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

    private void runFootprints(List<Implementation> implementations) throws IOException, InterruptedException {
        System.out.println("Idle-task footprint, " + profile.footprintTasks + " tasks, one JVM each:");
        List<IdleTaskFootprint.Result> measured = new ArrayList<>();
        for (IdleTaskFootprint.Kind kind : IdleTaskFootprint.Kind.values()) {
            for (Implementation implementation : implementations) {
                IdleTaskFootprint.Result result = runFootprint(implementation, kind);
                if (result != null) {
                    measured.add(result);
                }
            }
        }
        samples.addAll(Samples.fromFootprints(measured));
        Samples.write(results.resolve(SAMPLES), samples);
    }

    private IdleTaskFootprint.Result runFootprint(Implementation implementation, IdleTaskFootprint.Kind kind)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(FOOTPRINT_JVM_ARGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(IdleTaskFootprint.class.getName());
        command.add(implementation.id);
        command.add(Integer.toString(profile.footprintTasks));
        command.add(kind.id);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        IdleTaskFootprint.Result found = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                output.append(line).append('\n');
                IdleTaskFootprint.Result parsed = IdleTaskFootprint.Result.parse(line);
                if (parsed != null) {
                    found = parsed;
                }
            }
        }
        if (!process.waitFor(FOOTPRINT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        System.out.println("  " + (found == null ? implementation.id + " " + kind.id + ": FAILED\n" + output : found.toLine()));
        return found;
    }

    /** The table of the results in {@code dir} (its {@code samples.json}). */
    static String render(Path dir) throws IOException {
        Path file = dir.resolve(SAMPLES);
        if (!Files.exists(file)) {
            throw new IOException("no " + SAMPLES + " in " + dir);
        }
        return new ResultTable().add(Samples.read(file)).render();
    }

    private String header(List<Implementation> implementations) {
        return String.format(Locale.ROOT,
                "async-runtime benchmarks — profile %s, %d sweep(s) (one fork per cell and sweep, cells shuffled per sweep,"
                        + " seed %d), %s %s (%s), %d CPUs (%s), load average %.2f, %s%n"
                        + "implementations: %s; %d workers each; results in %s",
                profile.name().toLowerCase(Locale.ROOT), sweeps, seed, System.getProperty("java.vm.name"), Runtime.version(),
                System.getProperty("java.vendor"), Runtime.getRuntime().availableProcessors(), cpuModel(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
                implementations.isEmpty() ? "none" : String.join(", ", ids(implementations)),
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
