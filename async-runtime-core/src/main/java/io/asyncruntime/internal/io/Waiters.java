package io.asyncruntime.internal.io;

import io.asyncruntime.task.Waker;
import java.util.Arrays;

/**
 * The value a registration keeps per direction for the tasks waiting on it: {@code null}, one
 * {@link Waker}, or a {@code Waker[]} when several tasks wait at once (accepts on one listener,
 * receives on one datagram socket). Values are immutable: a registration swaps them with a CAS,
 * so adding and removing a waiter is lock-free, and the common case (one waiter) allocates
 * nothing. Pure functions only; the registration owns the field.
 */
final class Waiters {

    private Waiters() {
    }

    /** {@code current} with {@code waker} added, or {@code current} itself if it is there already. */
    static Object with(Object current, Waker waker) {
        if (current == null || current == waker) {
            return waker;
        }
        if (current instanceof Waker single) {
            return new Waker[] {single, waker};
        }
        Waker[] many = (Waker[]) current;
        for (Waker w : many) {
            if (w == waker) {
                return current;
            }
        }
        Waker[] grown = Arrays.copyOf(many, many.length + 1);
        grown[many.length] = waker;
        return grown;
    }

    /** {@code current} without {@code waker}, or {@code current} itself if it is not there. */
    static Object without(Object current, Waker waker) {
        if (current == waker) {
            return null;
        }
        if (!(current instanceof Waker[] many)) {
            return current;
        }
        int at = -1;
        for (int i = 0; i < many.length; i++) {
            if (many[i] == waker) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            return current;
        }
        if (many.length == 2) {
            return many[1 - at];
        }
        Waker[] shrunk = new Waker[many.length - 1];
        System.arraycopy(many, 0, shrunk, 0, at);
        System.arraycopy(many, at + 1, shrunk, at, many.length - at - 1);
        return shrunk;
    }

    /** Whether {@code current} holds {@code waker}. */
    static boolean contains(Object current, Waker waker) {
        return with(current, waker) == current && current != null;
    }
}
