package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test (issue 15), found by review 15c of F2 (060d281): a non-async stage callback of a handle completed on a worker runs on
 * that worker ({@code StageForwarding}'s Javadoc: "the thread that completes the task, i.e. a
 * worker, or the caller if the task is already done"), where {@link AsyncRuntime#current()},
 * timers and I/O are bound. Nested past {@code CompletionCascade.MAX_USER_FRAMES} it now runs on a
 * JVM-wide {@code async-runtime-stage-callback-N} thread bound to no runtime: the same callback
 * that works at depth 1..8 throws {@code IllegalStateException} from {@code AsyncRuntime.current()}
 * at depth 9 (and the exception vanishes into the dependent stage).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeepCallbackLosesRuntimeTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1)
            .shutdownTimeout(Duration.ofMillis(100)).build();

    @AfterEach
    void close() {
        runtime.close();
    }


    @Test
    void everyCallbackOfAChainCompletedOnAWorkerSeesTheWorkersRuntime() throws Exception {
        int links = 10;
        List<JoinHandle<Void>> chain = IdleTasks.spawnNever(runtime, links);
        IdleTasks.awaitIdle(Duration.ofSeconds(10), chain);
        Map<Integer, String> seen = new ConcurrentSkipListMap<>();
        CountDownLatch allRan = new CountDownLatch(links);
        for (int i = 0; i < links; i++) {
            int depth = i + 1;
            JoinHandle<Void> next = i + 1 < links ? chain.get(i + 1) : null;
            chain.get(i).whenComplete((v, e) -> {
                String where = Thread.currentThread().getName() + ": "
                        + (AsyncRuntime.tryCurrent().orElse(null) == runtime ? "runtime bound" : "NO runtime");
                seen.put(depth, where);
                allRan.countDown();
                if (next != null) {
                    next.abort();
                }
            });
        }

        runtime.spawn((Runnable) () -> chain.get(0).abort()); // the chain is delivered on a worker

        assertThat(allRan.await(20, TimeUnit.SECONDS)).as("every callback ran").isTrue();
        assertThat(seen.values()).as("callback depth -> thread: %s", seen).allMatch(s -> s.endsWith("runtime bound"));
    }
}
