package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The one driver (timers and I/O) the workers of a scheduler share, and who holds it: a worker
 * that parks parks in it if nobody holds it, else on its own parker; a busy worker turns it
 * without blocking every {@code eventInterval} ticks if it is free.
 *
 * <p>Invariants:
 * <ul>
 *   <li>At most one thread holds the driver ({@code driverHeld}, taken with one CAS from false to
 *       true, {@link #tryHoldDriver}); only the holder parks in it or turns it.</li>
 *   <li>After the scheduler's shutdown flag is set, the driver is shut down exactly once, by
 *       whoever holds it last: a holder that lets go reads the flag after its volatile release
 *       ({@link #releaseDriver}), the shutdown sets the flag before it tries to take the driver
 *       ({@code SchedulerShutdown.shutDownDriverIfFree}); one of them sees the other, and the CAS
 *       lets only one in.</li>
 * </ul>
 */
final class SharedDriver extends HeadPadding {

    private static final VarHandle DRIVER_HELD;

    static {
        try {
            DRIVER_HELD = MethodHandles.lookup().findVarHandle(SharedDriver.class, "driverHeld", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Scheduler scheduler;
    private final Driver driver;
    private final TaskRegistry registry;
    @SuppressWarnings("unused") // through DRIVER_HELD
    private volatile boolean driverHeld;

    SharedDriver(Scheduler scheduler, Driver driver, TaskRegistry registry) {
        this.scheduler = scheduler;
        this.driver = driver;
        this.registry = registry;
    }

    /**
     * Parks a worker: in the driver if it is free, else on the worker's own parker; for at most
     * {@code timeoutNanos} if that is positive (a worker watching a stuck worker's shard,
     * {@link StuckShardWatch}), else until woken.
     */
    void parkWorker(Worker worker, long timeoutNanos) {
        if (DRIVER_HELD.compareAndSet(this, false, true)) {
            try {
                boolean runtimeIdle = scheduler.idle().allParked() && !WorkerPark.hasQueuedWork(scheduler);
                worker.parker.parkInDriver(timeoutNanos > 0 ? timeoutNanos : -1, runtimeIdle);
            } finally {
                releaseDriver();
            }
        } else {
            worker.parker.parkThread(timeoutNanos);
        }
        registry.refreshClock(); // back from a park: the coarse clock may be far behind
    }

    /** Wakes whichever worker is blocked in the driver, if one is. */
    void wakeDriverHolder() {
        if ((boolean) DRIVER_HELD.getVolatile(this)) {
            driver.unpark();
        }
    }

    /** Every {@code eventInterval} ticks: fire due timers and ready I/O without blocking. */
    void turnDriverWithoutBlocking() {
        registry.refreshClock();
        if (DRIVER_HELD.compareAndSet(this, false, true)) {
            try {
                driver.park(0, false);
            } finally {
                releaseDriver();
            }
        }
    }

    /**
     * After a non-blocking turn: if nobody holds the driver now, no worker is parked in it, so any
     * parked worker is on its own parker (it parked while the driver was held, here or by a parked
     * holder that has left since), and timers and I/O would wait for the next turn of a busy
     * worker, or forever if that worker blocks in a task. Wake one; finding nothing to do, it parks
     * in the free driver. One volatile read per event interval (and per stall-detector period
     * while a poll lasts that long, {@code callerIndex} -1); a wake only in that state (see
     * WorkerHandOver's class comment, "Long polls").
     */
    void wakeASleeperIfTheDriverIsUnattended(int callerIndex) {
        if (!(boolean) DRIVER_HELD.getVolatile(this)) {
            scheduler.notifyParkedLocal(callerIndex);
        }
    }

    /** Lets go of the driver; after shutdown, shuts it down instead if nobody else holds it. */
    private void releaseDriver() {
        DRIVER_HELD.setVolatile(this, false);
        if (scheduler.isClosed()) {
            scheduler.shutdownSide().shutDownDriverIfFree();
        }
    }

    /**
     * Takes the driver if nobody holds it (the CAS every holder takes it with); for the shutdown,
     * which never lets it go after (see {@link SchedulerShutdown#shutDownDriverIfFree}).
     */
    boolean tryHoldDriver() {
        return DRIVER_HELD.compareAndSet(this, false, true);
    }
}
