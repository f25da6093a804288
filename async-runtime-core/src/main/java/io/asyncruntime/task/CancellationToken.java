package io.asyncruntime.task;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;

/**
 * A signal that work should stop, shared between whoever decides (calls {@link #cancel()}) and the
 * tasks that watch it ({@link #cancelled()}, {@link #runUntilCancelled}, {@link #isCancelled()}).
 * Tokens form a tree: a {@link #child()} is cancelled with its parent, never the reverse. The
 * runtime's root token ({@code AsyncRuntime.cancellationToken()}) is cancelled when a graceful
 * shutdown begins.
 *
 * <pre>{@code
 * CancellationToken request = runtime.cancellationToken().child();
 * runtime.spawn(request.runUntilCancelled(handle(connection)));   // ends when either ends
 * ...
 * request.cancel();                                               // or the runtime shuts down
 * }</pre>
 *
 * <p><b>Cost.</b> {@link #child()} is O(1) and registers nothing: a child becomes known to its
 * parent only once something waits on it (a task in {@link #cancelled()}, or a child that is
 * waited on), and is forgotten again when nothing does. So a long-lived parent with a child per
 * request does not grow: children that are dropped, or cancelled, or whose waits were abandoned,
 * are pruned from the parent as it is used. Cancelling visits each waited-on token of the subtree
 * once, iteratively (a chain of 100,000 tokens needs no deep stack), and wakes each waiting task
 * once. {@link #isCancelled()} is O(depth of the token) while no ancestor is cancelled, O(1) after.
 *
 * <p><b>Protocol.</b> A token's listeners (waiting tasks, and the links of its attached children)
 * are a lock-free {@link ListenerStack}; cancelling closes it and fires what it held. Invariant:
 * a token with a live listener is attached (its {@link #link} is in its parent's stack, and so on
 * up to the root), or the thread that made it live is attaching it, or it is cancelled. Two rules
 * keep it: whoever adds a live listener then makes sure the token is attached
 * ({@link #ensureAttached}: push, then read the link); whoever detaches a child that looked idle
 * (a compaction of the parent) clears the child's link, then looks at the child's listeners again
 * and re-attaches it if one appeared. Both sides write, then read the other's field, with volatile
 * accesses, so at least one of them sees the other (a Dekker pair). An attach whose push finds the
 * parent closed cancels the token itself: the parent's cancel could not see it.
 *
 * <p>Thread-safe and lock-free; no method blocks. The waiting tasks' wakers run on the thread that
 * cancels.
 */
public final class CancellationToken extends ListenerStack {

    private static final VarHandle LINK;

