package io.asyncruntime.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every workload finishes on every implementation this JVM can run, with tiny sizes and a few
 * rounds on one instance (reuse between rounds is what JMH does). A workload that loses a task
 * never reaches zero, and {@link Countdown#await} fails it.
 */
class WorkloadsSmokeTest {

    private static final int ROUNDS = 3;

    static List<Implementation> implementations() {
        return Implementation.available();
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void everyWorkloadFinishes(Implementation implementation) {
        try (Workloads workloads = implementation.start()) {
            for (int round = 0; round < ROUNDS; round++) {
                workloads.spawnManyLocal(500);
                workloads.spawnManyRemote(500);
                if (implementation.supports("yield_many")) {
                    workloads.yieldMany(20, 50);
                }
                workloads.pingPong(100);
                workloads.chainedSpawn(100);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void idleTasksStartWaitingOnAOneShotAndWakeWhenItIsSent(Implementation implementation) {
        try (Workloads workloads = implementation.start()) {
            long before = workloads.waitingTasks();
            OneShot[] shots = new OneShot[100];
            for (int i = 0; i < shots.length; i++) {
                shots[i] = new OneShot();
                workloads.spawnWaitingOn(shots[i]);
            }
            Awaitility.await().atMost(10, TimeUnit.SECONDS)
                    .until(() -> workloads.waitingTasks() - before >= shots.length);
            // Every waiter really registered: sending hands back a waiter for each one.
            for (OneShot shot : shots) {
                assertThat(shot.send()).as("the waiter %s registered", implementation.id).isNotNull();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void bareIdleTasksStartWaiting(Implementation implementation) {
        try (Workloads workloads = implementation.start()) {
            long before = workloads.waitingTasks();
            Object[] keep = new Object[100];
            for (int i = 0; i < keep.length; i++) {
                keep[i] = workloads.spawnBarePending();
                assertThat(keep[i]).isNotNull();
            }
            Awaitility.await().atMost(10, TimeUnit.SECONDS)
                    .until(() -> workloads.waitingTasks() - before >= keep.length);
        }
    }

    @Test
    void theTokioSetRunsOnEveryImplementationExceptVirtualThreadsBeforeJdk21() {
        assertThat(implementations()).contains(Implementation.ASYNC_RUNTIME, Implementation.FORK_JOIN,
                Implementation.FORK_JOIN_LIFO, Implementation.THREAD_POOL, Implementation.NETTY_NIO, Implementation.KOTLIN);
        assertThat(implementations().contains(Implementation.VIRTUAL_THREADS))
                .isEqualTo(Runtime.version().feature() >= 21);
    }

    @Test
    void forkJoinPoolInLifoModeHasNoYieldAndRefusesIt() {
        assertThat(Implementation.FORK_JOIN_LIFO.supports("yield_many")).isFalse();
        assertThat(Implementation.FORK_JOIN.supports("yield_many")).isTrue();
        try (Workloads lifo = Implementation.FORK_JOIN_LIFO.start()) {
            assertThatThrownBy(() -> lifo.yieldMany(1, 1)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("LIFO");
        }
    }

    @Test
    void singleLoopNettyIsAFloorOnlyWhereItsChildrenStayOnOneLoop() {
        assertThat(Implementation.NETTY_EPOLL.isSingleThreadedFloor("spawn_many_local")).isTrue();
        assertThat(Implementation.NETTY_NIO.isSingleThreadedFloor("ping_pong")).isTrue();
        assertThat(Implementation.NETTY_NIO.isSingleThreadedFloor("spawn_many_remote")).isFalse();
        assertThat(Implementation.NETTY_EPOLL_SPREAD.isSingleThreadedFloor("chained_spawn")).isFalse();
    }

    @Test
    void anUnknownImplementationNamesTheKnownOnes() {
        assertThatThrownBy(() -> Implementation.byId("tokio"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("asyncruntime,forkjoin");
    }

    @Test
    void aWorkloadThatNeverFinishesFailsInsteadOfHanging() {
        Countdown countdown = new Countdown(1);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> countdown.await("a test workload"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a test workload")
                .hasMessageContaining("1 tasks left");
        assertThat(Thread.interrupted()).isTrue();
    }
}
