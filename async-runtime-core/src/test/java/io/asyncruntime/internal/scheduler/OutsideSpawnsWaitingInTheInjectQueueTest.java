package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, remote10: spawns from outside the workers are not linked into the registry by the
 * spawner (see {@link QueuedSpawns}); since cell10 the worker that takes one out of the inject
 * queue hands it to lazy linking (linked at its first pending return, {@link LazyLink}). While
 * they wait in the queue they are still live tasks: counted, listed by a dump as QUEUED, reached
 * by a shutdown's abort; and a cell linked once (a worker's own spawn that a full ring moved to
 * the inject queue, or a queued spawn a dump linked) is never linked again. A real scheduler with
 * one worker, held inside a task (a latch) so that what is spawned from outside stays queued.
 * The holder is a callable spawned from outside held in its first poll: never linked.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutsideSpawnsWaitingInTheInjectQueueTest {

    private static final int QUEUED = 1_000;

    private Scheduler scheduler;
    private TaskRegistry registry;
    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch letGo = new CountDownLatch(1);
    private JoinHandle<Void> holder;

    @BeforeEach
    void start() throws Exception {
        scheduler = new Scheduler(new SchedulerConfig(1, "queued-spawns-", 31, 61, true, 3, new int[] {0, 25, 10},
                () -> { }, () -> { }, 0), new ThreadParkDriver());
        scheduler.start();
        registry = scheduler.registry();
        holder = scheduler.spawn((Callable<Void>) () -> {
            holding.countDown();
            letGo.await();
            return null;
        }, Priority.NORMAL, "holder");
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @AfterEach
    void shutdown() {
        letGo.countDown();
        scheduler.shutdown(Duration.ofSeconds(5));
    }

    /** Spawns {@link #QUEUED} idle-forever tasks from this (outside) thread: queued, as the worker is held. */
    private List<JoinHandle<Void>> spawnQueued() {
        List<JoinHandle<Void>> handles = new ArrayList<>();
        for (int i = 0; i < QUEUED; i++) {
            handles.add(scheduler.spawn(Task.<Void>never(), Priority.NORMAL, "queued-" + i));
        }
        return handles;
    }

    private TaskShard outsideShard() {
        return registry.outsideShard(Priority.NORMAL.ordinal());
    }

    @Test
    void queuedSpawnsAreCountedLiveAndTheSpawnerLinksNothing() {
        spawnQueued();
        assertThat(outsideShard().linkedCount()).isZero(); // the holder is in its first poll: not linked (LazyLink)
        long[] counts = registry.counts();
        assertThat(counts[0] - counts[1]).isEqualTo(QUEUED + 1);
        assertThat(registry.liveTasksHint()).isEqualTo(QUEUED + 1);
        assertThat(registry.isEmpty()).isFalse();
        assertThat(scheduler.remoteSpawns()).isEqualTo(QUEUED + 1);
    }

    @Test
    void aDumpListsQueuedSpawnsAsQueued() {
        spawnQueued();
        Map<LiveTaskDump.LiveTaskState, Integer> byState = new EnumMap<>(LiveTaskDump.LiveTaskState.class);
        int visited = LiveTaskDump.forEachLive(registry, Integer.MAX_VALUE, (name, lane, state, age, polls, sincePoll, cancel) ->
                byState.merge(state, 1, Integer::sum));
        assertThat(visited).isEqualTo(QUEUED + 1);
        assertThat(byState).containsEntry(LiveTaskDump.LiveTaskState.QUEUED, QUEUED)
                .containsEntry(LiveTaskDump.LiveTaskState.RUNNING, 1);
    }

    @Test
    void aCellADumpLinkedIsNotLinkedAgainWhenTheWorkerTakesIt() throws Exception {
        List<JoinHandle<Void>> queued = spawnQueued();
        LiveTaskDump.forEachLive(registry, Integer.MAX_VALUE, (name, lane, state, age, polls, sincePoll, cancel) -> { });
        assertThat(outsideShard().linkedCount()).isEqualTo(QUEUED); // the dump linked the queued ones
        letGo.countDown();
        holder.get(10, TimeUnit.SECONDS);
        // The worker polls every queued cell once (each goes idle for good), then parks.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.idle().allParked()
                && scheduler.inject(Priority.NORMAL.ordinal()).isEmpty());
        // The holder completed in its first poll, never linked; the queued cells are each linked once.
        assertThat(outsideShard().linkedCount()).isEqualTo(QUEUED);
        assertThat(LiveTaskDump.forEachLive(registry, Integer.MAX_VALUE, (name, lane, state, age, polls, sincePoll, cancel) ->
                assertThat(state).isEqualTo(LiveTaskDump.LiveTaskState.IDLE))).isEqualTo(QUEUED);
        assertThat(queued).allSatisfy(h -> assertThat(h.isDone()).isFalse());
    }

    @Test
    void anAbortReachesSpawnsStillQueued() throws Exception {
        List<JoinHandle<Void>> queued = spawnQueued();
        registry.refuseAll();
        AbortWalk walk = registry.newAbortWalk();
        assertThat(walk.found()).isEqualTo(QUEUED); // the holder, in its first poll, is not linked: it completes
        walk.run(); // asks each to cancel: the queued ones at their poll
        letGo.countDown();
        for (JoinHandle<Void> handle : queued) {
            Assertions.assertThatThrownBy(() -> handle.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(TaskCancelledException.class);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(registry::isEmpty);
    }

    @Test
    void aWorkersOwnSpawnsOverflowingIntoTheInjectQueueAreLinkedOnceInItsShard() throws Exception {
        letGo.countDown();
        holder.get(10, TimeUnit.SECONDS);
        int children = 3 * LocalQueue.CAPACITY; // the ring overflows half of itself into the inject queue
        List<JoinHandle<Void>> spawned = scheduler.spawn((Callable<List<JoinHandle<Void>>>) () -> {
            List<JoinHandle<Void>> mine = new ArrayList<>();
            for (int i = 0; i < children; i++) {
                mine.add(scheduler.spawn(Task.<Void>never(), Priority.NORMAL, null));
            }
            return mine;
        }, Priority.NORMAL, "spawner").get(10, TimeUnit.SECONDS);
        assertThat(spawned).hasSize(children);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.idle().allParked()
                && scheduler.inject(Priority.NORMAL.ordinal()).isEmpty());
        assertThat(scheduler.metrics().toString()).isNotNull();
        // Linked once each, in the worker's shard; none in an outside shard: the holder and the
        // spawner (spawned from here) completed in their first polls, never linked.
        assertThat(registry.shard(0).linkedCount()).isEqualTo(children);
        assertThat(outsideShard().linkedCount()).isZero();
        InjectQueue inject = scheduler.inject(Priority.NORMAL.ordinal());
        assertThat(inject.spawnsLinked).isEqualTo(inject.spawnCount()).isEqualTo(2);
        long[] counts = registry.counts();
        assertThat(counts[0] - counts[1]).isEqualTo(children);
    }

    @Test
    void spawnsFromOutsideThatGoIdleAreLinkedOnceAtTheirFirstPendingReturn() {
        List<JoinHandle<Void>> queued = spawnQueued();
        letGo.countDown();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.idle().allParked()
                && scheduler.inject(Priority.NORMAL.ordinal()).isEmpty());
        assertThat(outsideShard().linkedCount()).isEqualTo(QUEUED);
        assertThat(LiveTaskDump.forEachLive(registry, Integer.MAX_VALUE, (name, lane, state, age, polls, sincePoll, cancel) ->
                assertThat(state).isEqualTo(LiveTaskDump.LiveTaskState.IDLE))).isEqualTo(QUEUED);
        assertThat(queued).allSatisfy(h -> assertThat(h.isDone()).isFalse());
    }

    /**
     * cell10: a spawn from outside that completes in its first poll never enters a shard, so its
     * cell is garbage once its handle is (before, the take linked it and it stayed reachable from
     * the outside shard until a sweep). The queued runnables are taken and run by a second worker
     * while the first is held in a poll. A park sweep may have unlinked a linked cell by the time
     * the shard is read (review31), so each completed cell must still carry the unlinked mark: a
     * cell linked and swept since has a null link instead.
     */
    @Test
    void spawnsFromOutsideThatCompleteInTheirFirstPollAreNeverLinked() throws Exception {
        Scheduler two = new Scheduler(new SchedulerConfig(2, "queued-runnables-", 31, 61, true, 3, new int[] {0, 25, 10},
                () -> { }, () -> { }, 0), new ThreadParkDriver());
        two.start();
        try {
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            JoinHandle<Void> blocker = two.spawn((Callable<Void>) () -> {
                held.countDown();
                release.await();
                return null;
            }, Priority.NORMAL, "blocker");
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
            List<JoinHandle<Void>> done = new ArrayList<>();
            for (int i = 0; i < QUEUED; i++) {
                done.add(two.spawn((Runnable) () -> { }, Priority.NORMAL, null));
            }
            for (JoinHandle<Void> handle : done) {
                handle.get(10, TimeUnit.SECONDS);
            }
            assertThat(done).allSatisfy(h -> assertThat(LazyLink.isUnlinked((TaskCell<?>) h)).as("never linked").isTrue());
            assertThat(two.registry().outsideShard(Priority.NORMAL.ordinal()).linkedCount()).isZero();
            release.countDown();
            blocker.get(10, TimeUnit.SECONDS);
        } finally {
            two.shutdown(Duration.ofSeconds(5));
        }
    }
}
