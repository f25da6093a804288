package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WatchTest {

    @Test
    void sendReplacesTheValueAndCountsVersions() {
        Watch<String> watch = new Watch<>(null);
        assertThat(watch.get()).isNull();
        assertThat(watch.version()).isZero();
        watch.send("a");
        watch.send("b");
        assertThat(watch.get()).isEqualTo("b");
        assertThat(watch.version()).isEqualTo(2);
    }

    @Test
    void aReceiverWaitsForAValueItHasNotSeenAndGetsTheLatest() {
        Watch<Integer> watch = new Watch<>(0);
        Watch.Receiver<Integer> receiver = watch.subscribe();
        assertThat(receiver.hasChanged()).isFalse();
        TestContext cx = new TestContext();
        Task<Integer> changed = receiver.changed();
        assertThat(cx.poll(changed).isPending()).isTrue();
        watch.send(1);
        watch.send(2);
        assertThat(cx.wakes.get()).isEqualTo(1);
        assertThat(cx.poll(changed).value()).as("only the latest is kept").isEqualTo(2);
        assertThat(receiver.hasChanged()).isFalse();
        assertThat(cx.poll(receiver.changed()).isPending()).isTrue();
    }

    @Test
    void getAndMarkSeenConsumesTheChange() {
        Watch<Integer> watch = new Watch<>(0);
        Watch.Receiver<Integer> receiver = watch.subscribe();
        watch.send(5);
        assertThat(receiver.get()).isEqualTo(5);
        assertThat(receiver.hasChanged()).isTrue();
        assertThat(receiver.getAndMarkSeen()).isEqualTo(5);
        assertThat(receiver.hasChanged()).isFalse();
    }

    @Test
    void waitForLooksAtTheCurrentValueThenAtEveryChange() {
        Watch<Integer> watch = new Watch<>(3);
        Watch.Receiver<Integer> receiver = watch.subscribe();
        TestContext cx = new TestContext();
        assertThat(cx.poll(receiver.waitFor(v -> v == 3)).value()).isEqualTo(3);
        Task<Integer> even = receiver.waitFor(v -> v % 2 == 0);
        assertThat(cx.poll(even).isPending()).isTrue();
        watch.send(5);
        assertThat(cx.poll(even).isPending()).isTrue();
        watch.send(8);
        assertThat(cx.poll(even).value()).isEqualTo(8);
        assertThatThrownBy(() -> receiver.waitFor(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void closeFailsReceiversThatSawTheLastValueAndLaterSends() {
        Watch<Integer> watch = new Watch<>(0);
        Watch.Receiver<Integer> behind = watch.subscribe();
        Watch.Receiver<Integer> waiting = watch.subscribe();
        watch.send(1);
        waiting.getAndMarkSeen();
        TestContext cx = new TestContext();
        Task<Integer> changed = waiting.changed();
        cx.poll(changed);
        watch.close();
        assertThat(cx.wakes.get()).isEqualTo(1);
        assertThatThrownBy(() -> cx.poll(changed)).isInstanceOf(ChannelClosedException.class);
        assertThat(new TestContext().poll(behind.changed()).value()).as("the last value first").isEqualTo(1);
        assertThatThrownBy(() -> new TestContext().poll(behind.changed())).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> watch.send(2)).isInstanceOf(ChannelClosedException.class)
                .hasMessage("send on a closed Watch");
        assertThat(watch.get()).isEqualTo(1);
    }

    @Test
    void aCancelledChangedLeavesNothingRegisteredAndMarksNothingSeen() {
        Watch<Integer> watch = new Watch<>(0);
        Watch.Receiver<Integer> receiver = watch.subscribe();
        TestContext cx = new TestContext();
        Task<Integer> changed = receiver.changed();
        cx.poll(changed);
        changed.cancel();
        watch.send(1);
        assertThat(cx.wakes.get()).isZero();
        assertThat(receiver.hasChanged()).isTrue();
    }

    @Test
    void receiversOnARealRuntimeEndOnTheLastValue() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Watch<Integer> watch = new Watch<>(0);
            JoinHandle<Integer> watcher = runtime.spawn(watch.subscribe().waitFor(v -> v == 10_000));
            JoinHandle<Void> sender = runtime.spawn(Task.loop(1, i -> {
                if (i > 10_000) {
                    return Task.completed(Step.<Integer, Void>done(null));
                }
                watch.send(i);
                return (i % 100 == 0 ? Task.yieldNow() : Task.<Void>completed(null)).map(v -> Step.<Integer, Void>next(i + 1));
            }));
            sender.get(30, TimeUnit.SECONDS);
            assertThat(watcher.get(30, TimeUnit.SECONDS)).isEqualTo(10_000);
        }
    }
}
