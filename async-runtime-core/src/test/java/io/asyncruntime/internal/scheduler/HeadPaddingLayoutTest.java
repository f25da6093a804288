package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import org.junit.jupiter.api.Test;
import sun.misc.Unsafe;

/**
 * The small objects a worker writes on every poll, the ones all workers CAS, and the scheduler
 * every worker reads on every poll start with {@link HeadPadding}: each of their own fields lies at
 * least 128 bytes into the object, so the end of whatever object precedes it in the heap never
 * shares a cache line with them (see {@link HeadPadding}). Failed before the padding: their first
 * fields sat at offset 12.
 */
class HeadPaddingLayoutTest {

    private static final List<Class<?>> PADDED = List.of(Worker.class, WorkerQueues.class, LifoSlot.class,
            PollContext.class, WorkerSampling.class, WorkerHandOver.class, Idle.class, SharedDriver.class, Scheduler.class);

    @Test
    void everyFieldOfThePaddedClassesLiesPastTheHeadPadding() throws Exception {
        Unsafe unsafe = unsafe();
        for (Class<?> type : PADDED) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                @SuppressWarnings("deprecation")
                long offset = unsafe.objectFieldOffset(field);
                assertThat(offset).as("offset of %s.%s", type.getSimpleName(), field.getName()).isGreaterThanOrEqualTo(128);
            }
        }
    }

    private static Unsafe unsafe() throws ReflectiveOperationException {
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        return (Unsafe) field.get(null);
    }
}
