package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Predicate;

/**
 * A single value that changes over time, watched by any number of receivers: {@link #send}
 * replaces it, and each {@link Receiver} can wait for a value it has not seen yet. Only the latest
 * value is kept; a receiver that was slow sees the latest, not every one. Tokio's {@code watch}.
 *
 * <pre>{@code
 * Watch<Config> config = new Watch<>(load());
 * Watch.Receiver<Config> updates = config.subscribe();
 * runtime.spawn(Task.loop(null, s -> updates.changed().map(c -> { apply(c); return Step.next(null); })));
 * config.send(reload());
 * }</pre>
 *
 * <p>Values are versioned: every send (and the initial value) has a version one above the last,
 * and a receiver remembers the version it saw last. {@link #close()} ends the watch: receivers
 * that have seen the last value then fail with a {@link ChannelClosedException}. A send with no
 * receiver is fine (the value is kept for the next {@link #get()} or subscriber).
 *
 * <p>Cancellation is dropping: a cancelled {@link Receiver#changed()} leaves no waiter registered
 * and does not mark anything seen. A completed wait spends one unit of the cooperative budget. A
 * send allocates one small record (the value with its version) and wakes the waiting receivers;
 * {@link #get()} is a volatile read. Thread-safe; each {@link Receiver} is used by one task at a
 * time.
 *
 * @param <T> the value type; null is a legal value
 */
public final class Watch<T> {

    private static final VarHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.lookup().findVarHandle(Watch.class, "current", Version.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A value, the version it was sent with, and whether the watch is closed; immutable, so one
     * volatile read sees all three. The closed flag lives here rather than in a field of its own so
     * that a send and a close are ordered by the one CAS on {@link #current}: a send that read
     * "open" in a separate flag and installed its value after a concurrent close would make a
     * value appear after the close (and after a receiver was told it had seen the last one).
     */
    private record Version<T>(T value, long version, boolean closed) {
    }

    @SuppressWarnings("unused") // through CURRENT
    private volatile Version<T> current;
    private final Notify changed = new Notify();

    /** A watch holding {@code initial} ({@code null} allowed) as version 0. */
    public Watch(T initial) {
        this.current = new Version<>(initial, 0, false);
    }

    /**
     * Replaces the value and wakes every receiver waiting for a change.
     *
     * @throws ChannelClosedException if the watch is closed
     */
    public void send(T value) {
        Version<T> previous = current();
        for (;;) {
            if (previous.closed) {
                throw new ChannelClosedException("send on a closed Watch");
            }
            Version<T> next = new Version<>(value, previous.version + 1, false);
            @SuppressWarnings("unchecked")
            Version<T> witness = (Version<T>) CURRENT.compareAndExchange(this, previous, next);
            if (witness == previous) {
                break;
            }
            previous = witness;
        }
        changed.notifyAllWaiters();
    }

    /** The latest value. */
    public T get() {
        return current().value;
    }

    /** The latest value's version: 0 for the initial value, one more for every send. */
    public long version() {
        return current().version;
    }

    /** A receiver that has seen the current value: its {@code changed()} waits for the next send. */
    public Receiver<T> subscribe() {
        return new Receiver<>(this, current().version);
    }

    /**
     * Closes the watch: later sends fail, and receivers fail once they have seen the last value.
     * The last value stays readable. Idempotent.
     */
    public void close() {
        Version<T> previous = current();
        while (!previous.closed) {
            Version<T> closedVersion = new Version<>(previous.value, previous.version, true);
            @SuppressWarnings("unchecked")
            Version<T> witness = (Version<T>) CURRENT.compareAndExchange(this, previous, closedVersion);
            if (witness == previous) {
                break;
            }
            previous = witness;
        }
        changed.notifyAllWaiters();
    }

    /** Whether the watch was closed. */
    public boolean isClosed() {
        return current().closed;
    }

    @Override
    public String toString() {
        Version<T> now = current();
        return "Watch[version=" + now.version + (now.closed ? ", closed]" : "]");
    }

    @SuppressWarnings("unchecked")
    private Version<T> current() {
        return (Version<T>) CURRENT.getVolatile(this);
    }

    /**
     * One watcher's view of a {@link Watch}: the version it saw last. Use it from one task at a
     * time.
     *
     * @param <T> the value type
     */
    public static final class Receiver<T> {
        private final Watch<T> watch;
        private long seen;

        Receiver(Watch<T> watch, long seen) {
            this.watch = watch;
            this.seen = seen;
        }

        /** The latest value, without marking it seen. */
        public T get() {
            return watch.get();
        }

        /** The latest value, marked seen: {@link #changed()} then waits for a later one. */
        public T getAndMarkSeen() {
            Version<T> now = watch.current();
            seen = now.version;
            return now.value;
        }

        /** Whether a value this receiver has not seen was sent. */
        public boolean hasChanged() {
            return watch.current().version != seen;
        }

        /**
         * A task that completes with the latest value, marked seen, as soon as there is one this
         * receiver has not seen (at once if there is). Fails with a {@link ChannelClosedException}
         * if the watch is closed and the receiver has seen its last value.
         */
        public Task<T> changed() {
            return new Changed<>(this, null);
        }

        /**
         * A task that completes with the first value (the current one included) that matches
         * {@code condition}, marked seen. Fails with a {@link ChannelClosedException} if the watch
         * closes before one does.
         *
         * @throws NullPointerException if {@code condition} is null
         */
        public Task<T> waitFor(Predicate<? super T> condition) {
            if (condition == null) {
                throw new NullPointerException("condition must not be null");
            }
            return new Changed<>(this, condition);
        }

        @Override
        public String toString() {
            return "Watch.Receiver[seen=" + seen + "]";
        }
    }

    /**
     * {@link Receiver#changed()} and {@link Receiver#waitFor}: checks the version, and waits on the
     * watch's {@link Notify} with a wait created before the check, so a send between the check and
     * the wait is never missed.
     */
    private static final class Changed<T> implements Task<T> {
        private final Receiver<T> receiver;
        private final Predicate<? super T> condition;
        private boolean checkedCurrent;
        private Task<Void> notified;

        Changed(Receiver<T> receiver, Predicate<? super T> condition) {
            this.receiver = receiver;
            this.condition = condition;
        }

        @Override
        public Poll<T> poll(Context cx) throws Exception {
            Watch<T> watch = receiver.watch;
            for (;;) {
                Version<T> now = watch.current();
                // waitFor looks at the current value once even if it was seen before.
                boolean candidate = now.version != receiver.seen || (condition != null && !checkedCurrent);
                if (candidate) {
                    if (condition == null || condition.test(now.value)) {
                        if (!cx.consumeBudget()) {
                            return Poll.pending(); // nothing marked seen: the next poll finds it again
                        }
                        receiver.seen = now.version;
                        dropWait();
                        return Poll.ready(now.value);
                    }
                    receiver.seen = now.version; // looked at, did not match: wait for a later one
                    checkedCurrent = true;
                    continue;
                }
                if (now.closed) {
                    dropWait();
                    throw new ChannelClosedException("the Watch was closed");
                }
                if (notified == null) {
                    notified = watch.changed.notified(); // then look again before waiting on it
                    continue;
                }
                if (notified.poll(cx).isPending()) {
                    return Poll.pending();
                }
                notified = null;
            }
        }

        private void dropWait() {
            if (notified != null) {
                notified.cancel();
                notified = null;
            }
        }

        @Override
        public void cancel() {
            dropWait();
        }

        @Override
        public String toString() {
            return condition == null ? "Watch.Receiver.changed()" : "Watch.Receiver.waitFor(...)";
        }
    }
}
