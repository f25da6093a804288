package io.asyncruntime.sample.fanout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.sample.fanout.FanOutResult.DownstreamReply;
import io.asyncruntime.sync.RateLimiter;
import io.asyncruntime.sync.Semaphore;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.TaskTimeoutException;
import io.asyncruntime.time.Time;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A request that fans out to three downstream services the way services do, on the injected
 * runtime, behind the usual stack of protections, outermost first:
 * <ol>
 * <li>a {@link RateLimiter} at the entry: over the rate, {@code 429 Too Many Requests} at once;</li>
 * <li>a {@link Semaphore} bulkhead: with {@code maxConcurrent} requests in flight, {@code 503};</li>
 * <li>the three calls at once with {@link Task#all} under one overall {@link Time#timeout}: if
 * they do not all answer in time, the stragglers are cancelled and the answer is
 * {@code 504 Gateway Timeout};</li>
 * <li>a CPU-heavy step (a digest over the replies) on the blocking pool with
 * {@link AsyncRuntime#spawnBlocking}, so it never holds a worker that I/O and timers need.</li>
 * </ol>
 * The downstream calls are simulated by timers on the runtime's wheel ({@link Time#sleep}): no
 * thread waits for them. The handler returns a {@link CompletionStage}, so the servlet thread is
 * released at once.
 */
@RestController
@EnableConfigurationProperties(FanOutProperties.class)
class FanOutController {

    static final List<String> SERVICES = List.of("inventory", "pricing", "reviews");
    /** Digest rounds of the CPU-heavy step: a few milliseconds of work, enough to matter on a worker. */
    static final int DIGEST_ROUNDS = 20_000;
    static final long MAX_LATENCY_MILLIS = 10_000;

    private final AsyncRuntime runtime;
    private final RateLimiter rateLimiter;
    private final Semaphore bulkhead;
    private final Duration maxTimeout;

    FanOutController(AsyncRuntime runtime, FanOutProperties properties) {
        this.runtime = runtime;
        this.rateLimiter = new RateLimiter(properties.getRatePermits(), properties.getRatePeriod());
        this.bulkhead = new Semaphore(properties.getMaxConcurrent());
        this.maxTimeout = properties.getMaxTimeout();
    }

    /**
     * Calls the three services; service {@code i} (0, 1, 2) takes {@code latency + 10·i} ms.
     * Everything must be back within {@code timeout} ms.
     */
    @GetMapping("/fanout")
    CompletionStage<ResponseEntity<?>> fanOut(@RequestParam(defaultValue = "20") long latency,
            @RequestParam(defaultValue = "1000") long timeout) {
        if (latency < 0 || latency > MAX_LATENCY_MILLIS) {
            return done(problem(HttpStatus.BAD_REQUEST, "latency must be between 0 and " + MAX_LATENCY_MILLIS
                    + " ms, got " + latency));
        }
        if (timeout < 1 || timeout > maxTimeout.toMillis()) {
            return done(problem(HttpStatus.BAD_REQUEST, "timeout must be between 1 and " + maxTimeout.toMillis()
                    + " ms, got " + timeout));
        }
        if (!rateLimiter.tryAcquire()) {
            return done(problem(HttpStatus.TOO_MANY_REQUESTS, "rate limit exceeded: try again later"));
        }
        Optional<Semaphore.Permit> permit = bulkhead.tryAcquire();
        if (permit.isEmpty()) {
            return done(problem(HttpStatus.SERVICE_UNAVAILABLE, "too many requests in flight: try again later"));
        }
        long start = System.nanoTime();
        List<Task<DownstreamReply>> calls = SERVICES.stream()
            .map(service -> call(service, latency + 10L * SERVICES.indexOf(service)))
            .toList();
        Task<ResponseEntity<?>> response = Time.timeout(Duration.ofMillis(timeout), Task.all(calls))
            .flatMap(replies -> runtime.spawnBlocking(() -> digest(replies, start)))
            .<ResponseEntity<?>>map(ResponseEntity::ok)
            .recover(FanOutController::failure)
            .map(answer -> {
                permit.get().close();
                return answer;
            });
        try {
            return runtime.spawn(response);
        } catch (RuntimeException shuttingDown) {
            permit.get().close();
            throw shuttingDown;
        }
    }

    /** A simulated downstream call: its answer comes after {@code latencyMillis}, on a timer. */
    private static Task<DownstreamReply> call(String service, long latencyMillis) {
        return Time.sleep(Duration.ofMillis(latencyMillis)).map(v -> new DownstreamReply(service, latencyMillis));
    }

    private static FanOutResult digest(List<DownstreamReply> replies, long start) throws NoSuchAlgorithmException {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] hash = replies.toString().getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < DIGEST_ROUNDS; i++) {
            hash = sha256.digest(hash);
        }
        return new FanOutResult(replies, HexFormat.of().formatHex(hash), Thread.currentThread().getName(),
                Duration.ofNanos(System.nanoTime() - start).toMillis());
    }

    private static ResponseEntity<?> failure(Throwable failure) {
        if (failure instanceof TaskTimeoutException) {
            return problem(HttpStatus.GATEWAY_TIMEOUT, "the downstream services did not all answer in time: "
                    + failure.getMessage());
        }
        return problem(HttpStatus.BAD_GATEWAY, "a downstream call failed: " + failure);
    }

    private static ResponseEntity<?> problem(HttpStatus status, String detail) {
        return ResponseEntity.status(status).body(ProblemDetail.forStatusAndDetail(status, detail));
    }

    private static CompletionStage<ResponseEntity<?>> done(ResponseEntity<?> answer) {
        return CompletableFuture.completedFuture(answer);
    }

}
