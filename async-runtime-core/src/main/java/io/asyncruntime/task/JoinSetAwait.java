package io.asyncruntime.task;

/**
 * What {@link JoinSet#joinNext()} and {@link JoinSet#shutdown()} share: the waiter registration
 * of one awaiting task on the set's waiters. At most one registration at a time; a cancelled
 * await removes it, so an abandoned wait (a {@code select} it lost, a {@code timeout}) leaves
 * nothing registered.
 */
abstract class JoinSetAwait<R> implements Task<R> {
    private final ListenerStack waiters;
    private ListenerStack.Waiter waiter;

    JoinSetAwait(ListenerStack waiters) {
        this.waiters = waiters;
    }

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
        onCancel();
    }

    /** What else a cancelled await gives back. */
    void onCancel() {
    }
}
