package io.asyncruntime.internal.scheduler;

import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs completion cascades iteratively: a trampoline, one per thread.
 *
 * <p>Completing a cell wakes its waiters, and a wake can complete another cell on the same thread:
 * after shutdown a woken cell is cancelled right away ({@code Scheduler.schedule} →
 * {@code cancelQueued} → complete), an abort completes an idle cell inline, a stage callback can
 * abort another handle; and cancelling a task runs its {@code cancel()}, which may wake another
 * task (a released permit, a closed channel), cancelled in turn after shutdown. Called
 * recursively, a chain of n tasks each awaiting the previous one needs n nested frames and
 * overflows the stack at about a thousand links. Here the first step on a thread (a waiter list
 * to wake, or a task to cancel because the runtime shut down) runs, and then, in a loop, every
 * step it caused; a nested step only queues itself. The stack stays constant, and every step runs,
 * oldest first, before the outermost call returns.
 *
 * <p><b>User code inside a delivery.</b> A {@code CompletionStage} callback of a handle runs in the
 * delivery of that handle's completion (its {@code StageBridge} is a waiter), and it is user code
 * that may block: abort another handle, then {@code get()} a third that awaits it. Had the wakes
 * that abort causes been queued in the frame the callback runs in, they would wait for the callback
 * to return, and the callback for them: a deadlock. So user code runs through
 * {@link #runOutsideDelivery}, which opens a fresh frame: the queue of the delivery around it is
 * set aside, and every cascade the user code starts is delivered in full before the call that
 * started it returns, exactly as on a thread that is not delivering. The delivery around it goes on
 * afterwards. The steps the runtime itself runs (task wakers, cancels after shutdown) never block,
 * so they stay trampolined, and a cascade of them runs in constant stack.
 *
 * <p><b>Deep user code.</b> Fresh frames nest (a chain of callbacks each aborting the next handle
 * recurses once per link, as chained {@code CompletableFuture} callbacks do), so at most
 * {@value #MAX_USER_FRAMES} nest on a thread. Past that, user code is handed to a thread of its
 * own ({@link CallbackHandOff}), where it starts with an empty stack and no delivery around it:
 * one thread per outermost delivery, running that delivery's deep user code in order.
 * Running it inline in the current frame instead would queue its wakes behind it, which is the
 * deadlock above moved to depth {@code MAX_USER_FRAMES + 1} (issue 15 review,
 * DeepCallbackChainDeliveryDeadlockTest). This is Netty's stack-overflow protection in
 * {@code DefaultPromise} (listeners notified inline up to a depth of 8, then as a task on the
 * promise's executor) with a hand-off that never refuses, and the way {@code CompletableFuture}'s
 * async methods fall back to a thread per task.
 *
 * <p><b>Ordering.</b> Every step runs exactly once. On one thread, the steps of a delivery run
 * oldest first. User code up to {@code MAX_USER_FRAMES} deep runs, with all it causes delivered,
 * before the wake that reached it returns; deeper user code runs after its outcome is published,
 * as any stage callback, in the order it was reached, but possibly after the wake that reached it
 * returned and concurrently with the rest of that delivery (as if the callback had been registered with
 * {@code whenCompleteAsync}). The callbacks of one handle are one unit of user code (one
 * {@code CompletableFuture} completion), so they stay on one thread in {@code CompletableFuture}'s
 * order.
 *
 * <p>Thread-confined: workers keep theirs in their {@link WorkerThread} (no thread-local lookup
 * on the hot path); other threads get one from a thread-local.
 */
final class CompletionCascade {

    private static final Logger log = LoggerFactory.getLogger(CompletionCascade.class);

    private static final ThreadLocal<CompletionCascade> OFF_WORKER = ThreadLocal.withInitial(CompletionCascade::new);

    /**
     * A queue that grew past this many steps is dropped once the cascade ended, so a thread that
     * once ran a long cascade (a pool thread keeps its thread-local for its lifetime) does not
     * keep an array sized for it.
     */
    private static final int RETAINED_CAPACITY = 1024;

    /**
     * How many {@link #runOutsideDelivery} frames may nest on one thread; past it, user code is
     * handed to another thread ({@link CallbackHandOff}), so the stack stays bounded whatever users
     * do. Netty's {@code DefaultPromise} bounds its inline listener nesting at the same depth.
     */
    static final int MAX_USER_FRAMES = 8;

    /** Steps queued by nested ones: {@link Waiters} lists to wake, {@link ScheduledTask}s to cancel. */
    private ArrayDeque<Object> queued = new ArrayDeque<>();
    private boolean running;
    /** User-code frames opened inside deliveries on this thread, now; at most {@link #MAX_USER_FRAMES}. */
    private int userFrames;
    /**
     * The hand-off lane of this thread's outermost delivery, from its first callback past
     * {@link #MAX_USER_FRAMES}; dropped when that delivery ends, so the next one gets its own.
     */
    private CallbackHandOff.Lane deepLane;

    private static CompletionCascade here() {
        return Thread.currentThread() instanceof WorkerThread worker ? worker.completionCascade : OFF_WORKER.get();
    }

    /** Wakes every waiter of {@code taken}, a list taken off a completed cell. */
    static void wakeAll(Waiters taken) {
        here().run(taken);
    }

    /**
     * Completes {@code task}, just queued after shutdown (so it will never run), as cancelled. The
     * caller holds it out of every queue, as {@link ScheduledTask#cancelQueued} requires.
     */
    static void cancelAfterShutdown(ScheduledTask task) {
        here().run(task);
    }

    /**
     * Runs {@code userCode} (a callback that may block) so that the wakes it causes are not held
     * back by the delivery it runs in: see the class comment. Returns when it returned (what it
     * throws propagates, after the delivery's state is restored), or, nested past
     * {@link #MAX_USER_FRAMES}, once it was handed to another thread.
     */
    static void runOutsideDelivery(Runnable userCode) {
        here().runInFreshFrame(userCode);
    }

    private void runInFreshFrame(Runnable userCode) {
        if (!running) {
            userCode.run(); // not delivering: nothing is held back
            return;
        }
        if (userFrames >= MAX_USER_FRAMES) {
            if (deepLane == null) {
                deepLane = new CallbackHandOff.Lane();
            }
            deepLane.submit(userCode); // a fresh stack, on a thread that is not delivering
            return;
        }
        ArrayDeque<Object> outer = queued;
        queued = new ArrayDeque<>();
        running = false;
        userFrames++;
        try {
            userCode.run();
        } finally {
            userFrames--;
            ArrayDeque<Object> inner = queued;
            queued = outer;
            running = true;
            // Empty unless an Error escaped a cascade the user code started: keep its steps.
            queued.addAll(inner);
        }
    }

    private void run(Object first) {
        if (running) {
            queued.addLast(first);
            return;
        }
        running = true;
        int steps = 0;
        try {
            for (Object step = first; step != null; step = queued.pollFirst()) {
                runStep(step);
                steps++;
            }
        } finally {
            // runStep contains every failure of a step, so this runs with the queue empty; should
            // an Error escape anyway, the steps left run at this thread's next call.
            running = false;
            if (userFrames == 0) {
                deepLane = null; // the outermost delivery ended: its deep callbacks keep their lane
            }
            if (steps > RETAINED_CAPACITY && queued.isEmpty()) {
                queued = new ArrayDeque<>();
            }
        }
    }

    private static void runStep(Object step) {
        if (step instanceof Waiters list) {
            Waiters.wakeEach(list); // contains each waker's failure
            return;
        }
        try {
            ((ScheduledTask) step).cancelQueued(Scheduler.SHUTDOWN_CANCELLATION);
        } catch (Throwable bug) {
            // cancelQueued contains what the task's cancel() throws; reaching here is a runtime bug.
            log.error("cancelling {} after shutdown failed; the cascade goes on", step, bug);
        }
    }
}
