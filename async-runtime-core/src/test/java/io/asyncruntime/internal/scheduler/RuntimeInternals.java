package io.asyncruntime.internal.scheduler;

import io.asyncruntime.AsyncRuntime;
import java.lang.reflect.Field;

/**
 * What the scheduler package's tests reach inside a public {@link AsyncRuntime}: the runtime
 * keeps its {@link Scheduler} in a private field (the façade exports nothing internal), read here
 * by reflection, in one place.
 */
final class RuntimeInternals {

    private RuntimeInternals() {
    }

    /** The scheduler behind {@code runtime} (its private field {@code scheduler}). */
    static Scheduler schedulerOf(AsyncRuntime runtime) throws ReflectiveOperationException {
        Field field = AsyncRuntime.class.getDeclaredField("scheduler");
        field.setAccessible(true);
        return (Scheduler) field.get(runtime);
    }
}
