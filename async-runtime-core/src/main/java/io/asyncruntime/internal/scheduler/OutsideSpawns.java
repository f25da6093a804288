package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;

/**
 * Spawns from threads that run none of the scheduler's workers, and the coarse clock they stamp
 * their cells with: the scheduler's way in from outside ({@link Scheduler#spawn} hands every
 * spawn that finds no worker on its thread here; a worker's spawn never comes here).
 *
 * <p>Such a spawn takes no registry lock and no registry atomic: the lane's inject queue counts
 * and pushes the cell with one CAS, or refuses it; the worker that takes it hands it to lazy
 * linking, into the lane's outside shard at its first pending return (see {@link QueuedSpawns},
 * and InjectQueue's class comment for why a spawn racing a refusal is either counted and run or
 * refused, never lost).
 *
 * <p>The clock: a cell's spawn stamp is the registry's coarse clock. A parked worker turns no
 * driver and so refreshes no clock; unless the stall detector's heartbeat keeps it
 * ({@link #clockKept}), a spawn from outside reads the real clock while a worker is parked.
 *
 * <p>Invariant: {@link #clockKept} is true only between a heartbeat (which refreshed the clock
 * just before its volatile write) and the next pause of the beats, and only if the beats come
 * within two stamp units ({@link #heartbeatKeepsTheClock}); so a spawn that trusts it stamps at
 * most the period plus a unit plus the detector thread's scheduling delay behind the real clock.
 */
final class OutsideSpawns {

    private final Scheduler scheduler;
    private final TaskRegistry registry;
    private final Idle idle;
    private final PollSampler sampler;
    private final InjectQueue[] inject;
    /**
     * Whether a heartbeat comes often enough to keep the coarse clock within two stamp units
     * ({@link #clockKeptByHeartbeat}). Written once, before the runtime is handed out.
     */
    private boolean heartbeatKeepsTheClock;
    /**
     * True from a heartbeat (which refreshed the clock just before its volatile write) until the
     * heartbeats pause (a stall report that may block, the detector stopping): while it is true a
     * spawn from outside reads no clock (see {@link #spawn}). Written by the heartbeat's
     * thread only, and only when it changes.
     */
    private volatile boolean clockKept;

    OutsideSpawns(Scheduler scheduler, TaskRegistry registry, Idle idle, PollSampler sampler, InjectQueue[] inject) {
        this.scheduler = scheduler;
        this.registry = registry;
        this.idle = idle;
        this.sampler = sampler;
        this.inject = inject;
    }

    /** See {@link Scheduler#clockKeptByHeartbeat}. */
    void clockKeptByHeartbeat(long periodNanos) {
        heartbeatKeepsTheClock = periodNanos <= (2L << TaskRegistry.SPAWN_STAMP_SHIFT);
    }

    /** A heartbeat (see {@link Scheduler#clockKeptByHeartbeat}): refreshes the coarse clock, then trusts it. */
    void heartbeat() {
        registry.refreshClock();
        if (heartbeatKeepsTheClock && !clockKept) {
            clockKept = true;
        }
    }

    /** The heartbeats may stop for a while: spawns from outside read the clock again until the next one. */
    void heartbeatPausing() {
        if (clockKept) {
            clockKept = false;
        }
    }

    /**
     * A spawn from a thread that runs no worker of this scheduler (the caller checked
     * {@code shutdown} already). No registry lock and no registry atomic: the lane's inject queue
     * counts and pushes the cell with one CAS, or refuses it ({@code stranger}: the thread runs
     * none of our tasks, so a graceful drain refuses it too). Counted by the queue, see
     * {@code Scheduler.remoteSpawns}.
     */
    <T> JoinHandle<T> spawn(Object body, int kind, Priority priority, String name) {
        // Inside blockInPlace the thread runs no worker but is still in one of our tasks' polls:
        // its spawn inherits that task's lane, and a graceful drain accepts it as from a task.
        PollContext handedOver = handedOverPollOfCurrentThread();
        Priority lane = priority;
        if (lane == null) {
            lane = Scheduler.inheritedLane(null, handedOver);
        }
        if (!clockKept && idle.anyParked()) {
            // Without a beating heartbeat (stall detection off, its period too long, or a stall
            // report that may block): a parked worker
            // turns no driver and so refreshes no coarse clock, and the others may be stuck in
            // long polls (the very case a task dump diagnoses): stamp from the real clock. One
            // read of the idle state otherwise; with no worker parked, every worker is polling
            // and refreshes the clock at its driver turns (only if every worker is stuck does the
            // stamp lag). With a heartbeat the clock is never more than its period behind, and a
            // spawn from outside reads no clock: on this box a nanoTime is ~25 ns, and a worker
            // is parked during most of a burst of outside spawns (spawn_many_remote: 1.25-1.35x
            // without the read, clock10).
            registry.refreshClock();
        }
        return push(body, kind, lane, name, !scheduler.isOwnTaskThread());
    }

    private <T> JoinHandle<T> push(Object body, int kind, Priority lane, String name, boolean stranger) {
        TaskCell<T> cell = TaskCell.create(registry.outsideShard(lane.ordinal()), body, kind, lane, name);
        QueuedSpawns.markUnlinked(cell); // before the push, which publishes it
        sampler.onRemoteSchedule(cell);
        int refused = inject[lane.ordinal()].pushSpawn(cell, stranger);
        if (refused != InjectQueue.SPAWN_ACCEPTED) {
            // Nothing was counted or queued: the cell is garbage (and no longer followed).
            sampler.unfollow(cell);
            throw new IllegalStateException(TaskRegistry.refusalMessage(
                    refused == InjectQueue.SPAWN_REFUSED_ALL ? TaskRegistry.REFUSING_ALL : TaskRegistry.REFUSING_REMOTE));
        }
        scheduler.notifyParked(); // its full fence orders the push before the read of shutdown below
        if (scheduler.isClosed()) {
            scheduler.shutdownSide().cancelInjected(); // raced with close(): make sure nothing stays queued forever
        }
        return cell;
    }

    /**
     * The poll of one of this scheduler's tasks that the calling thread is finishing after
     * {@code blockInPlace} handed its worker over, or null. Such a thread runs no worker (its
     * spawns and wakes go through the inject queue), but it is still running one of the
     * runtime's own tasks: it must be treated as inside the runtime wherever that matters, not
     * as a stranger (review9: it waited out close()'s timeout for its own task, spawned into
     * NORMAL, and had its spawns refused during a graceful shutdown's drain). Only consulted off
     * the workers, so the spawn and wake paths of a worker pay nothing for it.
     */
    private PollContext handedOverPollOfCurrentThread() {
        if (Thread.currentThread() instanceof WorkerThread thread) {
            PollContext poll = thread.handedOverPoll();
            if (poll != null && poll.scheduler() == scheduler) {
                return poll;
            }
        }
        return null;
    }
}
