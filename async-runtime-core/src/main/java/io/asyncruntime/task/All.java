package io.asyncruntime.task;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Runs tasks concurrently inside one task and collects their values in order.
 *
 * <p>{@code all}: waits for every branch; if any failed, fails with the first failure (in
 * completion order) once all are done, the other failures attached as suppressed. {@code tryAll}:
 * the first failure cancels every unfinished branch and fails at once.
 *
 * <p>Each branch is polled with its own waker ({@link Branch}), so a wake re-polls only the branch
 * that was woken: joining n tasks costs O(n) polls in all, not O(n) per wake. A woken branch
 * pushes itself on a lock-free stack of ready branches (once, guarded by its {@code queued} flag)
 * and wakes the parent; the parent's poll drains the stack. Invariant: a branch is on the ready
 * stack at most once, and a wake that arrives while its branch is being polled is kept (the flag
 * is cleared before the poll, not after).
 */
final class All<T> implements Task<List<T>> {

    private static final VarHandle READY;

    static {
        try {
            READY = MethodHandles.lookup().findVarHandle(All.class, "ready", Branch.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Branch[] branches;
    private final Object[] values;
    private final boolean failFast;
    private int remaining;
    private Throwable failure;
    private boolean started;
    /** Branches woken since the last poll; a Treiber stack linked through {@link Branch#next}. */
    @SuppressWarnings("unused") // through READY
    private volatile Branch ready;
    /** The parent's waker, refreshed at every poll; branches wake it. */
    private volatile Waker parentWaker;

    All(List<? extends Task<? extends T>> tasks, boolean failFast) {
        if (tasks == null) {
            throw new NullPointerException("tasks must not be null");
        }
        this.branches = new Branch[tasks.size()];
        for (int i = 0; i < branches.length; i++) {
            Task<? extends T> task = tasks.get(i);
            if (task == null) {
                throw new NullPointerException("task at index " + i + " is null");
            }
            branches[i] = new Branch(this, i, task);
        }
        this.values = new Object[branches.length];
        this.remaining = branches.length;
        this.failFast = failFast;
    }

    @Override
    public Poll<List<T>> poll(Context cx) throws Exception {
        parentWaker = cx.waker();
        if (!started) {
            started = true;
            for (Branch branch : branches) {
                pollBranch(branch, cx);
            }
        } else {
            for (Branch branch = takeReady(); branch != null; ) {
                Branch next = branch.next;
                branch.next = null;
                pollBranch(branch, cx);
                branch = next;
            }
        }
        if (remaining > 0) {
            return Poll.pending();
        }
        if (failure != null) {
            throw Failures.rethrow(failure);
        }
        List<T> result = new ArrayList<>(values.length);
        for (Object value : values) {
            @SuppressWarnings("unchecked")
            T typed = (T) value;
            result.add(typed);
        }
        Arrays.fill(values, null);
        return Poll.ready(Collections.unmodifiableList(result));
    }

    private void pollBranch(Branch branch, Context cx) throws Exception {
        if (branch.task == null || remaining == 0) {
            return;
        }
        branch.queued = false; // a wake from here on queues the branch again
        Poll<?> polled;
        try {
            polled = branch.task.poll(branch.enter(cx));
        } catch (Throwable t) {
            branch.finish();
            remaining--;
            if (failure == null) {
                failure = t;
            } else if (failure != t) {
                failure.addSuppressed(t);
            }
            if (failFast) {
                cancelUnfinished();
                throw Failures.rethrow(failure);
            }
            return;
        } finally {
            branch.leave();
        }
        if (polled.isReady()) {
            branch.finish();
            values[branch.index] = polled.value();
            remaining--;
        }
    }

    /** For tests: whether branch {@code index} still runs and is queued to be polled again. */
    boolean isQueuedForRepoll(int index) {
        return branches[index].task != null && branches[index].queued;
    }

    /** For tests: whether branch {@code index} finished. */
    boolean isBranchFinished(int index) {
        return branches[index].task == null;
    }

    private Branch takeReady() {
        return (Branch) READY.getAndSet(this, (Branch) null);
    }

    /** Puts a woken branch on the ready stack and wakes the parent. */
    void pushReady(Branch branch) {
        pushReadyWithoutWake(branch);
        Waker parent = parentWaker;
        if (parent != null) {
            parent.wake();
        }
    }

    private void cancelUnfinished() {
        for (Branch branch : branches) {
            Task<?> task = branch.task;
            if (task != null) {
                branch.finish(); // before the cancel: a handle told of the give-up sees this waker obsolete
                Failures.cancelQuietly(task, failure);
            }
        }
        remaining = 0;
    }

    @Override
    public void cancel() {
        cancelUnfinished();
    }

    /**
     * One branch: its task, its waker, and the context its polls see (the parent's, re-wakered).
     * The waker is {@linkplain Waker#isObsolete() obsolete} once the branch finished or was
     * cancelled: it is never polled again, so whatever it registered on (a handle awaited by this
     * branch) may drop it. A task that keeps giving up joins over one long-lived handle (a loop of
     * {@code timeout(join(handle, ...))}) makes a fresh branch each time; without this, the
     * handle's list would keep one node per round for as long as the task lives.
     */
    private static final class Branch implements Waker, Context {
        private static final VarHandle QUEUED;
        private static final VarHandle TASK;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                QUEUED = lookup.findVarHandle(Branch.class, "queued", boolean.class);
                TASK = lookup.findVarHandle(Branch.class, "task", Task.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final All<?> parent;
        final int index;
        /**
         * Owned by the parent's poller (plain reads there); null once the branch finished, and
         * never non-null again. Nulled through {@link #finish()} because other threads read it
         * in {@link #isObsolete()}.
         */
        Task<?> task;
        /** Whether the branch is on the ready stack (or its wake is otherwise pending). */
        volatile boolean queued;
        /** Link in the ready stack; written before the push CAS publishes it. */
        Branch next;
        /** The parent's context during this branch's poll; null otherwise. */
        private Context outer;

        Branch(All<?> parent, int index, Task<?> task) {
            this.parent = parent;
            this.index = index;
            this.task = task;
        }

        Context enter(Context cx) {
            outer = cx;
            return this;
        }

        void leave() {
            outer = null;
        }

        @Override
        public void wake() {
            if (QUEUED.compareAndSet(this, false, true)) {
                parent.pushReady(this);
            }
        }

        /** The branch finished or was cancelled: it is never polled again. Parent's poller only. */
        void finish() {
            // Opaque: readers of isObsolete() need only this variable, coherently (a null once
            // seen stays seen); the write publishes nothing else they read.
            TASK.setOpaque(this, (Task<?>) null);
        }

        /** Obsolete once finished; monotonic, as {@code task} never becomes non-null again. */
        @Override
        public boolean isObsolete() {
            return TASK.getOpaque(this) == null;
        }

        @Override
        public Waker waker() {
            return this;
        }

        @Override
        public boolean consumeBudget() {
            if (outer.consumeBudget()) {
                return true;
            }
            // The parent will be polled again (the outer context arranged it); this branch must be
            // among the ones that poll re-polls.
            repollLater();
            return false;
        }

        @Override
        public void requestYield() {
            repollLater();
            outer.requestYield();
        }

        /** Queues this branch for the parent's next poll without waking the parent. */
        private void repollLater() {
            if (QUEUED.compareAndSet(this, false, true)) {
                parent.pushReadyWithoutWake(this);
            }
        }
    }

    void pushReadyWithoutWake(Branch branch) {
        Branch head = (Branch) READY.getVolatile(this);
        for (;;) {
            branch.next = head;
            Branch witness = (Branch) READY.compareAndExchange(this, head, branch);
            if (witness == head) {
                return;
            }
            head = witness;
        }
    }
}
