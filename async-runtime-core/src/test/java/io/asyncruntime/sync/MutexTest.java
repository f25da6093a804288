package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MutexTest {

    @Test
    void aGuardReadsAndWritesTheValueAndUnlocksOnce() {
        Mutex<String> mutex = new Mutex<>("a");
        Mutex.Guard<String> guard = mutex.tryLock().orElseThrow();
        assertThat(mutex.isLocked()).isTrue();
        assertThat(mutex.tryLock()).isEmpty();
        assertThat(guard.get()).isEqualTo("a");
        guard.set("b");
        guard.close();
        guard.close();
        assertThat(mutex.isLocked()).isFalse();
        try (Mutex.Guard<String> again = mutex.tryLock().orElseThrow()) {
            assertThat(again.get()).isEqualTo("b");
        }
    }

    @Test
    void aClosedGuardCannotBeUsed() {
        Mutex<Integer> mutex = new Mutex<>(null);
        Mutex.Guard<Integer> guard = mutex.tryLock().orElseThrow();
        assertThat(guard.get()).isNull();
        guard.close();
        assertThatThrownBy(guard::get).isInstanceOf(IllegalStateException.class)
                .hasMessage("this Mutex guard was closed: the lock is no longer held");
        assertThatThrownBy(() -> guard.set(1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aCancelledLockThatWasHandedTheLockPassesItOn() {
        Mutex<String> mutex = new Mutex<>("v");
        Mutex.Guard<String> held = mutex.tryLock().orElseThrow();
        TestContext first = new TestContext();
        TestContext second = new TestContext();
        Task<Mutex.Guard<String>> a = mutex.lock();
        Task<Mutex.Guard<String>> b = mutex.lock();
        first.poll(a);
        second.poll(b);
        held.close();          // hands the lock to a
        assertThat(first.wakes.get()).isEqualTo(1);
        a.cancel();            // which never took it
        assertThat(second.wakes.get()).isEqualTo(1);
        assertThat(second.poll(b).isReady()).isTrue();
        assertThat(mutex.waiterCount()).isZero();
    }

    @Test
    void waitersGetTheLockInArrivalOrderOnARealRuntime() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Mutex<List<Integer>> mutex = new Mutex<>(new ArrayList<>());
            Mutex.Guard<List<Integer>> blocker = mutex.tryLock().orElseThrow();
            List<JoinHandle<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int id = i;
                tasks.add(runtime.spawn(mutex.lock().map(guard -> {
                    guard.get().add(id);
                    guard.close();
                    return null;
                })));
                int queued = i + 1;
                await().pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(10)).until(() -> mutex.waiterCount() == queued);
            }
            blocker.close();
            for (JoinHandle<Void> task : tasks) {
                task.get(10, TimeUnit.SECONDS);
            }
            try (Mutex.Guard<List<Integer>> guard = mutex.tryLock().orElseThrow()) {
                assertThat(guard.get()).containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
            }
        }
    }

    @Test
    void theLockIsHeldAcrossAwaitsAndExcludesOtherTasks() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Mutex<int[]> mutex = new Mutex<>(new int[2]); // [inside, increments]
            List<JoinHandle<Void>> tasks = new ArrayList<>();
            List<String> violations = Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 6; t++) {
                tasks.add(runtime.spawn(Task.loop(0, i -> i == 300
                        ? Task.completed(Step.<Integer, Void>done(null))
                        : mutex.lock().flatMap(guard -> {
                            int[] state = guard.get();
                            if (state[0]++ != 0) {
                                violations.add("two holders");
                            }
                            return Task.yieldNow().map(ignored -> {
                                state[0]--;
                                state[1]++;
                                guard.close();
                                return Step.<Integer, Void>next(i + 1);
                            });
                        }))));
            }
            for (JoinHandle<Void> task : tasks) {
                task.get(30, TimeUnit.SECONDS);
            }
            assertThat(violations).isEmpty();
            try (Mutex.Guard<int[]> guard = mutex.tryLock().orElseThrow()) {
                assertThat(guard.get()[1]).isEqualTo(6 * 300);
            }
        }
    }

    @Test
    void locksAbandonedByTimeoutsNeverKeepTheLock() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Mutex<Integer> mutex = new Mutex<>(0);
            List<JoinHandle<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tasks.add(runtime.spawn(Task.loop(0, i -> i == 200
                        ? Task.completed(Step.<Integer, Void>done(null))
                        : Time.timeout(Duration.ofMillis(1), mutex.lock()).flatMap(guard ->
                                Task.yieldNow().map(ignored -> {
                                    guard.set(guard.get() + 1);
                                    guard.close();
                                    return Step.<Integer, Void>next(i + 1);
                                })).recover(timedOut -> Step.next(i + 1)))));
            }
            for (JoinHandle<Void> task : tasks) {
                task.get(30, TimeUnit.SECONDS);
            }
            assertThat(mutex.isLocked()).isFalse();
            assertThat(mutex.waiterCount()).isZero();
        }
    }
}
