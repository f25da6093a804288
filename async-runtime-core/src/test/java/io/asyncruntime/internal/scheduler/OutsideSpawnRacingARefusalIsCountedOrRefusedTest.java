package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, remote10: a spawn from outside the workers takes no shard lock; its inject queue's
 * spawn word counts it and refuses it with one CAS, and a refusal is an atomic OR on that word
 * (see InjectQueue, "Spawns from outside"). Eight real threads spawn into one queue, through the
 * registry's own calls, while another thread refuses (strangers first, then everyone) and reads
 * the registry's spawn count right after each refusal returned. Every spawn is either accepted,
 * queued and counted, or refused with nothing counted or queued: the count read right after the
 * refusal is exactly the spawns accepted (none is accepted after it, none refused is counted), and
 * the queue holds exactly the accepted cells, each once, each handed to lazy linking once when
 * taken (cell10: re-marked as a worker's unlinked cell, not linked).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OutsideSpawnRacingARefusalIsCountedOrRefusedTest {

    private static final int THREADS = 8;

    @Test
    void eachSpawnIsCountedAndQueuedOrRefusedNeverBoth() throws Exception {
        for (int round = 0; round < 50; round++) {
            oneRound(round % 2 == 0);
        }
    }

    private void oneRound(boolean strangersFirst) throws Exception {
        InjectQueue queue = new InjectQueue();
        TaskRegistry registry = new TaskRegistry(1, TaskShard.SWEEP_SLACK, queue);
        TaskShard shard = registry.outsideShard(0);
        CyclicBarrier go = new CyclicBarrier(THREADS + 1);
        CountDownLatch someSpawned = new CountDownLatch(THREADS);
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        List<Thread> spawners = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            boolean stranger = t % 2 == 0; // the others stand for threads inside blockInPlace
            Thread spawner = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; ; i++) {
                        TaskCell<Void> cell = new TaskCell<>(shard, Task.never(), Priority.HIGH);
                        QueuedSpawns.markUnlinked(cell);
                        if (queue.pushSpawn(cell, stranger) != InjectQueue.SPAWN_ACCEPTED) {
                            refused.incrementAndGet();
                            return;
                        }
                        accepted.incrementAndGet();
                        if (i == 100) {
                            someSpawned.countDown();
                        }
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            spawner.start();
            spawners.add(spawner);
        }
        go.await();
        someSpawned.await();
        long countedAfterStrangersRefused = -1;
        if (strangersFirst) {
            registry.refuseRemote();
            countedAfterStrangersRefused = registry.counts()[0];
        }
        registry.refuseAll();
        long countedAfterAllRefused = registry.counts()[0];
        for (Thread spawner : spawners) {
            spawner.join();
        }
        assertThat(refused.get()).isEqualTo(THREADS);
        // Exact: nothing accepted after the refusal returned, nothing refused counted.
        assertThat(countedAfterAllRefused).isEqualTo(accepted.get());
        assertThat(registry.counts()[0]).isEqualTo(accepted.get());
        if (strangersFirst) {
            assertThat(countedAfterStrangersRefused).isBetween(0L, accepted.get());
        }
        // Queued exactly once each, and each linked once as it is taken out.
        assertThat(queue.len()).isEqualTo((int) accepted.get());
        LocalQueue ring = new LocalQueue();
        long taken = 0;
        long handedOver = 0;
        for (ScheduledTask t = queue.popBatchInto(ring, 128); t != null; t = queue.popBatchInto(ring, 128)) {
            for (; t != null; t = ring.pop()) {
                taken++;
                if (LazyLink.isUnlinked((TaskCell<?>) t)) {
                    handedOver++;
                }
            }
        }
        assertThat(taken).isEqualTo(accepted.get());
        assertThat(handedOver).isEqualTo(accepted.get());
        assertThat(queue.spawnsLinked).isEqualTo(accepted.get());
        assertThat(shard.linkedCount()).isZero();
        assertThat(queue.isEmpty()).isTrue();
    }
}
