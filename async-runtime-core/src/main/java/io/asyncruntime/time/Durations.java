package io.asyncruntime.time;

import io.asyncruntime.internal.time.TimeDriver;
import java.time.Duration;

/** Argument checks and conversions shared by the time API; the messages name the argument. */
final class Durations {

    private Durations() {
    }

    static Duration requireNonNegative(Duration duration, String name) {
        if (duration == null) {
            throw new NullPointerException(name + " must not be null");
        }
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + duration);
        }
        return duration;
    }

    /** A delay a timer can hold: {@code 0 <= duration <= Time.MAX_DELAY}. */
    static Duration requireDelay(Duration duration, String name) {
        requireNonNegative(duration, name);
        if (duration.compareTo(TimeDriver.MAX_DELAY) > 0) {
            throw new IllegalArgumentException(name + " must be at most " + TimeDriver.MAX_DELAY
                    + " (the timing wheel's range, about 2.2 years), was " + duration);
        }
        return duration;
    }

    static Duration requirePeriod(Duration period, String name) {
        requireDelay(period, name);
        if (period.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + period);
        }
        return period;
    }

    static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException overflow) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
