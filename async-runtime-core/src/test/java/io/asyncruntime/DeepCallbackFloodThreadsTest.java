package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test (issue 15), found by review 15c of F2 (060d281): past {@code CompletionCascade.MAX_USER_FRAMES} every stage callback
 * is handed to {@code CallbackHandOff}, a cached pool with no bound on its threads and a
 * {@code SynchronousQueue}: a callback finds an idle thread only if one is already parked in
 * {@code poll}, otherwise a new thread is started. So a callback at depth 8 that aborts many idle
 * handles, each with a slow callback (20 ms, blocking on nothing the delivery causes), starts a
 * new thread whenever no earlier one has finished yet (measured on the 2-core box, JDK 17: 97 and
 * 110 threads for 500 such callbacks; 17 threads for 2,000 trivial ones), where the same code at
 * depth 1 runs every callback on the aborting thread, one after the other, as
 * {@code CompletableFuture} runs the dependents of one completion. Nothing bounds it: the count
 * grows with the flood times the callbacks' duration (up to "unable to create native thread",
 * which then hits any other thread start in the JVM). The threads linger for the keep-alive (10 s).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeepCallbackFloodThreadsTest {

    private static final int FLOOD = 500;
    private static final long SLOW_CALLBACK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * Generous: the same callbacks at depth 1 run on the one aborting thread (500 x 20 ms = 10 s,
     * serial, as CompletableFuture runs dependents); a hand-off that keeps them serial would use
     * one thread. Allow a few for timing.
     */
    private static final int MAX_THREADS_FOR_ONE_DELIVERY = 8;

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1)
            .shutdownTimeout(Duration.ofMillis(100)).build();

    @AfterEach
    void close() {
        runtime.close();
    }


    @Test
    void aFloodOfSlowCallbacksPastTheDepthBoundRunsOnOneHandOffThreadNotOneEach() throws Exception {
        int links = 8; // callback i runs in fresh frame i + 1: the last one at MAX_USER_FRAMES
        List<JoinHandle<Void>> chain = IdleTasks.spawnNever(runtime, links);
        List<JoinHandle<Void>> flood = IdleTasks.spawnNever(runtime, FLOOD);
        IdleTasks.awaitIdle(Duration.ofSeconds(20), chain);
        IdleTasks.awaitIdle(Duration.ofSeconds(20), flood);

        Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
        CountDownLatch allRan = new CountDownLatch(FLOOD);
        for (JoinHandle<Void> h : flood) {
            h.whenComplete((v, e) -> {
                ranOn.add(Thread.currentThread());
                // A slow but bounded callback (a blocking log appender, a metrics push): it
                // neither waits for anything the delivery causes nor for another callback.
                LockSupport.parkNanos(SLOW_CALLBACK_NANOS);
                allRan.countDown();
            });
        }
        IdleTasks.abortNextOnCompletion(chain);
        chain.get(links - 1).whenComplete((v, e) -> flood.forEach(JoinHandle::abort));

        chain.get(0).abort();

        assertThat(allRan.await(30, TimeUnit.SECONDS)).as("every flood callback ran").isTrue();
        long handOffThreads = ranOn.stream().filter(t -> t.getName().startsWith("async-runtime-stage-callback-")).count();
        assertThat(ranOn.size())
                .as("threads that ran %d slow callbacks of one delivery (%d of them hand-off threads)", FLOOD, handOffThreads)
                .isLessThanOrEqualTo(MAX_THREADS_FOR_ONE_DELIVERY);
    }
}
