package io.asyncruntime.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
    // The awaiting side (JoinNext, JoinSetDrain) uses the package-private fields and leave/abortAll.
    /** Tasks spawned and not yet joined, finished or not. */
    final Set<Entry<T>> held = ConcurrentHashMap.newKeySet();
    /** Finished tasks in the order they finished, not yet joined. */
    final ConcurrentLinkedQueue<Entry<T>> finished = new ConcurrentLinkedQueue<>();
    /** Tasks waiting in {@link #joinNext()} or {@link #shutdown()}. */
    final ListenerStack waiters = new ListenerStack();
    private volatile boolean closed;
    /**
     * {@link #shutdown()} drains in progress (polled once and not finished or cancelled): while
     * one is, a spawn aborts its new task, since the drain waits for every held task and aborted
     * the others only once. The spawner writes the entry's handle, then reads this; a drain
     * increments this, then reads the handles: both volatile, so one of them sees the other.
     */
    final AtomicInteger draining = new AtomicInteger();

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
        return spawnMember(task, null, null);
    }

    /**
     * Spawns {@code task} into the set, in a lane, with a name (see {@link Spawner}).
     *
     * @param task not null
     * @param priority not null
     * @param name nullable
     */
    public <U extends T> JoinHandle<U> spawn(Task<U> task, Priority priority, String name) {
        if (priority == null) {
            throw new NullPointerException("priority must not be null");
        }
        return spawnMember(task, priority, name);
    }

    private <U extends T> JoinHandle<U> spawnMember(Task<U> task, Priority priority, String name) {
        if (task == null) {
            throw new NullPointerException("task must not be null");
        }
        if (closed) {
            throw new IllegalStateException("this JoinSet is closed: it accepts no new tasks");
        }
        Entry<T> entry = new Entry<>(this);
        Member<U> member = new Member<>(task, entry);
        held.add(entry); // before it can finish and be joined: a join removes it from held
        JoinHandle<U> handle;
        try {
            handle = priority == null ? spawner.spawn(member) : spawner.spawn(member, priority, name);
        } catch (RuntimeException | Error rejected) {
            leave(entry);
            throw rejected;
        }
        entry.handle = handle;
        if (entry.finished) {
            entry.enqueue(); // it finished before its handle was known: queue it now
        }
        if (closed || draining.get() > 0) {
            // close() ran after the check above and may have missed it, or a shutdown() drains
            // the set and would otherwise wait for this task as long as it runs.
            handle.abort();
        }
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
        return new JoinNext<>(this);
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
            JoinHandle<? extends T> handle = entry.handle;
            if (handle != null) { // null: being spawned; its spawner re-checks closed
                handle.abort();
            }
        }
    }

    /**
     * A task that aborts every task in the set, then waits until all of them have finished and
     * removes them (their results are discarded); when it completes, every handle {@link #spawn}
     * returned for them is done. Completes at once on an empty set. A task
     * spawned into the set while it drains (from its first poll until it completes or is
     * cancelled) is aborted as it is spawned, so the drain ends.
     */
    public Task<Void> shutdown() {
        return new JoinSetDrain<>(this);
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

    /** {@code entry}'s result was taken: it leaves the set. Wakes waiters when that emptied it. */
    void leave(Entry<T> entry) {
        held.remove(entry);
        if (held.isEmpty()) {
            waiters.wakeAll(); // a concurrent joinNext may be waiting for this very entry
        }
    }

    // ---- the spawned side -----------------------------------------------------------------------

    /**
     * One spawned task of the set. Its {@link Member} wrapper marks it finished at the end of the
     * task's last poll (or its cancellation), which queues it in {@link #finished} once; the
     * handle completes a moment later, and a join or a drain that gets there first waits on the handle.
     */
    static final class Entry<T> {
        private final JoinSet<T> set;
        /** Set by the spawner right after the spawn returned; read by joins (through the queue). */
        volatile JoinHandle<? extends T> handle;
        /** The task said it finished. */
        volatile boolean finished;
        private final AtomicBoolean queued = new AtomicBoolean();

        Entry(JoinSet<T> set) {
            this.set = set;
        }

        /** Called by the task when it finished: queues the entry if the spawner already holds it. */
        void taskFinished() {
            finished = true;
            if (handle != null) {
                enqueue();
            }
        }

        /**
         * Queues the entry once. Called by the task when it finished, and by the spawner after it
         * set {@link #handle}: whichever of the two comes second sees the other's write (both
         * volatile), so the entry is queued, and only once, with its handle set.
         */
        void enqueue() {
            if (handle != null && queued.compareAndSet(false, true)) {
                set.finished.add(this);
                set.waiters.wakeAll();
            }
        }
    }

    /**
     * The task as spawned into the set: the user's task, reporting to its entry when it finishes
     * (value or failure) or is cancelled. Poll and cancel never run concurrently.
     */
    private static final class Member<U> extends FinishReportingTask<U> {
        private final Entry<?> entry;

        Member(Task<U> inner, Entry<?> entry) {
            super(inner);
            this.entry = entry;
        }

        @Override
        void onFinished() {
            entry.taskFinished();
        }
    }
}
