package io.asyncruntime.spring.autoconfigure.task;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;

/**
 * A runtime's {@link io.asyncruntime.time.Clock} as a {@link java.time.Clock}, for the
 * {@code Trigger}s of Spring's scheduling: they then compute their times on the clock the
 * runtime's timers run on, virtual time included.
 */
final class RuntimeClock extends Clock {

    private final io.asyncruntime.time.Clock clock;

    private final ZoneId zone;

    private RuntimeClock(io.asyncruntime.time.Clock clock, ZoneId zone) {
        this.clock = clock;
        this.zone = zone;
    }

    /** The clock of {@code runtime}, read once on the calling thread (never a worker). */
    static RuntimeClock of(AsyncRuntime runtime) {
        return new RuntimeClock(runtime.blockOn(Task.call(Time::clock)), ZoneId.systemDefault());
    }

    @Override
    public ZoneId getZone() {
        return this.zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new RuntimeClock(this.clock, zone);
    }

    @Override
    public Instant instant() {
        return this.clock.instant();
    }

}
