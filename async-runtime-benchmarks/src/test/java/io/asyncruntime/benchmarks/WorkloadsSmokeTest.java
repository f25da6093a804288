package io.asyncruntime.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;
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
                workloads.yieldMany(20, 50);
                workloads.pingPong(100);
                workloads.chainedSpawn(100);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void idleTasksStartWaiting(Implementation implementation) throws InterruptedException {
        try (Workloads workloads = implementation.start()) {
            LongAdder waiting = new LongAdder();
            Object[] keep = new Object[100];
            for (int i = 0; i < keep.length; i++) {
                keep[i] = workloads.spawnIdle(waiting);
                assertThat(keep[i]).isNotNull();
            }
            org.awaitility.Awaitility.await().atMost(10, java.util.concurrent.TimeUnit.SECONDS)
                    .until(() -> workloads.waitingTasks(waiting) >= keep.length);
            assertThat(workloads.waitingTasks(waiting)).isGreaterThanOrEqualTo(keep.length);
        }
    }

    @Test
    void theTokioSetRunsOnEveryImplementationExceptVirtualThreadsBeforeJdk21() {
        assertThat(implementations()).contains(Implementation.ASYNC_RUNTIME, Implementation.FORK_JOIN,
                Implementation.THREAD_POOL, Implementation.NETTY_NIO, Implementation.KOTLIN);
        assertThat(implementations().contains(Implementation.VIRTUAL_THREADS))
                .isEqualTo(Runtime.version().feature() >= 21);
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
