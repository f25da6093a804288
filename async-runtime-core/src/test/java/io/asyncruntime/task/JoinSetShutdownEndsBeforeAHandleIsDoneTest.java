package io.asyncruntime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression (issue 10, "counted before published", close10): a task of a {@link JoinSet} tells
 * the set it finished inside its last poll, and its handle completes only after that poll has
 * returned to the worker. {@link JoinSet#shutdown()} left the set as soon as the task said so, so
 * it could complete while the handle {@link JoinSet#spawn} returned was not done yet (its
 * {@code joinNext} already waited on the handle). Now the drain waits on each handle as a join does.
 *
 * <p>The window is widened with a {@link Spawner} of the test's (the set spawns through any): it
 * spawns on the runtime a wrapper that holds its worker after the set's task returned ready, so
 * the set has heard "finished" and the handle is not done. Nothing is added to the set or the
 * runtime for it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JoinSetShutdownEndsBeforeAHandleIsDoneTest {

    @Test
    void everyHandleOfTheSetIsDoneWhenItsShutdownCompletes() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("joinset-handles").build();
        CountDownLatch reported = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Spawner holding = new Spawner() {
            @Override
            public <T> JoinHandle<T> spawn(Task<T> task) {
                return runtime.spawn(holdAfterReady(task, reported, release));
            }

            @Override
            public <T> JoinHandle<T> spawn(Task<T> task, Priority priority, String name) {
                return runtime.spawn(holdAfterReady(task, reported, release), priority, name);
            }
        };
        try (JoinSet<String> set = new JoinSet<>(holding)) {
            JoinHandle<String> handle = set.spawn(Task.completed("value"));
            assertThat(reported.await(30, TimeUnit.SECONDS)).as("the set heard that its task finished").isTrue();
            assertThat(handle.isDone()).as("the handle is a moment behind").isFalse();

            Task<Void> drain = set.shutdown();
            ManualContext cx = new ManualContext();
            boolean drainReady = drain.poll(cx).isReady();
            boolean handleDone = handle.isDone();
            release.countDown();

            assertThat(!drainReady || handleDone).as("the drain completed while the handle was not done").isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> drain.poll(cx).isReady());
            assertThat(handle.isDone()).isTrue();
            assertThat(handle.get(10, TimeUnit.SECONDS)).isEqualTo("value");
            assertThat(set.isEmpty()).isTrue();
        } finally {
            release.countDown();
            runtime.close();
        }
    }

    /** {@code task}, except that once it returned ready its worker waits for {@code release} before returning. */
    private static <T> Task<T> holdAfterReady(Task<T> task, CountDownLatch reported, CountDownLatch release) {
        return new Task<>() {
            @Override
            public Poll<T> poll(Context cx) throws Exception {
                Poll<T> polled = task.poll(cx);
                if (polled.isReady()) {
                    reported.countDown();
                    release.await(30, TimeUnit.SECONDS);
                }
                return polled;
            }

            @Override
            public void cancel() {
                task.cancel();
            }
        };
    }
}
