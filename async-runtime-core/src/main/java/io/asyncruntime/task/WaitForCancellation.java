package io.asyncruntime.task;

/**
 * The task of {@link CancellationToken#cancelled()}: ready once the token is cancelled.
 *
 * <p>The first pending poll pushes one waiter on the token and attaches the token to its
 * ancestors; later polls with the same waker do nothing. Readiness is read from the token's own
 * flag, which is O(1): a waiter on an attached token is fired by any ancestor's cancel, and an
 * attach that finds an ancestor already cancelled cancels the token on the spot, so the flag is
 * all a registered wait needs. Cancelling this task empties its waiter at once.
 */
final class WaitForCancellation implements Task<Void> {

    private final CancellationToken token;
    /** This wait's registration; owned by the poller (poll and cancel never run concurrently). */
    private ListenerStack.Waiter waiter;

    WaitForCancellation(CancellationToken token) {
        this.token = token;
    }

    @Override
    public Poll<Void> poll(Context cx) {
        if (token.isClosed()) {
            waiter = null;
            return Poll.ready(null);
        }
        Waker waker = cx.waker();
        if (waiter != null) {
            if (waiter.wakes(waker)) {
                return Poll.pending(); // polled again before the token was cancelled: still registered
            }
            waiter.remove(); // polled with another waker: move the registration to it
        }
        ListenerStack.Waiter fresh = token.pushWaiter(waker);
        if (fresh == null) {
            waiter = null;
            return Poll.ready(null); // cancelled between the check and the push
        }
        waiter = fresh;
        CancellationToken orphan = token.attach();
        if (orphan != null) {
            // An ancestor was cancelled before this token was attached below it: the token is
            // cancelled too. Take the waiter out first so that the task is not woken for nothing.
            fresh.remove();
            waiter = null;
            orphan.cancel();
            return Poll.ready(null);
        }
        if (token.isClosed()) {
            fresh.remove(); // a cancel raced with the push; unless it fired us already, no wake
            waiter = null;
            return Poll.ready(null);
        }
        return Poll.pending();
    }

    @Override
    public void cancel() {
        ListenerStack.Waiter registered = waiter;
        if (registered != null) {
            waiter = null;
            registered.remove();
        }
    }

    @Override
    public String toString() {
        return "CancellationToken.cancelled(" + token + ")";
    }
}
