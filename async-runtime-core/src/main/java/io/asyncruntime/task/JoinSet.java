package io.asyncruntime.task;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A group of spawned tasks whose lifetime is bound to the set (Tokio's {@code JoinSet}): spawn
 * into it, take results in the order the tasks finish with {@link #joinNext()}, stop them with
 * {@link #abortAll()} or {@link #shutdown()}. Closing the set aborts what it still holds, so a
 * try-with-resources block leaves no task of the set running.
 *
 * <pre>{@code
 * try (JoinSet<Integer> set = new JoinSet<>(runtime)) {
 *     for (String url : urls) {
 *         set.spawn(fetchLength(url));
 *     }
 *     int total = 0;
 *     while (!set.isEmpty()) {
 *         total += runtime.blockOn(set.joinNext());   // inside a task: flatMap on joinNext()
 *     }
 * }
 * }</pre>
 *
 * <p>The set keeps each task until its result is taken (as Tokio's does; {@link TaskTracker}
 * keeps none). Thread-safe: any thread may spawn, join, abort or close; several tasks may await
 * {@link #joinNext()} at once, each result goes to one of them. A pending {@code joinNext} that is
 * cancelled (a {@code select} it lost, a {@code timeout}) leaves nothing registered and takes no
 * result.
 *
 * @param <T> the tasks' value type
 */
public final class JoinSet<T> implements AutoCloseable {

    private final Spawner spawner;
    /** Tasks spawned and not yet joined, finished or not. */
    private final Set<Entry<T>> held = ConcurrentHashMap.newKeySet();
    /** Finished tasks in the order they finished, not yet joined. */
    private final ConcurrentLinkedQueue<Entry<T>> finished = new ConcurrentLinkedQueue<>();
    /** Tasks waiting in {@link #joinNext()} or {@link #shutdown()}. */
    private final ListenerStack waiters = new ListenerStack();
    private volatile boolean closed;

    /**
     * An empty set whose tasks are spawned on {@code spawner}.
     *
     * @param spawner the runtime to spawn on; not null
     */
    public JoinSet(Spawner spawner) {
        if (spawner == null) {
            throw new NullPointerException("spawner must not be null");
        }
        this.spawner = spawner;
    }

    /**
     * Spawns {@code task} into the set. The returned handle may be awaited or aborted directly;
     * the set still reports the task's outcome from {@link #joinNext()}.
     *
     * @param task not null
     * @throws IllegalStateException if the set is closed, or the runtime rejects the spawn
     */
    public <U extends T> JoinHandle<U> spawn(Task<U> task) {
        return add(spawnOpen(() -> spawner.spawn(task)));
    }

    /**
     * Spawns {@code task} into the set, in a lane, with a name (see {@link Spawner}).
     *
     * @param task not null
     * @param priority not null
     * @param name nullable
     */
    public <U extends T> JoinHandle<U> spawn(Task<U> task, Priority priority, String name) {
        return add(spawnOpen(() -> spawner.spawn(task, priority, name)));
    }

    private <U extends T> JoinHandle<U> spawnOpen(Supplier<JoinHandle<U>> spawn) {
        if (closed) {
            throw new IllegalStateException("this JoinSet is closed: it accepts no new tasks");
        }
        return spawn.get();
    }

    private <U extends T> JoinHandle<U> add(JoinHandle<U> handle) {
        Entry<T> entry = new Entry<>(this, handle);
        held.add(entry);
        if (closed) {
            handle.abort(); // close() ran after the check in spawnOpen and may have missed it
        }
        entry.arm();
        return handle;
    }

    /**
     * A task that completes with the value of the next task of the set to finish, in finish
     * order, and removes that task from the set. If that task failed, it fails with the same
     * exception; if it was aborted, with {@link TaskCancelledException}.
     *
     * <p>Fails with {@link NoSuchElementException} when the set holds no task at the time of the
     * poll (check {@link #isEmpty()} in a loop).
     */
    public Task<T> joinNext() {
        return new JoinNext();
    }

    /**
     * A task that joins every task of the set, including those spawned while it waits, and
     * completes with their values in finish order. The first failure (or abort) among them fails
     * it; the set keeps the tasks not joined yet.
     */
    public Task<List<T>> joinAll() {
        List<T> values = new ArrayList<>();
        return Task.loop(values, acc -> isEmpty()
                ? Task.completed(Step.done(acc))
                : joinNext().map(value -> {
                    acc.add(value);
                    return Step.next(acc);
                }));
    }

    /**
     * Aborts every task in the set (see {@link JoinHandle#abort()}). They stay in the set until
     * joined; an aborted task that had not finished yields {@link TaskCancelledException} from
     * {@link #joinNext()}.
     */
    public void abortAll() {
        for (Entry<T> entry : held) {
            entry.handle.abort();
        }
    }

    /**
     * A task that aborts every task in the set, then waits until all of them have finished and
     * removes them (their results are discarded). Completes at once on an empty set.
     */
    public Task<Void> shutdown() {
        return new Drain();
    }

    /** Number of tasks in the set: spawned and not yet joined. */
    public int size() {
        return held.size();
    }

    /** Whether the set holds no task. */
    public boolean isEmpty() {
        return held.isEmpty();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the set: no more spawns (they throw {@link IllegalStateException}), and every task
     * it still holds is aborted. Does not wait for them (await {@link #shutdown()} for that).
     * Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        abortAll();
    }

    /** Tasks waiting on this object right now: for tests. */
    int waitingTasks() {
        return waiters.liveListeners();
    }

    @Override
    public String toString() {
        return "JoinSet[size=" + size() + (closed ? ", closed]" : "]");
    }

    /** Takes the next finished entry out of the set, or null. Wakes waiters when it emptied the set. */
    private Entry<T> takeFinished() {
        Entry<T> entry = finished.poll();
        if (entry != null) {
            held.remove(entry);
            if (held.isEmpty()) {
                waiters.wakeAll(); // a concurrent joinNext may be waiting for this very entry
            }
        }
        return entry;
    }

    // ---- the awaiting side ----------------------------------------------------------------------

    /** Shared by joinNext and shutdown: the waiter registration of one awaiting task. */
    private abstract class Await<R> implements Task<R> {
        private ListenerStack.Waiter waiter;

        /** Registers {@code cx}'s waker unless already registered with it. */
        final void register(Context cx) {
            Waker waker = cx.waker();
            if (waiter != null && waiter.wakes(waker)) {
                return;
            }
            if (waiter != null) {
                waiter.remove();
            }
            waiter = waiters.pushWaiter(waker);
        }

        final void unregister() {
            if (waiter != null) {
                waiter.remove();
                waiter = null;
            }
        }

        @Override
        public final void cancel() {
            unregister();
        }
    }

    private final class JoinNext extends Await<T> {
        @Override
        public Poll<T> poll(Context cx) throws Exception {
            for (;;) {
                if (!finished.isEmpty()) {
                    if (!cx.consumeBudget()) {
                        return Poll.pending();
                    }
                    Entry<T> entry = takeFinished();
                    if (entry != null) {
                        unregister();
                        return Poll.ready(entry.outcome());
                    }
                }
                if (held.isEmpty()) {
                    unregister();
                    throw new NoSuchElementException("joinNext() on an empty JoinSet: every task was already joined");
                }
                register(cx);
                // Re-check after registering: a task that finished before the push woke nobody.
                if (finished.isEmpty() && !held.isEmpty()) {
                    return Poll.pending();
                }
            }
        }
    }

    /** {@link #shutdown()}: abort everything once, then take finished entries until none is held. */
    private final class Drain extends Await<Void> {
        private boolean aborted;

        @Override
        public Poll<Void> poll(Context cx) {
            if (!aborted) {
                aborted = true;
                abortAll();
            }
            for (;;) {
                while (takeFinished() != null) {
                    // discarded
                }
                if (held.isEmpty()) {
                    unregister();
                    return Poll.ready(null);
                }
                register(cx);
                if (finished.isEmpty() && !held.isEmpty()) {
                    return Poll.pending();
                }
            }
        }
    }

    // ---- the spawned side -----------------------------------------------------------------------

    /**
     * One spawned task of the set. It awaits its handle with itself as the waker, through the
     * public {@link Task#poll} of the handle, and moves to {@link #finished} (once) when the handle
     * is done.
     */
    private static final class Entry<T> implements Waker, Context {
        private final JoinSet<T> set;
        final JoinHandle<? extends T> handle;
        private final AtomicBoolean queued = new AtomicBoolean();

        Entry(JoinSet<T> set, JoinHandle<? extends T> handle) {
            this.set = set;
            this.handle = handle;
        }

        /** Registers this entry as the handle's waiter, or queues it at once if the task is done. */
        void arm() {
            try {
                if (handle.poll(this).isPending()) {
                    return;
                }
            } catch (Exception finishedWithFailure) {
                // done; the failure is reported by outcome()
            }
            finishedNow();
        }

        @Override
        public void wake() {
            if (handle.isFinished()) {
                finishedNow();
            } else {
                arm(); // a spurious wake: wait again
            }
        }

        private void finishedNow() {
            if (queued.compareAndSet(false, true)) {
                set.finished.add(this);
                set.waiters.wakeAll();
            }
        }

        /** The finished task's value, or its failure rethrown. */
        @SuppressWarnings("unchecked")
        T outcome() throws Exception {
            return (T) handle.poll(this).value();
        }

        @Override
        public Waker waker() {
            return this;
        }

        @Override
        public boolean consumeBudget() {
            return true; // the awaiting task spent its unit in JoinNext
        }

        @Override
        public void requestYield() {
        }
    }
}
