package io.asyncruntime.internal.io;

import io.asyncruntime.task.Waker;
import java.util.concurrent.atomic.AtomicInteger;

/** A waker that counts its wakes. */
final class CountingWaker implements Waker {

    final AtomicInteger wakes = new AtomicInteger();

    @Override
    public void wake() {
        wakes.incrementAndGet();
    }

    int count() {
        return wakes.get();
    }
}
