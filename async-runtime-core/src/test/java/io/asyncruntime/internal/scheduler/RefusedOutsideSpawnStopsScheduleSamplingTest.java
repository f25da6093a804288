package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * review24 (remote10): spawnFromOutside hands the cell to the poll sampler
 * ({@code sampler.onRemoteSchedule}) before the inject queue's spawn word refuses it. A refused
 * cell is never polled and never done, so PollSampler keeps following it ({@code gone()} is false
 * for a cell not done): schedule latency is never sampled again for the runtime's life (the whole
 * graceful drain included), and the refused cell (its body) stays reachable. Before remote10 the
 * refusal (shard.register) threw before scheduleRemote reached the sampler.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RefusedOutsideSpawnStopsScheduleSamplingTest {

    @Test
    void aWakeAfterARefusedOutsideSpawnIsStillSampled() throws Exception {
        Scheduler scheduler = new Scheduler(new SchedulerConfig(1, "refused-sampling-", 31, 61, true, 3,
                new int[] {0, 25, 10}, () -> { }, () -> { }, 0), new ThreadParkDriver());
        scheduler.start();
        try {
            Queue<Long> latencies = new ConcurrentLinkedQueue<>();
            scheduler.samplePolls(1, new PollSampler.Listener() {
                @Override
                public void pollTime(int worker, long nanos) {
                }

                @Override
                public void scheduleLatency(long nanos) {
                    latencies.add(nanos);
                }
            });
            CompletableFuture<String> wake = new CompletableFuture<>();
            // Spawned from outside (sampled at once with oneIn 1): its first poll records a latency
            // and frees the followed slot.
            JoinHandle<String> waiting = scheduler.spawn(Task.fromCompletionStage(wake), Priority.NORMAL, "waiting");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> latencies.size() >= 1);
            int before = latencies.size();

            scheduler.registry().refuseRemote(); // a graceful shutdown begins: strangers are refused
            assertThatThrownBy(() -> scheduler.spawn(Task.completed("refused"), Priority.NORMAL, "refused"))
                    .isInstanceOf(IllegalStateException.class);

            // A wake from outside during the drain: a remote schedule, sampled at once (oneIn 1).
            wake.complete("woken");
            assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo("woken");
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(latencies)
                            .as("the woken task's schedule latency (the refused cell must not hold the followed slot)")
                            .hasSizeGreaterThan(before));
        } finally {
            scheduler.shutdown(Duration.ofSeconds(5));
        }
    }
}
