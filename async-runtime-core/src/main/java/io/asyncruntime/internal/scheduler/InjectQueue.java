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
 * only pushes here ({@link #pushSpawn}), and the worker that takes the cell links it into its
 * registry shard (see "Spawns from outside" below and {@link QueuedSpawns}).
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
 *   <li><b>Linked by the consumer.</b> The spawner marks the cell unlinked
 *       ({@link QueuedSpawns#markUnlinked}, a plain write published by the push's release CAS).
 *       Whoever takes a marked cell out of this queue links it into its shard (one lock hold per
 *       batch) <em>before</em> it lets the consumer flag go and before the cell can be stolen or
 *       run ({@link #take}, {@link #drainForShutdown}), and counts it in {@code spawnsLinked}. So
 *       every accepted spawn is, at any instant, either counted in {@code spawns} and not yet
 *       linked (in this queue, or its push in flight: {@code spawns - spawnsLinked} of them), or
 *       linked in a shard. Cells a full ring moves here, and wakes from outside, are linked
 *       already (not marked): nobody links them twice.
 *   <li><b>Reached by the abort and the dump.</b> {@link #linkQueuedSpawns} takes the consumer
 *       flag (waiting for it, as the shutdown drain does), links every marked cell still queued,
 *       and waits until {@code spawnsLinked} has caught up with the count it read on taking the
 *       flag, i.e. until the pushes then in flight landed (for an abort, after the refusal, that
 *       count is final); then a walk of the shards sees every spawn accepted before it began,
 *       queued ones included.
 * </ul>
 *
 * <p>What it costs the consumer: a type check and one read of the cell's link per task taken (a
 * line it is about to touch to run it), and for a batch holding spawns from outside one lock
 * hold of the lane's outside shard, the link and the spawn path's sweep step per cell. The lock
 * is held while the batch goes into the ring; a dump copying that shard makes the take wait (as
 * it made the spawner wait before).
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
final class InjectQueue extends InjectQueueConsumerPadding implements Overflow {

    /** Spins of a shutdown drain waiting for the consumer flag before it yields the CPU. */
    private static final int SPINS_BEFORE_YIELD = 100;

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

    private static final VarHandle TOP;
    private static final VarHandle PUSHED;
    private static final VarHandle SPAWNS;
    private static final VarHandle TAKEN;
    private static final VarHandle CONSUMING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TOP = lookup.findVarHandle(InjectQueueProducerFields.class, "top", ScheduledTask.class);
            PUSHED = lookup.findVarHandle(InjectQueueProducerFields.class, "pushed", long.class);
            SPAWNS = lookup.findVarHandle(InjectQueueProducerFields.class, "spawns", long.class);
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
            // Release, as countPushed's add (invariant 5; the count orders nothing by itself):
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
    private void pushChain(ScheduledTask newest, ScheduledTask oldest) {
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
        // The shard this take holds locked to link spawns from outside (see the class comment):
        // each marked cell is linked before it is handed on (run, or pushed where thieves reach
        // it), so no one can complete it unlinked, and before the consumer flag goes.
        TaskShard linking = null;
        int linked = 0;
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
                linking = QueuedSpawns.link((TaskCell<?>) task, linking);
                linked++;
            }
            if (count++ == 0) {
                first = task;
            } else {
                // Producers need no flag, so overflowing back into this queue cannot deadlock.
                dst.pushBackOrOverflow(task, this);
            }
        }
        if (linking != null) {
            QueuedSpawns.release(linking);
            spawnsLinked += linked; // plain: the flag holder's, handed on by the flag
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
        // they are cancelled below like the rest, and spawnsLinked stays exact.
        linkUnlinked(first);
        if (count > 0) {
            TAKEN.setRelease(this, taken + count); // see take(): release, for len()'s acquire
        }
        releaseConsumer();
        for (ScheduledTask t = first; t != null; ) {
            ScheduledTask next = t.queueNext;
            t.queueNext = null; // invariant 4, before anyone sees the task
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
            linkedHere += linkUnlinked(head);
            for (int spins = 0; ; spins++) {
                for (ScheduledTask more = refill(); more != null; more = refill()) {
                    if (last == null) {
                        head = more;
                    } else {
                        last.queueNext = more;
                    }
                    linkedHere += linkUnlinked(more);
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
     * one lock hold per run of cells of one shard, and counts them in {@code spawnsLinked}.
     */
    private int linkUnlinked(ScheduledTask first) {
        TaskShard linking = null;
        int linked = 0;
        for (ScheduledTask t = first; t != null; t = t.queueNext) {
            if (QueuedSpawns.isUnlinked(t)) {
                linking = QueuedSpawns.link((TaskCell<?>) t, linking);
                linked++;
            }
        }
        if (linking != null) {
            QueuedSpawns.release(linking);
            spawnsLinked += linked;
        }
        return linked;
    }

    /** Spins, then yields, until this thread holds the consumer flag. */
    private void acquireConsumerWaiting() {
        for (int spins = 0; !tryAcquireConsumer(); spins++) {
            if (spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the holder may have been descheduled
            }
        }
    }

    /** Moves the whole stack into the (empty) private list, oldest first; returns its head. */
    private ScheduledTask refill() {
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

    private boolean tryAcquireConsumer() {
        // Test before CAS: when a worker is draining, do not pull the line away from it.
        // Acquire on success: the previous holder's writes to head, taken and the links happen-
        // before ours (pairs with the release in releaseConsumer).
        return (int) CONSUMING.getOpaque(this) == 0
                && (int) CONSUMING.compareAndExchangeAcquire(this, 0, 1) == 0;
    }

    private void releaseConsumer() {
        CONSUMING.setRelease(this, 0);
    }

    /**
     * Any thread. Approximate number of queued tasks: pushes that have started minus tasks handed
     * out, so it may count a push in flight; never negative.
     */
    int len() {
        // taken first, with acquire (pairs with the release store in take): the pushed load cannot
        // move before it and sees at least the increments of every task counted in taken
        // (invariant 5).
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

/*
 * Padding, JCTools style (see LocalQueue for the 128-byte reasoning): producers write top and
 * pushed on one set of lines, the consuming worker writes head, taken and the flag on another.
 * Byte fields so the layout code cannot slide a hot field into a gap of a padding class.
 */

abstract class InjectQueueHeadPadding {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}

abstract class InjectQueueProducerFields extends InjectQueueHeadPadding {
    /** The stack of pushed tasks, newest first; through {@code InjectQueue.TOP}. */
    ScheduledTask top;
    /** Tasks whose push has started, but spawns from outside; through {@code InjectQueue.PUSHED}. */
    long pushed;
    /**
     * Spawns from outside accepted (bits 2 and up) and the registry's refusal bits (0 and 1); see
     * InjectQueue's class comment. Through {@code InjectQueue.SPAWNS}; on the producers' line,
     * which a spawn writes anyway (top).
     */
    long spawns;
}

abstract class InjectQueueMidPadding extends InjectQueueProducerFields {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}

abstract class InjectQueueConsumerFields extends InjectQueueMidPadding {
    /** The consumer's private list, oldest first; touched only by the flag holder. */
    ScheduledTask head;
    /** Tasks handed out; written only by the flag holder. */
    long taken;
    /** 1 while a worker holds the consumer role. */
    int consuming;
    /**
     * Spawns from outside linked into their shards by the flag holders (each exactly once, by
     * whoever took it out of the queue or by {@code linkQueuedSpawns}); written only by the flag
     * holder. {@code spawns' count - spawnsLinked} is the accepted spawns not linked yet.
     */
    long spawnsLinked;
}

abstract class InjectQueueConsumerPadding extends InjectQueueConsumerFields {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}
