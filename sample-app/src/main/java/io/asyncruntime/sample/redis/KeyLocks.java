package io.asyncruntime.sample.redis;

import java.util.concurrent.locks.StampedLock;
import java.util.function.Supplier;

/**
 * What makes a command on several keys ({@code MSET}, {@code MGET}, {@code DEL}/{@code EXISTS}
 * of several keys) atomic, as Redis's one thread makes every command: the keyspace's keys are
 * spread over {@value #STRIPES} stripes, each a {@link StampedLock}. A single-key command holds
 * its key's stripe in <em>shared</em> (read) mode, so single-key commands never wait for each
 * other (the map itself makes each of them atomic); a single-key read does not even take it, but
 * reads optimistically and validates. A multi-key command holds the stripes of all its keys in
 * <em>exclusive</em> (write) mode, taken in ascending stripe order (so two of them cannot
 * deadlock): nobody sees it half done, and it sees no single-key write half way through it.
 *
 * <p><b>Blocking.</b> A worker can wait here, which a worker must not do for long: it waits only
 * while a multi-key command on a stripe it needs runs, and that command's critical section is
 * O(its keys) map operations, with no I/O and no waiting inside, bounded by the request size
 * limit (Redis's single thread holds every other client for the same time). {@link StampedLock}
 * spins briefly before it parks. The locks are not reentrant: code that holds a stripe calls only
 * the keyspace's unlocked internals.
 */
final class KeyLocks {

    /** Stripes: enough that two workers' single-key writes rarely share a lock word; a power of two. */
    static final int STRIPES = 64;

    private final StampedLock[] stripes = new StampedLock[STRIPES];

    KeyLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new StampedLock();
        }
    }

    private static int index(Key key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    /** The stripe of {@code key}, for a single-key command. */
    StampedLock of(Key key) {
        return stripes[index(key)];
    }

    /** Runs {@code read} (one key, no writes that matter) optimistically, under the shared lock if a multi-key command interfered. */
    <T> T read(Key key, Supplier<T> read) {
        StampedLock lock = of(key);
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
            T value = read.get();
            if (lock.validate(stamp)) {
                return value;
            }
        }
        stamp = lock.readLock();
        try {
            return read.get();
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Runs {@code write} on one key holding its stripe shared. */
    <T> T write(Key key, Supplier<T> write) {
        StampedLock lock = of(key);
        long stamp = lock.readLock();
        try {
            return write.get();
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Runs {@code action} on several keys holding all their stripes exclusively. */
    <T> T exclusively(Key[] keys, Supplier<T> action) {
        int[] taken = stripesOf(keys);
        long[] stamps = new long[taken.length];
        int held = 0;
        try {
            for (; held < taken.length; held++) {
                stamps[held] = stripes[taken[held]].writeLock();
            }
            return action.get();
        } finally {
            for (int i = held - 1; i >= 0; i--) {
                stripes[taken[i]].unlockWrite(stamps[i]);
            }
        }
    }

    /** The distinct stripes of {@code keys}, ascending. */
    private static int[] stripesOf(Key[] keys) {
        boolean[] seen = new boolean[STRIPES];
        int count = 0;
        for (Key key : keys) {
            int i = index(key);
            if (!seen[i]) {
                seen[i] = true;
                count++;
            }
        }
        int[] taken = new int[count];
        for (int i = 0, n = 0; i < STRIPES; i++) {
            if (seen[i]) {
                taken[n++] = i;
            }
        }
        return taken;
    }

}