    static {
        try {
            LINK = MethodHandles.lookup().findVarHandle(CancellationToken.class, "link", Link.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The parent; null for a root token. */
    private final CancellationToken parent;
    /**
     * This token's node in its parent's listener stack while attached; null while detached. Set
     * from null by a CAS (one attacher wins), cleared by the parent's compaction with a CAS.
     */
    @SuppressWarnings("unused") // through LINK
    private Link link;

    /** A new root token: not cancelled, with no parent. */
    public CancellationToken() {
        this(null);
    }

    private CancellationToken(CancellationToken parent) {
        this.parent = parent;
    }

    /**
     * A new token that is cancelled when this one is (at once, if this one already is). Cancelling
     * the child does not cancel this token. O(1): the child registers with this token only while
     * something waits on it.
     */
    public CancellationToken child() {
        return new CancellationToken(this);
    }

    /**
     * Cancels this token and every token below it, and wakes every task waiting on any of them,
     * each once. Idempotent; safe from any thread, including from inside a task. The whole subtree
     * is cancelled when this returns. If a waker throws, the others are still woken and the first
     * failure is rethrown.
     */
    public void cancel() {
        ArrayDeque<CancellationToken> pending = null;
        RuntimeException failure = null;
        for (CancellationToken token = this; token != null; token = pending == null ? null : pending.poll()) {
            Listener chain = token.close();
            if (chain == CLOSED) {
                continue;
            }
            for (Listener n = chain; n != null; n = n.next) {
                if (n instanceof Link childLink) {
                    if (pending == null) {
                        pending = new ArrayDeque<>();
                    }
                    pending.add(childLink.child);
                } else if (n instanceof Waiter waiter) {
                    try {
                        waiter.fire();
                    } catch (RuntimeException e) {
                        if (failure == null) {
                            failure = e;
                        } else {
                            failure.addSuppressed(e);
                        }
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Whether this token, or any of its ancestors, was cancelled. Linearizable: once
     * {@link #cancel()} was called on an ancestor, every descendant reports true, even while that
     * cancel is still waking tasks. O(depth) while nothing above is cancelled; a true answer also
     * marks the tokens on the way, so the next call is O(1).
     */
    public boolean isCancelled() {
        if (isClosed()) {
            return true;
        }
        for (CancellationToken ancestor = parent; ancestor != null; ancestor = ancestor.parent) {
            if (ancestor.isClosed()) {
                for (CancellationToken t = this; t != ancestor; t = t.parent) {
                    t.cancel();
                }
                return true;
            }
        }
        return false;
    }

    /**
     * A task that completes (with {@code null}) when this token is cancelled, at once if it
     * already is. Each call returns a new task. Cancelling the task (a {@code select} it lost, a
     * {@code timeout}) removes its registration: nothing stays behind.
     */
    public Task<Void> cancelled() {
        return new WaitForCancellation(this);
    }

    /**
     * A task that runs {@code task} until this token is cancelled: it completes with the task's
     * value or failure if the task finishes first; if the token is cancelled first (or already
     * is), the task is cancelled and this one fails with {@link TaskCancelledException}. When both
     * are ready at the same poll, cancellation wins (as Tokio's {@code run_until_cancelled}).
     *
     * @param task the work to run; not null
     * @throws NullPointerException if {@code task} is null
     */
    public <T> Task<T> runUntilCancelled(Task<T> task) {
        if (task == null) {
            throw new NullPointerException("task must not be null");
        }
        return new RunUntilCancelled<>(this, task);
    }

    /**
     * A guard that cancels this token when closed: use it in try-with-resources to cancel the
     * work started under the token however the block is left.
     */
    public Guard guard() {
        return new Guard(this);
    }

    @Override
    public String toString() {
        return "CancellationToken[" + (isCancelled() ? "cancelled" : "active") + (parent == null ? ", root]" : "]");
    }

    // ---- attachment ----------------------------------------------------------------------------

    /**
     * Makes sure this token and its ancestors are attached, from here up to the first one that
     * already is (see "Protocol"). Called after a live listener was pushed on this token.
     */
    void ensureAttached() {
        CancellationToken orphan = attach();
        if (orphan != null) {
            orphan.cancel();
        }
    }

    /**
     * The work of {@link #ensureAttached}, except that a token whose parent turns out to be
     * cancelled is returned rather than cancelled: the caller cancels it, after first removing a
     * waiter it does not want woken. Returns null when the chain is attached.
     */
    CancellationToken attach() {
        for (CancellationToken t = this; t.parent != null; t = t.parent) {
            if (LINK.getVolatile(t) != null) {
                return null;
            }
            Link fresh = new Link(t);
            if (!LINK.compareAndSet(t, null, fresh)) {
                return null; // another thread attached it and goes on upwards
            }
            if (!t.parent.push(fresh)) {
                // The parent is cancelled and its cancel ran before this link was there to see:
                // t must be cancelled by whoever attached it.
                return t;
            }
        }
        return null;
    }

    /** Tasks waiting on this very token (not its children) right now: for tests and diagnostics. */
    int waitingTasks() {
        int waiting = 0;
        for (Listener n = top(); n != null; n = n.next) {
            if (n instanceof Waiter && n.isLive()) {
                waiting++;
            }
        }
        return waiting;
    }

    /** Whether this token is attached to its parent now: for tests. */
    boolean isAttached() {
        Link current = (Link) LINK.getVolatile(this);
        if (current == null) {
            return false;
        }
        for (Listener n = parent.top(); n != null; n = n.next) {
            if (n == current) {
                return true;
            }
        }
        return false;
    }

    CancellationToken parent() {
        return parent;
    }

    /**
     * A child's node in its parent's listener stack. Live while the child still points at it;
     * a compaction of the parent drops it, and detaches the child, when nothing waits below it.
     */
    private static final class Link extends Listener {
        final CancellationToken child;

        Link(CancellationToken child) {
            this.child = child;
        }

        @Override
        boolean isLive() {
            return LINK.getVolatile(child) == this;
        }

        @Override
        boolean survivesCompaction() {
            if (LINK.getVolatile(child) != this) {
                return false; // stale: the child was detached, and maybe attached again by another link
            }
            if (child.hasLiveListener()) {
                return true;
            }
            // Idle (nothing waits on it or below it), or cancelled: detach, then look again; a
            // listener that arrived meanwhile either saw the cleared link or is seen here.
            if (LINK.compareAndSet(child, this, null) && child.hasLiveListener()) {
                child.ensureAttached();
            }
            return false;
        }
    }

    /**
     * A cancellation guard: {@link #close()} cancels the token unless the guard was
     * {@link #disarm() disarmed}. Thread-safe.
     */
    public static final class Guard implements AutoCloseable {
        private final CancellationToken token;
        private volatile boolean disarmed;

        private Guard(CancellationToken token) {
            this.token = token;
        }

        /** The guarded token. */
        public CancellationToken token() {
            return token;
        }

        /** Keeps the token from being cancelled by {@link #close()}; returns it. */
        public CancellationToken disarm() {
            disarmed = true;
            return token;
        }

        /** Cancels the token, unless disarmed. Idempotent. */
        @Override
        public void close() {
            if (!disarmed) {
                token.cancel();
            }
        }
    }
}
