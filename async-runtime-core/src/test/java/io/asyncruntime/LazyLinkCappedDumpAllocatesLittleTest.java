package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test for review26 F3 (lazy10): issue 10 wants a dump "cheap enough to call from an actuator endpoint on a
 * runtime with a million tasks (streamed or capped)". With lazy linking a capped dump first
 * collects every unlinked cell found in the queues into an identity set, whatever the cap, so
 * {@code taskDump(1)} allocates in proportion to the tasks queued for their first poll. Before,
 * a capped dump copied at most the cap. Fixed by {@code LazyLink.collectUnlinked} stopping at the
 * cap.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LazyLinkCappedDumpAllocatesLittleTest {

    private static final int QUEUED = 100_000;

    @Test
    void aDumpCappedAtOneTaskAllocatesLittleWithManyTasksQueued() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).threadNamePrefix("r26-cap-")
                .stallThreshold(Duration.ofHours(1)).build();
        CountDownLatch spawned = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            runtime.spawn(() -> {
                for (int i = 0; i < QUEUED; i++) {
                    AsyncRuntime.current().spawn(() -> { }); // a worker's spawn, queued behind this poll
                }
                spawned.countDown();
                release.await(30, TimeUnit.SECONDS); // holds the one worker: nothing queued runs
                return null;
            });
            assertThat(spawned.await(30, TimeUnit.SECONDS)).isTrue();
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            runtime.taskDump(1); // warm-up (class loading)
            long before = threads.getCurrentThreadAllocatedBytes();
            TaskDump dump = runtime.taskDump(1);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(dump.tasks()).hasSize(1);
            assertThat(allocated).as("bytes a dump capped at one task allocated with %d tasks queued", QUEUED)
                    .isLessThan(256 * 1024);
        } finally {
            release.countDown();
            runtime.close();
        }
    }
}
