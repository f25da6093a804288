package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression (review17): {@link TaskDump.TaskInfo#sinceLastPoll()} documents a wrap only past
 * ~52 days, but since the yield path took the poll stamp's top bit for its mark, 31 bits of
 * ~1.05 ms units wrapped after ~26 days: a month-old idle task was shown polled ~4 days ago
 * (failed 4/4 before the stamp's unit became 2^21 ns). The dump resolves a wrap only with the
 * task's age, which is no help for a task older than the wrap. The four-day case guards a
 * narrower stamp (review17 found one on branch yield14, where three more bits went to an
 * uncounted-poll count and the stamp wrapped after ~3.3 days: a task idle four days showed as
 * polled 17.8 hours ago). With those three bits the stamp now counts units of 2^24 ns, so its
 * 28 bits wrap after ~52 days again.
 *
 * <p>Days cannot pass in a test, so the registry's clock origin (the private final
 * {@code TaskRegistry.epochNanos} the coarse clock counts from) is moved back by reflection after
 * the task's only poll: to the dump, the task was spawned and last polled that long ago.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskDumpSinceLastPollWrapsBeforeItsHorizonTest {

    @Test
    void aTaskIdleForFourDaysIsNotShownAsPolledHoursAgo() throws Exception {
        assertIdleTaskShownIdleFor(Duration.ofDays(4));
    }

    @Test
    void aTaskIdleForThirtyDaysIsShownAsTheJavadocPromises() throws Exception {
        assertIdleTaskShownIdleFor(Duration.ofDays(30));
    }

    private static void assertIdleTaskShownIdleFor(Duration idle) throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).shutdownTimeout(Duration.ofMillis(100)).build()) {
            CountDownLatch polled = new CountDownLatch(1);
            runtime.spawn(Task.run(polled::countDown).flatMap(v -> Task.never()), Priority.NORMAL, "weekly-job");
            assertThat(polled.await(30, TimeUnit.SECONDS)).isTrue();

            moveRegistryClockOriginBack(runtime, idle);

            TaskDump.TaskInfo info = runtime.taskDump().tasks().stream()
                    .filter(t -> t.name().equals("weekly-job")).findFirst().orElseThrow();
            assertThat(info.polls()).isEqualTo(1);
            assertThat(info.age()).as("age").isGreaterThanOrEqualTo(idle);
            assertThat(info.sinceLastPoll()).as("since the last poll of a task idle for %s (age %s)", idle, info.age())
                    .isGreaterThanOrEqualTo(idle);
        }
    }

    private static void moveRegistryClockOriginBack(AsyncRuntime runtime, Duration by) throws Exception {
        Object scheduler = field(runtime.getClass(), "scheduler").get(runtime);
        Object registry = field(scheduler.getClass(), "registry").get(scheduler);
        Field epoch = field(registry.getClass(), "epochNanos");
        epoch.setLong(registry, epoch.getLong(registry) - by.toNanos());
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
