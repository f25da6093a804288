package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review18 (issue 10, 32a22b2): a task completed by a thread other than its shard's owner is only
 * pushed onto the shard's stack of finished cells; it stays linked in the shard's list, and its
 * result (the cell's slot) stays reachable from the registry, until a read of that shard or a
 * pusher finding {@link TaskShard#DRAIN_AT} waiting unlinks it. Neither the owner's own spawns
 * and completions nor time release it. So a user who joined a task and dropped its handle still
 * has its result (a large buffer, a response body) held by the runtime, for as long as the
 * runtime runs without a metrics read or a task dump: up to {@code DRAIN_AT - 1} results per
 * shard, and per worker shard as many stolen completions.
 *
 * <p>Before 32a22b2 the completing thread unlinked the cell at once: nothing of the runtime kept
 * the result after its handle was dropped.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FinishedCellKeepsResultReachableUntilARegistryReadTest {

    private Scheduler scheduler;

    @AfterEach
    void shutdown() {
        RegistryTestFixture.shutdown(scheduler);
    }

    /** A result big enough to matter, had it been a real one. */
    static final class Payload {
        final byte[] bytes = new byte[1 << 20];
    }

    @Test
    void aJoinedOutsideSpawnsResultIsCollectableOnceItsHandleIsDropped() throws Exception {
        scheduler = RegistryTestFixture.startScheduler(2, "finished-result-", true);

        WeakReference<Payload> result = spawnJoinAndDrop();

        // The runtime stays busy meanwhile: a worker spawns and joins many tasks of its own (its
        // own shard, completed on either worker), which is all the owner side ever does.
        JoinHandle<Integer> busy = scheduler.spawn((Callable<Integer>) () -> {
            List<JoinHandle<Integer>> children = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                int value = i;
                children.add(scheduler.spawn((Callable<Integer>) () -> value, Priority.NORMAL, null));
            }
            return children.size();
        }, Priority.NORMAL, null);
        assertThat(busy.get(20, TimeUnit.SECONDS)).isEqualTo(2_000);
        busy = null;

        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                System.gc();
                return result.get() == null;
            });
        } catch (ConditionTimeoutException stillReachable) {
            // Show where it is held: a registry read unlinks the finished cell, and then it goes.
            scheduler.registry().liveTasksHint();
            boolean goneAfterRead = gcUntilCleared(result);
            throw new AssertionError("the result of a joined task whose handle was dropped is still reachable after "
                    + "5 s of GCs; after one registry read (liveTasksHint) it " + (goneAfterRead ? "was collected" : "was still reachable"));
        }
    }

    /** In a frame of its own, so that no local of the test keeps the handle or the result. */
    private WeakReference<Payload> spawnJoinAndDrop() throws Exception {
        JoinHandle<Payload> handle = scheduler.spawn((Callable<Payload>) Payload::new, Priority.NORMAL, null);
        return new WeakReference<>(handle.get(10, TimeUnit.SECONDS));
    }

    private static boolean gcUntilCleared(WeakReference<?> ref) {
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
            Thread.onSpinWait();
        }
        return ref.get() == null;
    }
}
