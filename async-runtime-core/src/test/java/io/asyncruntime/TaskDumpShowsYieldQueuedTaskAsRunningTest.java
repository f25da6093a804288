package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 14's yield path (review14): a task that yields is re-queued with its RUNNING bit
 * kept, and the live-task registry reads RUNNING as {@link TaskDump.State#RUNNING}, documented as
 * "Being polled by a worker now". So a task waiting in a queue behind another task's long poll is
 * reported as running: on a one-worker runtime the dump shows two tasks being polled at once, and
 * the one that is only queued looks like a poll that has lasted since it was queued (what an
 * operator reads as a stall). Before the change it showed as {@link TaskDump.State#QUEUED}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskDumpShowsYieldQueuedTaskAsRunningTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1)
            .threadNamePrefix("dump-yield-test-").stallThreshold(Duration.ofHours(1)).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    @RepeatedTest(5)
    void aTaskQueuedAfterAYieldIsShownQueuedNotRunning() throws Exception {
        CountDownLatch blockerStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger yielderPolls = new AtomicInteger();
        JoinHandle<Integer> yielder = runtime.spawn(cx -> {
            if (yielderPolls.incrementAndGet() == 1) {
                // Spawned on the worker with the same lane: it takes the LIFO slot and runs right
                // after this poll, while this task waits at the back of the ring, yield-queued.
                AsyncRuntime.current().spawn(cx2 -> {
                    blockerStarted.countDown();
                    release.await(30, TimeUnit.SECONDS); // a long poll (bounded)
                    return Poll.ready(null);
                }, Priority.NORMAL, "blocker");
                cx.requestYield();
                return Poll.pending();
            }
            return Poll.ready(yielderPolls.get());
        }, Priority.NORMAL, "yielder");
        try {
            assertThat(blockerStarted.await(10, TimeUnit.SECONDS)).isTrue();

            List<TaskDump.TaskInfo> tasks = runtime.taskDump().tasks();
            TaskDump.TaskInfo queued = tasks.stream().filter(t -> t.name().equals("yielder")).findFirst().orElseThrow();
            long running = tasks.stream().filter(t -> t.state() == TaskDump.State.RUNNING).count();

            assertThat(yielderPolls.get()).as("the yielder waits in the ring, not polled").isEqualTo(1);
            assertThat(running).as("tasks the dump shows being polled on a one-worker runtime: %s", tasks)
                    .isLessThanOrEqualTo(1);
            assertThat(queued.state()).as("a task waiting in a queue after a yield").isEqualTo(TaskDump.State.QUEUED);
        } finally {
            release.countDown();
        }
        assertThat(yielder.get(10, TimeUnit.SECONDS)).isEqualTo(2);
    }
}
