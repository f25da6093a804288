package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The global queue: tasks spawned from outside a worker, and the batches a full
 * {@link LocalQueue} moves out. Any thread pushes; workers pop.
 *
 * <p>It is also the live-task registry's part for spawns from outside the workers: such a spawn
 * only pushes here ({@link #pushSpawn}), and the worker that takes the cell hands it to lazy
 * linking (see "Spawns from outside" below and {@link QueuedSpawns}).
 *
 * <p>The stack it is built on, its design and invariants: {@link InjectStack}.
 *
 * <h2>Spawns from outside: counted, refused and linked here</h2>
 *
 * A spawn from a thread that runs no worker pays no registry atomic of its own (issue 10's
 * throughput goal: the shard lock's CAS was ~12 ns of a ~60 ns spawn, reg10g). Its cell is
 * counted, refused, listed and linked through this queue:
 *
 * <ul>
 *   <li><b>Counted and refused with one CAS</b> on {@code spawns}: bits 2 and up count accepted
 *       spawns, bit 0 ({@link #REFUSE_STRANGERS}) and bit 1 ({@link #REFUSE_ALL}) are the
 *       registry's refusals, set by {@link #refuse} with an atomic OR. A spawn CASes the count up
 *       only from a word whose refusal bits let it in; else it pushes nothing and throws. Both
 *       are read-modify-writes of one word, so in its modification order every spawn's CAS is
 *       before the refusal's OR (accepted, and counted in every read of the word made after the
 *       refusal returned: a shutdown's counts) or after it (it saw the bit and was refused): a
 *       spawn racing a shutdown is never accepted uncounted, nor counted and refused. This is the
 *       CAS that {@code pushed}'s add was for a spawn, so the spawn pays no atomic more than
 *       before the registry (Tokio's {@code TaskTracker} keeps its closed flag and count in one
 *       word the same way: bit 0 closed, each task adding 2).
 *   <li><b>Handed to lazy linking by the consumer.</b> The spawner marks the cell unlinked
 *       ({@link QueuedSpawns#markUnlinked}, a plain write published by the push's release CAS).
 *       Whoever takes a marked cell out of this queue in {@link #take} re-marks it as a worker's
 *       unlinked cell ({@link QueuedSpawns#handOverToLazyLink}: linked at its first pending return,
 *       {@link LazyLink}) <em>before</em> it lets the consumer flag go and before the cell can be
 *       stolen or run; {@link #drainForShutdown} and {@link #linkQueuedSpawns} link the marked cells
 *       they find into their shards (one lock hold per batch). Each is counted in
 *       {@code spawnsLinked}. So every accepted spawn is, at any instant, either counted in
 *       {@code spawns} and still marked (in this queue, or its push in flight: {@code spawns -
 *       spawnsLinked} of them), or linked in a shard, or a worker's unlinked cell under LazyLink's
 *       invariant (queued for or in its first poll). Wakes from outside are linked already; the
 *       cells a full ring moves here, a worker's spawns and spawns from outside a take handed
 *       over alike, carry the other mark ({@link LazyLink#UNLINKED}: never polled) if they never
 *       returned pending, which a take leaves as it is (their first pending return links them),
 *       and which the shutdown's drain links too (not counted again in {@code spawnsLinked}).
 *   <li><b>Reached by the abort and the dump.</b> {@link #linkQueuedSpawns} takes the consumer
 *       flag (waiting for it, as the shutdown drain does), links every marked cell still queued,
 *       and waits until {@code spawnsLinked} has caught up with the count it read on taking the
 *       flag, i.e. until the pushes then in flight landed (for an abort, after the refusal, that
 *       count is final); then a walk of the shards sees every spawn accepted before it began
 *       that is still queued with its mark or linked. The ones a take handed over and that never
 *       returned pending are LazyLink's unlinked cells: a dump lists them from where they wait
 *       ({@link LazyLink#collectUnlinked}), the abort reaches them by LazyLink's "Abort" cases.
 * </ul>
 *
 * <p>What it costs the consumer: a type check, one read and one plain write of the cell's link per
 * spawn taken (a line it is about to touch to run it). No shard lock: a spawn that completes in
 * its first poll (every task of a burst) is never linked, as a worker's spawn (before, the take
 * linked each into the lane's outside shard under one lock hold per batch, and a finished cell
 * stayed reachable from the shard until a sweep unlinked it).
 *
 * <p>Deadlock freedom: the consumer flag is taken before a shard lock (take, drain, link), never
 * after; sweeps and readers take shard locks only, and never wait for the flag.
 *
 * <h2>Linearizability</h2>
 *
 * With one consumer at a time, push, pushBatch, pop and popBatchInto are linearizable FIFO
 * operations for any number of producers (a push at its CAS, a pop or a whole batch at its store
 * of {@code taken}; an empty pop at its read of {@code top}). With several consumers, pop may
 * return {@code null} while tasks are queued, when another worker holds the flag. {@link
 * #isEmpty()} counts a push in flight (counted, CAS not yet done) as non-empty while pop cannot
 * yet return it: the conservative side for the scheduler, but for the few instructions of that one
 * push, not for every task behind it as in the Vyukov queue. It is linearizable when no push is
 * in flight concurrently with it.
 *
 * <p>The no-lost-wake-up guarantee: once a push has returned, a thread that then runs a full fence
 * (as the pusher also does before reading the idle state) sees {@link #isEmpty()} false until that
 * task is taken. Why: the reader loads {@code taken}, then {@code pushed}; the fences make the
 * completed push's increment visible to the second load; every task counted in the {@code taken}
 * it read was counted in {@code pushed} first, and visibly so (release store of {@code taken},
 * acquire load); and our task is counted in one and not the other.
 */
final class InjectQueue extends InjectStack {

    /** Bit 0 of {@code spawns}: spawns from strangers (threads running none of the runtime's tasks) are refused. */
    static final long REFUSE_STRANGERS = 1;
    /** Bit 1 of {@code spawns}: every spawn from outside the workers is refused. */
    static final long REFUSE_ALL = 2;
    /** One accepted spawn in {@code spawns}: the count is in bits 2 and up. */
    private static final long ONE_SPAWN = 4;
    private static final int SPAWN_COUNT_SHIFT = 2;

    /** What {@link #pushSpawn} returns: accepted, or refused by which bit. */
    static final int SPAWN_ACCEPTED = 0;
    static final int SPAWN_REFUSED_STRANGER = 1;
    static final int SPAWN_REFUSED_ALL = 2;

    private static final VarHandle SPAWNS;

    static {
        try {
            SPAWNS = MethodHandles.lookup().findVarHandle(InjectQueueProducerFields.class, "spawns", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A spawn from a thread that runs no worker: counts it in {@code spawns} and pushes
     * {@code cell}, unless the word's refusal bits refuse it ({@code stranger}: the thread runs
     * none of the runtime's tasks, refused from {@link #REFUSE_STRANGERS} on; a thread inside
     * {@code blockInPlace} only from {@link #REFUSE_ALL} on); then nothing is counted or pushed.
     * The CAS is the spawn's linearization point against {@link #refuse} (see the class
     * comment). The cell must be marked unlinked ({@link QueuedSpawns#markUnlinked}) before.
     *
     * @return {@link #SPAWN_ACCEPTED}, or which refusal refused it
     */
    int pushSpawn(ScheduledTask cell, boolean stranger) {
        long refusedBy = stranger ? REFUSE_STRANGERS | REFUSE_ALL : REFUSE_ALL;
        // Opaque: only a value for the CAS to validate.
        long word = (long) SPAWNS.getOpaque(this);
        for (;;) {
            if ((word & refusedBy) != 0) {
                return (word & REFUSE_ALL) != 0 ? SPAWN_REFUSED_ALL : SPAWN_REFUSED_STRANGER;
            }
            // Release, as countPushed's add (InjectStack's invariant 5; the count orders nothing by itself):
            // the push's release CAS below publishes it with the cell to whoever takes the cell.
            long witness = (long) SPAWNS.compareAndExchangeRelease(this, word, word + ONE_SPAWN);
            if (witness == word) {
                break;
            }
            word = witness;
        }
        pushChain(cell, cell);
        return SPAWN_ACCEPTED;
    }

    /**
     * Sets refusal bit {@code bit} ({@link #REFUSE_STRANGERS} or {@link #REFUSE_ALL}) for good:
     * an atomic OR on the spawn word, ordered with every spawn's CAS (see the class comment).
     */
    void refuse(long bit) {
        SPAWNS.getAndBitwiseOr(this, bit);
    }

    /**
     * Spawns accepted here so far (a volatile read). Read after {@link #refuse}({@link #REFUSE_ALL})
     * returned, it is final: it counts every spawn ever accepted here.
     */
    long spawnCount() {
        return (long) SPAWNS.getVolatile(this) >>> SPAWN_COUNT_SHIFT;
    }

    /**
     * Any thread. Takes the oldest task, or returns {@code null} when the queue is empty, another
     * worker is taking tasks right now, or the only queued task's push is still in flight. Never
     * blocks or spins.
     */
    ScheduledTask pop() {
        return take(null, 1);
    }

    /**
     * Called by {@code dst}'s owner. Takes up to {@code max} tasks: returns the oldest to run now
     * and pushes the others into {@code dst} in order. The caller passes
     * {@code max <= dst.remainingSlots() + 1}; should it pass more, the extra tasks come back here.
     *
     * @return the task to run now, or {@code null} in the cases {@link #pop()} returns null
     */
    ScheduledTask popBatchInto(LocalQueue dst, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        return take(dst, max);
    }

    /**
     * Takes up to {@code max} tasks, the first returned, the rest pushed into {@code dst}.
     *
     * <p>A batch refills the private list from the stack at most once, and publishes its count of
     * taken tasks once at the end. So a batch is one atomic step, linearized at that store: the
     * tasks it took were, at that instant, the oldest queued (every task still in the stack was
     * pushed after the refill); and isEmpty() never sees a batch half done.
     */
    private ScheduledTask take(LocalQueue dst, int max) {
        if (isEmpty() || !tryAcquireConsumer()) {
            return null;
        }
        // Plain: head and taken are touched only by the flag holder; the flag's release/acquire
        // hands them from one consumer to the next.
        ScheduledTask first = null;
        int count = 0;
        boolean refilled = false;
        // Spawns from outside taken here join lazy linking (see the class comment): each marked
        // cell is re-marked as a worker's unlinked cell before it is handed on (run, or pushed
        // where thieves reach it) and before the consumer flag goes; it is linked at its first
        // pending return, if it has one (LazyLink). No shard lock here.
        int handedOver = 0;
        while (count < max) {
            ScheduledTask task = head;
            if (task == null) {
                if (refilled || (task = refill()) == null) {
                    break;
                }
                refilled = true;
            }
            head = task.queueNext;
            task.queueNext = null;
            if (QueuedSpawns.isUnlinked(task)) {
                QueuedSpawns.handOverToLazyLink((TaskCell<?>) task);
                handedOver++;
            }
            if (count++ == 0) {
                first = task;
            } else {
                // Producers need no flag, so overflowing back into this queue cannot deadlock.
                dst.pushBackOrOverflow(task, this);
            }
        }
        if (handedOver != 0) {
            spawnsLinked += handedOver; // plain: the flag holder's, handed on by the flag
        }
        if (count > 0) {
            // Release, not just opaque: a reader whose acquire load sees this count must also see
            // the pushed increments of the tasks it includes (each happened before its push's CAS,
            // which our refill acquired). Otherwise it could pair a fresh taken with a stale
            // pushed, under-count, and report empty with a completed push still queued.
            TAKEN.setRelease(this, taken + count);
        }
        releaseConsumer();
        return first;
    }

    /**
     * Shutdown only: takes every queued task and hands each to {@code sink}, oldest first. Unlike
     * {@link #pop()} it does not give up when another thread holds the consumer flag: it waits
     * for the flag (a holder keeps it for a bounded number of steps) and returns only after it saw
     * the stack empty while holding it. So every push that completed before this call, or whose
     * pusher ran a full fence before reading the shutdown flag that precedes this call, is handed
     * out here or was taken by an earlier flag holder; {@code pop}-until-null could end while a
     * worker held the flag with a batch taken just before such a push, leaving that task queued
     * forever. The sink runs after the flag is released (it may run user code).
     *
     * @return the number of tasks handed to {@code sink}
     */
    int drainForShutdown(Consumer<? super ScheduledTask> sink) {
        // The closer's half of the Dekker pair with pushers (push, full fence, read shutdown).
        VarHandle.fullFence();
        acquireConsumerWaiting();
        ScheduledTask first = head;
        head = null;
        ScheduledTask last = first;
        int count = 0;
        for (ScheduledTask t = first; t != null; t = t.queueNext) {
            last = t;
            count++;
        }
        for (ScheduledTask more = refill(); more != null; more = refill()) {
            if (last == null) {
                first = more;
            } else {
                last.queueNext = more;
            }
            for (ScheduledTask t = more; t != null; t = t.queueNext) {
                last = t;
                count++;
            }
        }
        // Spawns from outside among them are linked before the flag goes (see the class comment):
        // they are cancelled below like the rest, and spawnsLinked stays exact. So are a worker's
        // cells a full ring moved here (LazyLink, never polled): the list below is private to this
        // thread until each is cancelled, one cancel() (user code) and cascade at a time, and a
        // cell in no shard, queue or poll context would be invisible to the shutdown's wait for
        // published completions meanwhile (review29). No refusal check: they are about to be
        // cancelled, and were counted at their spawn.
        linkUnlinked(first, true);
        if (count > 0) {
            TAKEN.setRelease(this, taken + count); // see take(): release, for len()'s acquire
        }
        releaseConsumer();
        for (ScheduledTask t = first; t != null; ) {
            ScheduledTask next = t.queueNext;
            t.queueNext = null; // InjectStack's invariant 4, before anyone sees the task
            sink.accept(t);
            t = next;
        }
        return count;
    }

    /**
     * For a task dump and a shutdown's abort walk: links every spawn from outside still queued
     * here into its shard, leaving the queue as it is (its order and its count), so that a walk
     * of the shards then finds every live cell (see the class comment). Waits for the consumer
     * flag as {@link #drainForShutdown} does; holds it for a walk of the whole queue, during
     * which the workers' pops here return null (they look elsewhere, as while another worker
     * takes a batch). It also waits, spinning then yielding, until every spawn counted when it
     * took the flag is linked: those whose count was added but whose push was still in flight
     * (a pusher is a few instructions from its second CAS). So the walk that follows reaches every
     * spawn accepted before this call (for an abort, after {@code refuse(REFUSE_ALL)}: every spawn
     * ever accepted), not only those whose spawn returned (QueuedSpawnsLincheckTest: a dump
     * missed a spawn accepted before a refusal that another spawn, refused, had seen). A pusher
     * the OS does not run for {@code maxWaitNanos} is given up on (its task is then run, or
     * cancelled by the scheduler's shutdown, not aborted; or missing from that dump).
     * Returns the cells it linked.
     */
    int linkQueuedSpawns(long maxWaitNanos) {
        return linkQueuedSpawns(maxWaitNanos, null);
    }

    /**
     * As {@link #linkQueuedSpawns(long)}, and hands the tasks queued here to {@code sink} (if not
     * null), oldest first, until it returns false (it has all it wants), before it lets the flag
     * go: a dump collects the workers' unlinked cells a full ring moved here ({@link LazyLink},
     * "Dumps"). The sink must be quick: the workers find no batch here meanwhile.
     */
    int linkQueuedSpawns(long maxWaitNanos, Predicate<? super ScheduledTask> sink) {
        acquireConsumerWaiting();
        int linkedHere = 0;
        long giveUpAt = 0;
        // Read with the flag held: spawns counted by now are linked by this call, or taken (and
        // linked) by a flag holder before it.
        long target = spawnCount();
        try {
            // The private list, then the stack appended behind it (oldest first, queue order).
            ScheduledTask last = null;
            for (ScheduledTask t = head; t != null; t = t.queueNext) {
                last = t;
            }
            linkedHere += linkUnlinked(head, false);
            for (int spins = 0; ; spins++) {
                for (ScheduledTask more = refill(); more != null; more = refill()) {
                    if (last == null) {
                        head = more;
                    } else {
                        last.queueNext = more;
                    }
                    linkedHere += linkUnlinked(more, false);
                    for (ScheduledTask t = more; t != null; t = t.queueNext) {
                        last = t;
                    }
                }
                if (spawnsLinked >= target) {
                    break;
                }
                if (spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else if (spins == SPINS_BEFORE_YIELD) {
                    giveUpAt = System.nanoTime() + maxWaitNanos;
                } else if (System.nanoTime() - giveUpAt < 0) {
                    Thread.yield(); // the pusher may have been descheduled between its two CASes
                } else {
                    break;
                }
            }
            if (sink != null) {
                for (ScheduledTask t = head; t != null && sink.test(t); t = t.queueNext) {
                    // the sink took it
                }
            }
        } finally {
            releaseConsumer();
        }
        return linkedHere;
    }

    /**
     * Links the marked cells of the list from {@code first} (held by the consumer flag's holder),
     * one lock hold per run of cells of one shard, and counts them in {@code spawnsLinked}; with
     * {@code workersToo} (the shutdown drain) also a worker's cells a full ring moved here, not
     * counted there (they were counted at their spawn, {@link LazyLink}). The holder of the list
     * is the only thread that can reach those cells until it lets them go (queued: NOTIFIED, never
     * polled), so it links each at most once, as the holder of RUNNING would ("Linked exactly
     * once").
     */
    private int linkUnlinked(ScheduledTask first, boolean workersToo) {
        TaskShard linking = null;
        int linked = 0;
        for (ScheduledTask t = first; t != null; t = t.queueNext) {
            if (QueuedSpawns.isUnlinked(t)) {
                linking = QueuedSpawns.link((TaskCell<?>) t, linking);
                linked++;
            } else if (workersToo && t instanceof TaskCell<?> cell && LazyLink.isUnlinked(cell)) {
                linking = QueuedSpawns.link(cell, linking);
            }
        }
        if (linking != null) {
            QueuedSpawns.release(linking);
            spawnsLinked += linked;
        }
        return linked;
    }

    /**
     * Any thread. Approximate number of queued tasks: pushes that have started minus tasks handed
     * out, so it may count a push in flight; never negative.
     */
    int len() {
        // taken first, with acquire (pairs with the release store in take): the pushed load cannot
        // move before it and sees at least the increments of every task counted in taken
        // (InjectStack's invariant 5).
        long takenSoFar = (long) TAKEN.getAcquire(this);
        long pushedSoFar = (long) PUSHED.getOpaque(this) + ((long) SPAWNS.getOpaque(this) >>> SPAWN_COUNT_SHIFT);
        long len = pushedSoFar - takenSoFar;
        return len <= 0 ? 0 : (int) Math.min(len, Integer.MAX_VALUE);
    }

    /**
     * Any thread. {@code false} when a task is queued, and also while a push is in flight (then
     * {@link #pop()} may still return {@code null}). See the class comment for the guarantee the
     * scheduler's park protocol relies on.
     */
    boolean isEmpty() {
        return len() == 0;
    }

    @Override
    public String toString() {
        return "InjectQueue[len=" + len() + "]";
    }
}
