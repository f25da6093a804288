package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The global queue: tasks spawned from outside a worker, and the batches a full
 * {@link LocalQueue} moves out. Any thread pushes; workers pop.
 *
 * <h2>Design</h2>
 *
 * An intrusive multi-producer queue in the style of Dmitry Vyukov's MPSC node queue, linked
 * through {@link ScheduledTask#queueNext}, with a permanent stub node so the list is never
 * empty. Tokio guards its inject list with a mutex; a measured prototype here lost ~10x on remote
 * spawns with one lock per task, and producers (any thread, often many) should never wait on a
 * worker. Pushing costs one atomic exchange and one counter add, and never allocates.
 *
 * <ul>
 *   <li><b>Producers</b> (lock-free, wait-free): clear the task's link, exchange {@code tail} with
 *       the task, then link the previous tail to it. Between the exchange and the link the list is
 *       briefly cut: the consumer cannot reach the new task (nor any pushed after it) until the
 *       link lands. A batch is pushed the same way with its first and last task.
 *   <li><b>Consumers</b>: the algorithm allows one consumer at a time. Workers take turns through
 *       a try-acquire flag: a worker that finds the flag taken gets {@code null} at once (another
 *       worker is draining the queue right now, so the tasks are being handed out). Consumers
 *       therefore never block and never spin; each pop is a bounded number of steps.
 * </ul>
 *
 * <h2>Invariants</h2>
 *
 * <ol>
 *   <li>The list runs from {@code head} to {@code tail} through {@code queueNext}; it holds the
 *       stub exactly once. The queued tasks are the list minus the stub, in push order.
 *   <li>Only the producer that exchanged {@code tail} away from a node writes that node's
 *       {@code queueNext} (once). The consumer clears a node's link only after it is non-null, so
 *       the two never race.
 *   <li>Only the flag holder moves {@code head}, and it never moves {@code head} past
 *       {@code tail}, so the node after it is always reachable once linked.
 *   <li>A task taken out has {@code queueNext == null}; so does the stub once it is passed. Dead
 *       cells keep nothing reachable.
 *   <li>Empty means {@code tail == stub && head == stub} at one instant: the stub is then the
 *       whole list. A cut list ({@code tail} moved, link pending) is not empty.
 * </ol>
 *
 * <h2>Linearizability</h2>
 *
 * Pushes are linearized at their exchange. {@code pop} is not linearizable in general: it may
 * return {@code null} while tasks are queued, when another worker holds the consumer flag or when
 * a producer has exchanged {@code tail} but not yet linked (tasks queued after that one, even
 * fully pushed, wait for its link). Both are momentary; callers treat {@code null} as "nothing
 * for me now" and rely on {@link #isEmpty()} for the park decision. With one producer and one
 * consumer at a time, push, pop and {@code popBatchInto} are linearizable FIFO operations.
 *
 * <p>{@link #isEmpty()} gives the guarantee the scheduler's no-lost-wake-up protocol needs: once a
 * push has returned, a thread that then runs a full fence (as the pusher also does before reading
 * the idle state) sees the queue non-empty until that task is popped.
 */
final class InjectQueue extends InjectQueueConsumerPadding implements Overflow {

    private static final VarHandle TAIL;
    private static final VarHandle PUSHED;
    private static final VarHandle HEAD;
    private static final VarHandle TAKEN;
    private static final VarHandle CONSUMING;
    /** {@link ScheduledTask#queueNext}: declared plain there; every shared access goes through here. */
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(InjectQueueProducerFields.class, "tail", ScheduledTask.class);
            PUSHED = lookup.findVarHandle(InjectQueueProducerFields.class, "pushed", long.class);
            HEAD = lookup.findVarHandle(InjectQueueConsumerFields.class, "head", ScheduledTask.class);
            TAKEN = lookup.findVarHandle(InjectQueueConsumerFields.class, "taken", long.class);
            CONSUMING = lookup.findVarHandle(InjectQueueConsumerFields.class, "consuming", int.class);
            NEXT = lookup.findVarHandle(ScheduledTask.class, "queueNext", ScheduledTask.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The permanent list node that is never handed out; lets producers never see an empty list. */
    private final ScheduledTask stub = new Stub();

    InjectQueue() {
        // Plain: the queue reaches other threads through a happens-before edge (a final field).
        this.head = stub;
        this.tail = stub;
    }

    /** Any thread. Lock-free, never allocates. {@code task.queueNext} is overwritten. */
    @Override
    public void push(ScheduledTask task) {
        countPushed(1);
        append(task, task);
    }

    /**
     * Any thread. Appends {@code count} tasks linked from {@code first} to {@code last}
     * ({@code last.queueNext == null}) with one exchange, keeping their order.
     */
    @Override
    public void pushBatch(ScheduledTask first, ScheduledTask last, int count) {
        countPushed(count);
        append(first, last);
    }

    /**
     * Counted before the exchange, so len() overcounts a push in flight rather than undercounting
     * one a consumer took quickly. A hint only, so no ordering is needed; Release is the weakest
     * read-modify-write mode VarHandle has besides Acquire (both are one LOCK XADD on x86). It
     * shares the producers' cache lines with tail, which they have just written anyway.
     */
    private void countPushed(int count) {
        PUSHED.getAndAddRelease(this, (long) count);
    }

    /** The producer step; also used by the consumer to re-append the stub. */
    private void append(ScheduledTask first, ScheduledTask last) {
        // Plain: published by the exchange below (release half).
        last.queueNext = null;
        // Volatile exchange, for both halves of acquire-release (VarHandle has no acq_rel
        // getAndSet): release publishes our link clear above to the producer that exchanges after
        // us, which then writes that same field; acquire orders the previous producer's clear of
        // prev.queueNext before our link write below, so our link cannot be overwritten by it.
        ScheduledTask prev = (ScheduledTask) TAIL.getAndSet(this, last);
        // Release: a consumer that reads this link (acquire) sees the tasks' fields and, for a
        // batch, the links inside the batch, which the caller wrote with plain stores.
        NEXT.setRelease(prev, first);
    }

    /**
     * Any thread. Takes the oldest task, or returns {@code null} when the queue is empty, another
     * worker is taking tasks right now, or the oldest task's producer has not finished linking.
     * Never blocks or spins.
     */
    ScheduledTask pop() {
        if (isEmpty() || !tryAcquireConsumer()) {
            return null;
        }
        ScheduledTask task = popHoldingFlag();
        releaseConsumer();
        return task;
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
        if (isEmpty() || !tryAcquireConsumer()) {
            return null;
        }
        ScheduledTask first = popHoldingFlag();
        if (first != null) {
            for (int i = 1; i < max; i++) {
                ScheduledTask task = popHoldingFlag();
                if (task == null) {
                    break;
                }
                // Producers need no flag, so overflowing back into this queue cannot deadlock.
                dst.pushBackOrOverflow(task, this);
            }
        }
        releaseConsumer();
        return first;
    }

    /** The single-consumer step; caller holds the flag. */
    private ScheduledTask popHoldingFlag() {
        // Plain: head is written only by the flag holder; the flag's release/acquire hands it over.
        ScheduledTask h = head;
        // Acquire: pairs with the producer's release link; the task's fields are visible.
        ScheduledTask next = (ScheduledTask) NEXT.getAcquire(h);
        if (h == stub) {
            if (next == null) {
                return null; // empty, or the producer after the stub has not linked yet
            }
            advanceHead(next);
            stub.queueNext = null; // plain: no producer writes the stub's link until it is re-pushed
            h = next;
            next = (ScheduledTask) NEXT.getAcquire(h);
        }
        if (next != null) {
            return take(h, next);
        }
        // h is the last linked node. If tail moved on, a producer is between exchange and link.
        // Acquire is not needed for an identity check; opaque gives a coherent value.
        if (h != TAIL.getOpaque(this)) {
            return null;
        }
        // h is the last node: re-append the stub behind it so h can leave without the list ever
        // being empty (a producer may get in between; then the stub goes behind that task).
        append(stub, stub);
        next = (ScheduledTask) NEXT.getAcquire(h);
        if (next != null) {
            return take(h, next);
        }
        return null; // a producer exchanged before our stub and has not linked yet
    }

    private ScheduledTask take(ScheduledTask task, ScheduledTask next) {
        advanceHead(next);
        // Plain: its only writer (the producer after it) has written it already (it was non-null).
        task.queueNext = null;
        // Opaque: racy readers of len() need a coherent value; the next consumer gets it via the
        // flag. Plain read of our own latest write is fine.
        TAKEN.setOpaque(this, taken + 1);
        return task;
    }

    private void advanceHead(ScheduledTask next) {
        // Opaque: isEmpty() reads head from any thread and only compares identities; the next
        // consumer is ordered by the flag.
        HEAD.setOpaque(this, next);
    }

    private boolean tryAcquireConsumer() {
        // Test before CAS: when a worker is draining, do not pull the line away from it.
        // Acquire on success: the previous holder's head, taken and link clears happen-before
        // our reads of them (pairs with the release in releaseConsumer).
        return (int) CONSUMING.getOpaque(this) == 0
                && (int) CONSUMING.compareAndExchangeAcquire(this, 0, 1) == 0;
    }

    private void releaseConsumer() {
        CONSUMING.setRelease(this, 0);
    }

    /**
     * Any thread. Approximate number of queued tasks: pushes that have started minus pops that
     * finished, so it may count a push still in flight; never negative.
     */
    int len() {
        // taken first: a pushed count read after it includes every task that was taken.
        long takenSoFar = (long) TAKEN.getOpaque(this);
        long pushedSoFar = (long) PUSHED.getOpaque(this);
        long len = pushedSoFar - takenSoFar;
        return len <= 0 ? 0 : (int) Math.min(len, Integer.MAX_VALUE);
    }

    /**
     * Any thread. {@code false} when a task is queued, including while a producer is between its
     * exchange and its link (then {@link #pop()} may still return {@code null}).
     *
     * <p>Guarantee (what the no-lost-wake-up protocol needs): if a push returned, and this thread
     * then ran a full fence, this returns {@code false} unless that task has been popped.
     * Why: tail is read first. After the push, tail is that task or a later node. If it reads
     * the stub, the stub was re-appended after the task, so the task lies between head and the
     * stub; head can only reach the stub after the task was taken. Reading head first would be
     * wrong: a stale head == stub and a fresh tail == stub can frame a queued task.
     */
    boolean isEmpty() {
        // Acquire: keeps the head load below from moving before this load.
        if (TAIL.getAcquire(this) != stub) {
            return false;
        }
        return HEAD.getOpaque(this) == stub;
    }

    @Override
    public String toString() {
        return "InjectQueue[len=" + len() + ", empty=" + isEmpty() + "]";
    }

    /** The list's permanent node. Never scheduled, never handed out. */
    private static final class Stub extends ScheduledTask {
        @Override
        int lane() {
            throw new UnsupportedOperationException("the inject queue's stub is not a task");
        }

        @Override
        void run(TaskPoller poller) {
            throw new UnsupportedOperationException("the inject queue's stub is not a task");
        }

        @Override
        void cancelQueued(String why) {
            throw new UnsupportedOperationException("the inject queue's stub is not a task");
        }
    }
}

/*
 * Padding, JCTools style (see LocalQueue for the 128-byte reasoning): producers write tail and
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
    /** Newest list node; exchanged by producers through {@code InjectQueue.TAIL}. */
    ScheduledTask tail;
    /** Tasks whose push has started; through {@code InjectQueue.PUSHED}. */
    long pushed;
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
    /** Oldest list node (the stub or the next task); moved only by the flag holder. */
    ScheduledTask head;
    /** Tasks handed out; written only by the flag holder. */
    long taken;
    /** 1 while a worker holds the consumer role. */
    int consuming;
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
