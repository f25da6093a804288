package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 review, R4 gap: the pushes and give-ups counted while another compaction of the list
 * runs were never acted on ({@code Waiters.Stats.claim} reset the counters, and the compactor did
 * not look at what was counted meanwhile), so a burst of give-ups that all met a running compaction
 * stayed linked until the list was used again, which for a long-lived handle may be never.
 *
 * <p>Deterministic: a live awaiter's waker is the hook. A second live awaiter's registration makes
 * the list long, so its push starts a compaction, which the hook holds, on that awaiter's thread
 * and with the list's compaction claim, when it asks whether the hook is obsolete. Meanwhile this
 * thread makes a burst of timed-out gets (each a push and a give-up that cannot claim); then the
 * compaction is let go. Once it returned, nothing is in flight (the compactor's own registration is
 * live and makes no further call), so the list must be back to its two live awaiters and the head.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WaiterGiveUpsCountedDuringCompactionLostTest {

    private static final int BURST = 200;

    private final CellScheduler scheduler = new CellScheduler() {
        @Override
        public void schedule(ScheduledTask task, boolean isYield) {
            // never run: the cell stays pending
        }

        @Override
        public void taskCompleted() {
        }
    };

    /** A cell whose task never runs; its list compacts from two nodes on, so one get suffices. */
    private final TaskCell<Integer> cell = new TaskCell<>(scheduler, (Task<Integer>) cx -> Poll.pending(), Priority.NORMAL) {
        @Override
        int waiterCompactionThreshold() {
            return 2;
        }
    };

    @Test
    void giveUpsCountedWhileACompactionRunsAreCompactedBeforeItReturns() throws Exception {
        LiveAwaiter live = new LiveAwaiter(true);
        assertThat(cell.poll(live).isPending()).isTrue();

        LiveAwaiter compacting = new LiveAwaiter(false);
        AtomicReference<Throwable> compactorFailure = new AtomicReference<>();
        Thread compactor = new Thread(() -> {
            try {
                // Its push makes the list long: a compaction is due, claimed here, held by the hook.
                assertThat(cell.poll(compacting).isPending()).isTrue();
            } catch (Throwable t) {
                compactorFailure.set(t);
            }
        }, "held-compactor");
        compactor.start();
        assertThat(live.held.await(30, TimeUnit.SECONDS)).as("a compaction reached the live awaiter").isTrue();

        for (int i = 0; i < BURST; i++) {
            timedOutGet(); // a push and a give-up, both meeting the held compaction
        }
        assertThat(cell.waiterCount()).as("the burst is linked while the compaction is held").isGreaterThan(BURST);

        live.release.countDown();
        compactor.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(compactor.isAlive()).isFalse();
        assertThat(compactorFailure.get()).isNull();

        // Nothing in flight: every give-up has returned. What may stay: the two live awaiters and
        // the head (the burst's last get; never unlinked, see Waiters).
        assertThat(cell.waiterCount())
                .as("waiters linked after a burst of %d give-ups met a running compaction", BURST)
                .isLessThanOrEqualTo(3);
        assertThat(cell.hasWaiter(live)).as("the live awaiter stays").isTrue();
        assertThat(cell.hasWaiter(compacting)).as("the compactor's live registration stays").isTrue();
    }

    /** A {@code get} that times out at once: it registers, abandons and reports the give-up. */
    private void timedOutGet() throws Exception {
        try {
            cell.get(1, TimeUnit.NANOSECONDS);
            throw new AssertionError("the cell's task never completes");
        } catch (TimeoutException expected) {
            // the give-up
        }
    }

    /**
     * A live awaiter (never obsolete). If it {@code holds}, its first {@link #isObsolete()} call,
     * which only a compaction makes, holds that compaction until released.
     */
    private static final class LiveAwaiter implements Waker, Context {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final boolean holds;

        LiveAwaiter(boolean holds) {
            this.holds = holds;
        }

        @Override
        public void wake() {
        }

        @Override
        public boolean isObsolete() {
            if (holds && held.getCount() > 0) {
                held.countDown();
                try {
                    if (!release.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("the held compaction was never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            return false;
        }

        @Override
        public Waker waker() {
            return this;
        }

        @Override
        public boolean consumeBudget() {
            return true;
        }

        @Override
        public void requestYield() {
        }
    }
}
