package io.asyncruntime.time;

import java.time.Instant;

/** {@link Clock#system()}: the operating system's clocks. */
final class SystemClock extends Clock {

    static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant instant() {
        return Instant.now();
    }

    @Override
    public String toString() {
        return "Clock.system()";
    }
}
