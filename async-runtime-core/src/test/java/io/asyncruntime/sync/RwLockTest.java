package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RwLockTest {

    @Test
    void maxReadersOutsideOneToMaxIsRejected() {
        assertThatThrownBy(() -> new RwLock<>("x", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxReaders must be in [1, 1073741823], was 0");
        assertThatThrownBy(() -> new RwLock<>("x", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void manyReadersOrOneWriter() {
        RwLock<String> lock = new RwLock<>("v");
        RwLock.ReadGuard<String> r1 = lock.tryRead().orElseThrow();
        RwLock.ReadGuard<String> r2 = lock.tryRead().orElseThrow();
        assertThat(r1.get()).isEqualTo("v");
        assertThat(lock.tryWrite()).isEmpty();
        r1.close();
        r2.close();
        RwLock.WriteGuard<String> w = lock.tryWrite().orElseThrow();
        assertThat(lock.tryRead()).isEmpty();
        w.set("w");
        w.close();
        assertThatThrownBy(w::get).isInstanceOf(IllegalStateException.class);
        assertThat(lock.tryRead().orElseThrow().get()).isEqualTo("w");
    }

    @Test
    void maxReadersIsEnforced() {
        RwLock<String> lock = new RwLock<>("v", 2);
        lock.tryRead().orElseThrow();
        lock.tryRead().orElseThrow();
        assertThat(lock.tryRead()).isEmpty();
    }

    @Test
    void aWaitingWriterIsNotStarvedByLaterReaders() {
        RwLock<Integer> lock = new RwLock<>(0);
        RwLock.ReadGuard<Integer> early = lock.tryRead().orElseThrow();
        TestContext writerCx = new TestContext();
        Task<RwLock.WriteGuard<Integer>> writer = lock.write();
        assertThat(writerCx.poll(writer).isPending()).isTrue();
        assertThat(lock.tryRead()).as("a later reader waits behind the writer").isEmpty();
        TestContext readerCx = new TestContext();
        Task<RwLock.ReadGuard<Integer>> later = lock.read();
        assertThat(readerCx.poll(later).isPending()).isTrue();
        early.close();
        assertThat(writerCx.wakes.get()).isEqualTo(1);
        assertThat(readerCx.wakes.get()).isZero();
        RwLock.WriteGuard<Integer> w = writerCx.poll(writer).value();
        w.set(1);
        w.close();
        assertThat(readerCx.wakes.get()).isEqualTo(1);
        assertThat(readerCx.poll(later).value().get()).isEqualTo(1);
    }

    @Test
    void aCancelledWriterGivesBackThePermitsItCollected() {
        RwLock<Integer> lock = new RwLock<>(0, 4);
        RwLock.ReadGuard<Integer> reader = lock.tryRead().orElseThrow();
        TestContext cx = new TestContext();
        Task<RwLock.WriteGuard<Integer>> writer = lock.write();
        cx.poll(writer); // collects 3 of 4 permits
        writer.cancel();
        assertThat(lock.waiterCount()).isZero();
        assertThat(lock.tryRead()).as("readers get in again").isPresent();
        reader.close();
    }

    @Test
    void readersShareAndWritersExcludeOnARealRuntime() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            RwLock<int[]> lock = new RwLock<>(new int[1]);
            AtomicInteger readers = new AtomicInteger();
            AtomicInteger writers = new AtomicInteger();
            AtomicInteger violations = new AtomicInteger();
            AtomicInteger maxReaders = new AtomicInteger();
            List<JoinHandle<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                boolean writer = t < 2;
                tasks.add(runtime.spawn(Task.loop(0, i -> i == 300
                        ? Task.completed(Step.<Integer, Void>done(null))
                        : writer
                        ? lock.write().flatMap(guard -> {
                            if (writers.incrementAndGet() != 1 || readers.get() != 0) {
                                violations.incrementAndGet();
                            }
                            return Task.yieldNow().map(ignored -> {
                                guard.get()[0]++;
                                writers.decrementAndGet();
                                guard.close();
                                return Step.<Integer, Void>next(i + 1);
                            });
                        })
                        : lock.read().flatMap(guard -> {
                            maxReaders.accumulateAndGet(readers.incrementAndGet(), Math::max);
                            if (writers.get() != 0) {
                                violations.incrementAndGet();
                            }
                            return Task.yieldNow().map(ignored -> {
                                readers.decrementAndGet();
                                guard.close();
                                return Step.<Integer, Void>next(i + 1);
                            });
                        }))));
            }
            for (JoinHandle<Void> task : tasks) {
                task.get(30, TimeUnit.SECONDS);
            }
            assertThat(violations.get()).isZero();
            assertThat(maxReaders.get()).as("readers overlapped").isGreaterThan(1);
            assertThat(lock.tryWrite().orElseThrow().get()[0]).isEqualTo(600);
        }
    }
}
