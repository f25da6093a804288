package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, defect 2: {@code JoinHandle.get(timeout, unit)} with a timeout of zero or less on an
 * unfinished task throws {@link TimeoutException} at once (as {@code FutureTask} and
 * {@code CompletableFuture} do), and a huge timeout does not overflow into "already expired".
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JoinHandleGetTimeoutTest {

    /** A bound on "at once": a get that blocks until the task ends would never return here. */
    private static final Duration AT_ONCE = Duration.ofSeconds(5);

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void getWithANegativeTimeoutOnAnUnfinishedTaskThrowsTimeoutExceptionAtOnce() {
        JoinHandle<Void> pending = runtime.spawn(Task.never());
        long deadline = System.nanoTime() - 1; // the common get(deadline - now) after the deadline passed
        assertTimeoutPreemptively(AT_ONCE, () -> assertThatThrownBy(() -> pending.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS))
                .isInstanceOf(TimeoutException.class));
        assertTimeoutPreemptively(AT_ONCE, () -> assertThatThrownBy(() -> pending.get(-1, TimeUnit.DAYS))
                .isInstanceOf(TimeoutException.class));
        assertTimeoutPreemptively(AT_ONCE, () -> assertThatThrownBy(() -> pending.get(Long.MIN_VALUE, TimeUnit.NANOSECONDS))
                .isInstanceOf(TimeoutException.class));
        // The same as the JDK's own futures:
        assertThatThrownBy(() -> new CompletableFuture<Void>().get(-1, TimeUnit.DAYS)).isInstanceOf(TimeoutException.class);
        pending.abort();
    }

    @Test
    void getWithAZeroTimeoutOnAnUnfinishedTaskThrowsTimeoutExceptionAtOnce() {
        JoinHandle<Void> pending = runtime.spawn(Task.never());
        assertTimeoutPreemptively(AT_ONCE, () -> assertThatThrownBy(() -> pending.get(0, TimeUnit.SECONDS))
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining(pending.name()));
        pending.abort();
    }

    @Test
    void getWithANonPositiveTimeoutOnAFinishedTaskReturnsItsValue() throws Exception {
        JoinHandle<Integer> done = runtime.spawn(() -> 7);
        assertThat(done.get(10, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(done.get(0, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(done.get(-5, TimeUnit.SECONDS)).isEqualTo(7);
    }

    @Test
    void getWithAHugeTimeoutWaitsForTheValue() throws Exception {
        Gate gate = new Gate();
        JoinHandle<String> later = runtime.spawn(gate.map(v -> "done"));
        gate.polled.await();
        runtime.spawn(gate::open);
        assertThat(later.get(Long.MAX_VALUE, TimeUnit.DAYS)).isEqualTo("done");
        Gate second = new Gate();
        JoinHandle<String> alsoLater = runtime.spawn(second.map(v -> "also"));
        second.polled.await();
        runtime.spawn(second::open);
        assertThat(alsoLater.get(Long.MAX_VALUE, TimeUnit.NANOSECONDS)).isEqualTo("also");
    }

    @Test
    void getRejectsANullUnit() {
        JoinHandle<Integer> done = runtime.spawn(() -> 7);
        assertThatThrownBy(() -> done.get(1, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("unit");
    }
}
