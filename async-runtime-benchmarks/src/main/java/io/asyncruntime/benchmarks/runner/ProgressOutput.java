package io.asyncruntime.benchmarks.runner;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

/** Sends JMH's full output to a log and one line per finished benchmark to the console. */
final class ProgressOutput implements OutputFormat {

    private final OutputFormat log;
    private final PrintStream console;
    private int started;

    ProgressOutput(OutputFormat log, PrintStream console) {
        this.log = log;
        this.console = console;
    }

    @Override
    public void startBenchmark(BenchmarkParams params) {
        started++;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  [%d] %s", started,
                ResultTable.shortName(params.getBenchmark())));
        for (String key : params.getParamsKeys()) {
            if (key.equals(ResultTable.IMPL_PARAM) || key.equals(ResultTable.PEER_PARAM)) {
                line.append(' ').append(params.getParam(key));
            }
        }
        console.print(line);
        console.flush();
        log.startBenchmark(params);
    }

    @Override
    public void endBenchmark(BenchmarkResult result) {
        if (result == null) {
            console.println(": FAILED (see the log)");
        } else {
            Result primary = result.getPrimaryResult();
            String shown = String.format(Locale.ROOT, "%.4g %s", primary.getScore(), primary.getScoreUnit());
            for (Result secondary : result.getSecondaryResults().values()) {
                if (!secondary.getLabel().contains(".") && !secondary.getLabel().endsWith(ResultTable.LATENCY_SUFFIX)) {
                    shown = String.format(Locale.ROOT, "%.3g M %s/s", secondary.getScore() / 1e6, secondary.getLabel());
                    break;
                }
            }
            console.println(": " + shown);
        }
        log.endBenchmark(result);
    }

    @Override
    public void iteration(BenchmarkParams benchParams, IterationParams params, int iteration) {
        log.iteration(benchParams, params, iteration);
    }

    @Override
    public void iterationResult(BenchmarkParams benchParams, IterationParams params, int iteration, IterationResult data) {
        log.iterationResult(benchParams, params, iteration, data);
    }

    @Override
    public void startRun() {
        log.startRun();
    }

    @Override
    public void endRun(Collection<RunResult> result) {
        log.endRun(result);
    }

    @Override
    public void print(String s) {
        log.print(s);
    }

    @Override
    public void println(String s) {
        log.println(s);
    }

    @Override
    public void flush() {
        log.flush();
    }

    @Override
    public void close() {
        log.close();
    }

    @Override
    public void verbosePrintln(String s) {
        log.verbosePrintln(s);
    }

    @Override
    public void write(int b) {
        log.write(b);
    }

    @Override
    public void write(byte[] b) throws IOException {
        log.write(b);
    }
}
