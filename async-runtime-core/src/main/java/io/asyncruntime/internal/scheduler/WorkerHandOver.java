package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.metrics.StallTarget;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The side of one worker that long polls need: the poll stamp the stall detector reads, the stall
 * mark that opens the worker's LIFO slot to thieves, and the hand-over of the whole worker to a
 * new thread for {@code blockInPlace}. One per worker, reached through a final field.
 *
 * <h2>Long polls</h2>
 * A task that blocks inside its poll keeps its worker from everything else. Three things keep the
 * rest of the runtime moving:
 * <ul>
 *   <li><b>The poll stamp.</b> Each poll publishes a new {@link #pollStamp} (its tick) with one
 *       opaque store, and parking publishes {@code PARKED}; the stall detector, on its own thread,
 *       reads the stamps and calls a stamp that stays put for the stall threshold a stall. Opaque is
 *       the weakest mode that still makes the store visible to the detector eventually, and on x86
 *       it is a plain move: no fence on the poll path.</li>
 *   <li><b>The LIFO slot is stealable while its worker is stalled.</b> The slot is written and
 *       taken with atomic exchanges ({@link WorkerQueues}), so a thief may take it with the same
 *       exchange and a task is never taken twice; thieves only look at workers the detector marked
 *       ({@link #stalledStamp} equal to the current poll stamp), so a healthy worker's slot keeps
 *       its locality (Tokio stole from every LIFO slot in 1.51 and reverted it for the regression,
 *       tokio#8065). A marked worker's own wakes go to its ring, which thieves take anyway.</li>
 *   <li><b>The driver is never held by a poll.</b> A worker holds the driver only inside
 *       {@code SharedDriver.parkWorker} or {@code turnDriverWithoutBlocking}, and polls no task there
 *       (the tasks a turn wakes are queued, see {@code Worker.turningDriver}), so a stalled worker,
 *       and one in {@code blockInPlace}, cannot be holding it: there is nothing to hand over or
 *       release. What can happen is that nobody attends it: a worker that parks while another
 *       holds the driver parks on its own parker, and the holder then leaves the driver to run
 *       what the turn woke. Leaving it wakes a peer only when it holds more than one task (the
 *       I/O driver's rule, {@code WorkerPark.notifyIfOthersCouldHelp}: a futex wake per socket event
 *       cost the echo benchmark dearly), so if that one task blocks, the driver is unattended.
 *       Three things bring a sleeper to it: any spawn or wake the blocking task makes before it
 *       blocks (a push to the ring notifies a peer); after each non-blocking turn, a worker that
 *       finds the driver free wakes a sleeper ({@code SharedDriver.wakeASleeperIfTheDriverIsUnattended},
 *       one volatile read per event interval), which finds nothing to run and parks in the free
 *       driver; and the stall detector, which asks for the same wake once a poll has lasted one
 *       sampling period (a quarter of the stall threshold), then again each period. So timers
 *       and I/O keep firing while one worker is stuck: StallDetectionTest measures a 10 ms timer
 *       during a 2 s stall. With the detector turned off, a task that blocks right after a driver
 *       turn without spawning or waking anything can hold timers up until it returns, as in
 *       Tokio (tokio#4730).</li>
 * </ul>
 * {@code blockInPlace} goes further: {@link #toNewThread} gives the worker (queues, LIFO slot, run
 * loop, and with it its turn at the driver) to a new thread and the poll finishes on the old one.
 *
 * <p>Threads: the poll stamp is written only by the thread running the worker (opaque) and read by
 * any; the stall mark is written by the stall detector (volatile) and read by any;
 * {@link #toNewThread} runs on the worker's thread inside a poll.
 */
final class WorkerHandOver extends HeadPadding {

    /** The poll stamp of a parked worker (and of one that has not polled yet). */
    static final long PARKED = StallTarget.PARKED;
    /** The stall mark of a worker the stall detector has not marked. */
    private static final long NOT_STALLED = -2;

    private static final VarHandle POLL_STAMP;

    static {
        try {
            POLL_STAMP = MethodHandles.lookup().findVarHandle(WorkerHandOver.class, "pollStamp", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Worker worker;
    /** Through {@link #POLL_STAMP}: written (opaque) by the worker's thread, read by the stall detector. */
    @SuppressWarnings("unused")
    private long pollStamp = PARKED;
    /** The stamp of the poll the stall detector found stalled; a stall ends when the stamp moves on. */
    private volatile long stalledStamp = NOT_STALLED;

    WorkerHandOver(Worker worker) {
        this.worker = worker;
    }

    // ---- the poll stamp (worker's thread writes, anyone reads) ---------------------------------

    /** A poll begins: its stamp is the worker's {@code tick}. Worker's thread only. */
    void publishPollStamp(int tick) {
        // Unsigned: the int tick wraps, and a stamp of -1 would read as PARKED (a poll the detector
        // could never report).
        POLL_STAMP.setOpaque(this, Integer.toUnsignedLong(tick));
    }

    /** The worker parks. Worker's thread only. */
    void publishParked() {
        POLL_STAMP.setOpaque(this, PARKED);
    }

    /** The poll stamp (see the class comment); any thread. */
    long pollStamp() {
        return (long) POLL_STAMP.getOpaque(this);
    }

    /**
     * The name of the task the worker is polling, or null between polls. Read from the stall
     * detector's thread: racy by design ({@link PollContext#polledRacy}), for a log line about a
     * poll that has not changed for the stall threshold.
     */
    String pollingTaskName() {
        TaskCell<?> cell = worker.pollingRacy();
        return cell != null ? cell.name() : null;
    }

    // ---- the stall mark (the detector writes, anyone reads) -------------------------------------

    /** The stall detector found the poll with {@code stamp} stalled. */
    void markStalled(long stamp) {
        stalledStamp = stamp;
    }

    /** Ends the mark of {@link #markStalled} (the marked poll ended), so a tick that comes round again is not marked. */
    void clearStallMark() {
        stalledStamp = NOT_STALLED;
    }

    /** Whether the detector marked the worker's current poll stalled; any thread. */
    boolean isStalled() {
        long stamp = pollStamp();
        return stamp != PARKED && stamp == stalledStamp;
    }

    /**
     * {@link #isStalled()} from the worker's own thread, in the poll of {@code tick}: its own
     * stamp needs no opaque read. Unsigned, as the stamp is (see {@link #publishPollStamp}): a
     * tick widened signed never equals a mark once the tick has wrapped negative.
     */
    boolean isStalledAt(int tick) {
        return stalledStamp == Integer.toUnsignedLong(tick);
    }

    /**
     * For the worker of this object as a thief: takes the task in the LIFO slot of a worker the
     * stall detector marked, if one has any. It was woken to run right after a poll that has not
     * ended for the stall threshold, so it is the most overdue task there is: looked at first.
     */
    ScheduledTask stealFromStalledLifoSlot() {
        for (Worker victim : worker.scheduler.workers()) {
            if (victim != worker && victim.handOver.isStalled()) {
                ScheduledTask task = victim.stealLifoSlot();
                if (task != null) {
                    worker.counters.increment(WorkerCounters.STEAL_OPERATIONS);
                    worker.counters.add(WorkerCounters.STEALS, 1);
                    return task;
                }
            }
        }
        return null;
    }

    // ---- blockInPlace ----------------------------------------------------------------------------

    /**
     * {@code blockInPlace}, on the worker's thread {@code self}, inside a poll: gives the worker
     * (queues, LIFO slot, run loop, its turn at the driver, its context) to a new thread and leaves
     * the poll in progress to finish on {@code self}, which is no longer a worker: its spawns and
     * wakes go through the inject queue, and when the poll returns its run loop unwinds
     * ({@code Worker.pollOne}) and the thread becomes a blocking-pool thread. The hand-off is
     * published by {@link Thread#start()}: everything this thread wrote to the worker
     * happens-before the replacement reads it, and nothing is written after.
     *
     * @throws IllegalStateException if no thread could be started (the worker stays with {@code self})
     */
    void toNewThread(WorkerThread self) {
        PollContext poll = worker.detachPoll();
        ClassLoader loader = worker.startContextClassLoader();
        WorkerThread replacement = WorkerThread.replacement(worker, self.getName(), loader);
        self.leaveWorker(poll, loader);
        worker.thread = replacement;
        worker.parker.bind(replacement);
        try {
            replacement.start();
        } catch (RuntimeException | Error failure) { // typically "unable to create native thread"
            worker.parker.bind(self);
            worker.thread = self;
            self.rejoinWorker(worker);
            worker.reattachPoll(poll);
            throw new IllegalStateException("blockInPlace could not start a thread to take over worker "
                    + self.getName() + ": " + failure, failure);
        }
    }
}
