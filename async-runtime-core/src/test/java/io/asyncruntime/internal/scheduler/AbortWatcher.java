package io.asyncruntime.internal.scheduler;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * For tests whose task must do something only after the shutdown's abort began (review29,
 * review31: a first poll that blocks in place then): a daemon thread that looks every millisecond,
 * for up to 30 s, until the registry refuses all spawns ({@link TaskRegistry#REFUSING_ALL}), then
 * opens a latch the task waits on. No sleeps: the task holds its worker on the latch, bounded.
 */
final class AbortWatcher {

    private AbortWatcher() {
    }

    /** Starts a daemon thread named {@code threadName} that opens {@code abortBegun} once {@code registry} refuses all. */
    static void openWhenTheAbortBegins(TaskRegistry registry, CountDownLatch abortBegun, String threadName) {
        Thread watcher = new Thread(() -> {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                    .until(() -> registry.refusal(false) == TaskRegistry.REFUSING_ALL);
            abortBegun.countDown();
        }, threadName);
        watcher.setDaemon(true);
        watcher.start();
    }
}
