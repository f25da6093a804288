package io.asyncruntime.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Waker;
import org.junit.jupiter.api.Test;

/** The immutable waiter values: one waker without allocation, several as an array, no duplicates. */
class WaitersTest {

    private final Waker a = () -> { };
    private final Waker b = () -> { };
    private final Waker c = () -> { };

    @Test
    void oneWakerIsHeldAsItselfAndAddingItAgainChangesNothing() {
        Object one = Waiters.with(null, a);
        assertThat(one).isSameAs(a);
        assertThat(Waiters.with(one, a)).isSameAs(one);
        assertThat(Waiters.without(one, a)).isNull();
        assertThat(Waiters.without(one, b)).isSameAs(one);
    }

    @Test
    void severalWakersGrowAndShrinkAsArrays() {
        Object two = Waiters.with(Waiters.with(null, a), b);
        assertThat((Waker[]) two).containsExactly(a, b);
        Object three = Waiters.with(two, c);
        assertThat((Waker[]) three).containsExactly(a, b, c);
        assertThat(Waiters.with(three, b)).isSameAs(three);
        assertThat((Waker[]) Waiters.without(three, b)).containsExactly(a, c);
        assertThat(Waiters.without(Waiters.without(three, b), a)).isSameAs(c);
        assertThat(Waiters.contains(three, c)).isTrue();
        assertThat(Waiters.contains(two, c)).isFalse();
        assertThat(Waiters.contains(null, c)).isFalse();
    }
}
