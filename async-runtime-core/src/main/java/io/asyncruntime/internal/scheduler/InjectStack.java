package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The lock-free intrusive stack under {@link InjectQueue}: producers push with one CAS, one
 * consumer at a time (a try-acquire flag) takes the whole stack and reverses it into its private
 * list. The spawn word, the take and the shutdown and dump walks are {@link InjectQueue}'s.
 *
 * <h2>Design</h2>
 *
 * Intrusive (linked through {@link ScheduledTask#queueNext}, so pushing never allocates) and in
 * two parts:
 *
 * <ul>
 *   <li>{@code top}: a stack of pushed tasks, newest first. A producer links its task to the
 *       current top and CASes {@code top} to it (Treiber push). A batch is pushed with one CAS:
 *       the producer first reverses the batch's links so that it lies newest first too.
 *   <li>{@code head}: the consumer's private list, oldest first. When it runs dry, the consumer
 *       takes the whole stack with one exchange to {@code null} and reverses it: that gives the
 *       tasks in exactly the order their CASes succeeded.
 *   <li>One consumer at a time: workers take turns through a try-acquire flag. A worker that finds
 *       the flag taken gets {@code null} at once (another worker is handing tasks out right now).
 *       Consumers never block and never spin; a pop is a bounded number of steps (the reversal is
 *       linear in the tasks taken from the stack, amortised O(1) per task).
 * </ul>
 *
 * <p>Why not the obvious alternatives. Tokio guards its inject list with a mutex; a measured
 * prototype here lost ~10x on remote spawns with one lock per task. A Vyukov MPSC node queue
 * (exchange the tail, then link) makes producers wait-free, but a producer preempted between its
 * exchange and its link hides every task queued after it: pop returns {@code null} while
 * completed pushes wait, and a worker that sees the queue non-empty spins until that thread runs
 * again. That was tried first and model checking showed the gap even with one producer. Here a
 * push becomes visible atomically at its CAS; the price is a CAS retry under producer contention
 * (lock-free, not wait-free) and the two reversals.
 *
 * <h2>Invariants</h2>
 *
 * <ol>
 *   <li>Queue order = {@code head}'s list, then the stack from bottom to top. Every task in the
 *       stack was pushed after every task in {@code head}'s list.
 *   <li>A task in the stack is never written again until the consumer takes the stack; stack
 *       nodes are only ever read by producers as an identity (never dereferenced), so there is no
 *       ABA: a CAS that succeeds on a re-pushed task links to that task's current chain.
 *   <li>Only the flag holder touches {@code head}'s list and {@code taken}.
 *   <li>A task handed out has {@code queueNext == null}: dead cells keep nothing reachable.
 *   <li>{@code pushed} and the count in {@code spawns} together count pushes that have
 *       <em>started</em> (each push increments exactly one of them, before its CAS: a spawn
 *       from outside {@code spawns}, every other push {@code pushed}), {@code taken} counts tasks
 *       handed out. So {@code pushed + spawns - taken} is never below the number of queued tasks
 *       that a completed push put there.
 * </ol>
 */
abstract class InjectStack extends InjectQueueConsumerPadding implements Overflow {

    /** Spins of a shutdown drain waiting for the consumer flag before it yields the CPU. */
    static final int SPINS_BEFORE_YIELD = 100;

    static final VarHandle TOP;
    static final VarHandle PUSHED;
    static final VarHandle TAKEN;
    static final VarHandle CONSUMING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TOP = lookup.findVarHandle(InjectQueueProducerFields.class, "top", ScheduledTask.class);
            PUSHED = lookup.findVarHandle(InjectQueueProducerFields.class, "pushed", long.class);
            TAKEN = lookup.findVarHandle(InjectQueueConsumerFields.class, "taken", long.class);
            CONSUMING = lookup.findVarHandle(InjectQueueConsumerFields.class, "consuming", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Any thread. Lock-free, never allocates. {@code task.queueNext} is overwritten. */
    @Override
    public void push(ScheduledTask task) {
        countPushed(1);
        pushChain(task, task);
    }

    /**
     * Any thread. Appends {@code count} tasks linked oldest first from {@code first} to
     * {@code last} ({@code last.queueNext == null}) with one CAS, keeping their order. The links
     * are rewritten.
     */
    @Override
    public void pushBatch(ScheduledTask first, ScheduledTask last, int count) {
        countPushed(count);
        // Reverse the batch to newest first: after the consumer's reversal it is oldest first
        // again. Plain writes: the tasks are ours until the CAS below publishes them.
        ScheduledTask newerToOlder = null;
        ScheduledTask t = first;
        while (t != null) {
            ScheduledTask older = t.queueNext;
            t.queueNext = newerToOlder;
            newerToOlder = t;
            t = older;
        }
        pushChain(last, first);
    }

    /**
     * Counted before the CAS (invariant 5). Release is the weakest read-modify-write mode
     * VarHandle has besides Acquire (both are one LOCK XADD on x86); the count orders nothing by
     * itself: the scheduler's full fences order it against the idle state. It shares the
     * producers' cache lines with top, which they are about to write anyway.
     */
    private void countPushed(int count) {
        PUSHED.getAndAddRelease(this, (long) count);
    }

    /** Pushes a chain already linked newest ({@code newest}) to oldest ({@code oldest}). */
    final void pushChain(ScheduledTask newest, ScheduledTask oldest) {
        // Opaque: we only need the current top as a value to link to; the CAS validates it.
        ScheduledTask top = (ScheduledTask) TOP.getOpaque(this);
        while (true) {
            oldest.queueNext = top; // plain: published by the release CAS
            // Release: the consumer that takes the stack (acquire exchange) sees the tasks'
            // fields and the links written above. Every later push and the consumer's exchange are
            // read-modify-writes of top, so this release heads a chain the consumer's acquire
            // reads the end of.
            ScheduledTask witness = (ScheduledTask) TOP.compareAndExchangeRelease(this, top, newest);
            if (witness == top) {
                return;
            }
            top = witness;
        }
    }

    /** Spins, then yields, until this thread holds the consumer flag. */
    final void acquireConsumerWaiting() {
        for (int spins = 0; !tryAcquireConsumer(); spins++) {
            if (spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the holder may have been descheduled
            }
        }
    }

    /** Moves the whole stack into the (empty) private list, oldest first; returns its head. */
    final ScheduledTask refill() {
        // Opaque peek first: do not pull the producers' line over when there is nothing.
        if (TOP.getOpaque(this) == null) {
            return null;
        }
        // Acquire: pairs with the producers' release CASes; we see every task's fields and the
        // links we are about to walk.
        ScheduledTask newestFirst = (ScheduledTask) TOP.getAndSetAcquire(this, null);
        ScheduledTask oldestFirst = null;
        while (newestFirst != null) {
            ScheduledTask older = newestFirst.queueNext;
            newestFirst.queueNext = oldestFirst; // plain: these tasks are ours now
            oldestFirst = newestFirst;
            newestFirst = older;
        }
        return oldestFirst;
    }

    final boolean tryAcquireConsumer() {
        // Test before CAS: when a worker is draining, do not pull the line away from it.
        // Acquire on success: the previous holder's writes to head, taken and the links happen-
        // before ours (pairs with the release in releaseConsumer).
        return (int) CONSUMING.getOpaque(this) == 0
                && (int) CONSUMING.compareAndExchangeAcquire(this, 0, 1) == 0;
    }

    final void releaseConsumer() {
        CONSUMING.setRelease(this, 0);
    }
}
