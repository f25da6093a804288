package io.asyncruntime.internal.scheduler;

/*
 * The field layout of a {@link TaskShard}, a chain of superclasses from the top of the object down
 * (TaskShard extends ShardSweep extends TaskShardPadding ... TaskShardHeadPadding): the owner's
 * fields and the sweep's cursor on one line between two pads, the {@code dirty} hint on a line
 * of its own. Only fields here; the VarHandles stay with the code that uses them (TaskShard,
 * ShardSweep).
 */

/** Keeps the next object in the heap off the shard's {@code dirty} line. */
abstract class TaskShardPadding extends TaskShardDirty {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}

/**
 * The hint that a cell of the shard completed since its last sweep began: read by every completer,
 * written by a completer only when clear and by a sweep when it starts, so on a line of its own
 * (the owner's line changes at every spawn; completers on other cores must not read that one).
 */
abstract class TaskShardDirty extends TaskShardMidPadding {
    /** Through {@code ShardSweep.DIRTY}. */
    @SuppressWarnings("unused")
    boolean dirty;
    /**
     * An off-worker sweeper handed the rest of its sweep to the workers and no sweep has taken it
     * yet (see {@code ShardSweep}, "Nobody left behind", review21 Q2): read by the same completers
     * as {@link #dirty}, so on its line. Through {@code ShardSweep.HAND_OFF}.
     */
    @SuppressWarnings("unused")
    boolean handOffPending;
}

abstract class TaskShardMidPadding extends ShardSweepCursor {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}

/**
 * {@link ShardSweep}'s cursor, as fields of the shard object, on the owner's line next to the
 * list's head (see ShardSweep, "Where the state lives"): the spawn path reads them under the lock
 * it already holds, with no load of another object. All under the shard's lock.
 */
abstract class ShardSweepCursor extends TaskShardFields {
    /** The spawn path sweeps once {@link #linked} reaches it (see ShardSweep's class comment). */
    int sweepTrigger;
    /** A sweep cycle is under way: {@link #sweepAt} is the next cell to look at. */
    boolean sweeping;
    /** The cycle under way was started by the spawn path, whose spawns advance it. */
    boolean spawnCycle;
    /** Cells pushed since the cycle under way started (see ShardSweep, "The bound in count"). */
    int cyclePushes;
    /**
     * Cells the spawn path's sweeps visited since the last driver turn's sweep (which takes them
     * off its own share).
     */
    int spawnVisits;
    /**
     * Sweep cycles ended (wrapping); through {@code ShardSweep.CYCLES_ENDED}, a volatile store
     * under the lock at each cycle's end, read by a stuck owner's watch ({@link StuckShardWatch}).
     */
    @SuppressWarnings("unused")
    int cyclesEnded;
    /** The cell whose link is {@link #sweepAt}, or null while that is {@link #head}. */
    TaskCell<?> sweepPrev;
    TaskCell<?> sweepAt;
}

/**
 * The shard's owner-side fields, between two pads (see {@code LocalQueueFields} for why 128
 * bytes), with the sweep's cursor after them ({@link ShardSweepCursor}, the next class down): on
 * a worker's shard only the worker's thread writes them, so the line stays in its core.
 */
abstract class TaskShardFields extends TaskShardHeadPadding {
    /** 0 free, 1 held; through {@code TaskShard.LOCKED}. */
    @SuppressWarnings("unused")
    int locked;
    /**
     * Threads spinning in {@code lock()} for the lock (a spawn, a reader): a long sweep gives way
     * while it is positive. Through {@code TaskShard.LOCK_WAITERS}; written on contention only.
     */
    @SuppressWarnings("unused")
    int lockWaiters;
    /** Cells linked, finished ones not yet swept included; under the lock. */
    int linked;
    /** The newest cell; the list runs through {@code TaskCell.registryNext}. Under the lock. */
    TaskCell<?> head;
    /** Cells ever linked; written under the lock with a release store, read with acquire. */
    long inserted;
    /**
     * Tasks completed on this shard's worker, not cancelled and cancelled (a worker's shard only):
     * written by the worker's thread only, with release stores. See {@code TaskRegistry.counts}.
     */
    long completed;
    long completedCancelled;
}

abstract class TaskShardHeadPadding {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}
