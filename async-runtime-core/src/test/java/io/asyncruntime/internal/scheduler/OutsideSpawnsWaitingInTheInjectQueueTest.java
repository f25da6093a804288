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
 * Issue 10, remote10: spawns from outside the workers are linked into the registry by the worker
 * that takes them out of the inject queue, not by the spawner (see {@link QueuedSpawns}). While
 * they wait in the queue they are still live tasks: counted, listed by a dump as QUEUED, reached
 * by a shutdown's abort; and a cell linked once (a worker's own spawn that a full ring moved to
 * the inject queue, or a queued spawn a dump linked) is never linked again. A real scheduler with
 * one worker, held inside a task (a latch) so that what is spawned from outside stays queued.
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
        assertThat(outsideShard().linkedCount()).isEqualTo(1); // the holder, linked by the worker that took it
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
        assertThat(outsideShard().linkedCount()).isEqualTo(QUEUED + 1);
        letGo.countDown();
        holder.get(10, TimeUnit.SECONDS);
        // The worker polls every queued cell once (each goes idle for good), then parks.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.idle().allParked()
                && scheduler.inject(Priority.NORMAL.ordinal()).isEmpty());
        // The holder completed (swept or not yet); the queued cells are each linked once.
        int linked = outsideShard().linkedCount();
        assertThat(linked).isBetween(QUEUED, QUEUED + 1);
        assertThat(LiveTaskDump.forEachLive(registry, Integer.MAX_VALUE, (name, lane, state, age, polls, sincePoll, cancel) ->
                assertThat(state).isEqualTo(LiveTaskDump.LiveTaskState.IDLE))).isEqualTo(QUEUED);
        assertThat(queued).allSatisfy(h -> assertThat(h.isDone()).isFalse());
    }

    @Test
    void anAbortReachesSpawnsStillQueued() throws Exception {
        List<JoinHandle<Void>> queued = spawnQueued();
        registry.refuseAll();
        AbortWalk walk = registry.newAbortWalk();
        assertThat(walk.found()).isEqualTo(QUEUED + 1);
        walk.run(); // asks each to cancel: the queued ones at their poll, the holder at its next
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
        // Linked once each, in the worker's shard; none in an outside shard, which holds only the
        // holder and the spawner (spawned from here), finished and maybe swept.
        assertThat(registry.shard(0).linkedCount()).isEqualTo(children);
        assertThat(outsideShard().linkedCount()).isLessThanOrEqualTo(2);
        InjectQueue inject = scheduler.inject(Priority.NORMAL.ordinal());
        assertThat(inject.spawnsLinked).isEqualTo(inject.spawnCount()).isEqualTo(2);
        long[] counts = registry.counts();
        assertThat(counts[0] - counts[1]).isEqualTo(children);
    }
}
