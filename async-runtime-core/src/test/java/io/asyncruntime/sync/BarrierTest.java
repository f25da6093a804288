package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BarrierTest {

    @Test
    void partiesBelowOneAreRejected() {
        assertThatThrownBy(() -> new Barrier(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parties must be at least 1, was 0");
    }

    @Test
    void theLastArrivalReleasesTheRoundAndLeadsIt() {
        Barrier barrier = new Barrier(3);
        TestContext a = new TestContext();
        TestContext b = new TestContext();
        Task<Boolean> first = barrier.await();
        Task<Boolean> second = barrier.await();
        assertThat(a.poll(first).isPending()).isTrue();
        assertThat(b.poll(second).isPending()).isTrue();
        assertThat(barrier.waiting()).isEqualTo(2);
        assertThat(new TestContext().poll(barrier.await()).value()).as("leader").isTrue();
        assertThat(a.wakes.get()).isEqualTo(1);
        assertThat(b.wakes.get()).isEqualTo(1);
        assertThat(a.poll(first).value()).isFalse();
        assertThat(b.poll(second).value()).isFalse();
        assertThat(barrier.waiting()).as("the next round starts empty").isZero();
    }

    @Test
    void aCancelledWaitLeavesTheRound() {
        Barrier barrier = new Barrier(2);
        TestContext cx = new TestContext();
        Task<Boolean> gaveUp = barrier.await();
        cx.poll(gaveUp);
        gaveUp.cancel();
        assertThat(barrier.waiting()).isZero();
        Task<Boolean> next = barrier.await();
        assertThat(new TestContext().poll(next).isPending()).as("one arrival is not enough any more").isTrue();
        assertThat(cx.wakes.get()).isZero();
    }

    @Test
    void roundsRepeatOnARealRuntime() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Barrier barrier = new Barrier(4);
            for (int round = 0; round < 50; round++) {
                List<JoinHandle<Boolean>> tasks = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    tasks.add(runtime.spawn(barrier.await()));
                }
                int leaders = 0;
                for (JoinHandle<Boolean> task : tasks) {
                    leaders += task.get(10, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertThat(leaders).isEqualTo(1);
            }
        }
    }
}
