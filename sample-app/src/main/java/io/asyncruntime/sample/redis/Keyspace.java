package io.asyncruntime.sample.redis;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.CancellationToken;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Clock;
import io.asyncruntime.time.Time;

/**
 * The key-value store behind the RESP server: string values in a {@link ConcurrentHashMap} (its
 * bins lock per key, so commands on different keys never contend), with optional expiry.
 *
 * <p><b>Expiry</b> happens two ways, as in Redis. Lazily: every read treats an entry whose deadline
 * has passed as absent and removes it. Actively: a key given a deadline gets a timer task on the
 * runtime's timing wheel ({@link Time#sleep}) that removes it when the deadline comes, so expired
 * keys do not stay in memory until someone reads them. The timer removes a key only if its
 * <em>current</em> entry carries that timer (an {@code INCR} keeps the deadline and the timer): a
 * key overwritten meanwhile, or given another deadline, is left alone; a replaced entry's timer is
 * aborted, so timers do not pile up under a workload that keeps resetting deadlines. Active expiry
 * runs while the RESP server runs ({@link #startActiveExpiry}, {@link #stopActiveExpiry}) and
 * ends when the runtime's root token is cancelled, so timers never hold a graceful shutdown. (One
 * task per key with a deadline is what the wheel is built for, at about a hundred bytes each; a
 * single per-keyspace expiry queue would be leaner with millions of such keys.)
 *
 * <p>Deadlines are read on the runtime's {@link Clock} ({@link #useClock}), so timers and lazy
 * checks agree. Thread-safe. Every command is atomic, the multi-key ones ({@code MSET},
 * {@code MGET}, {@code DEL} and {@code EXISTS} of several keys) too, through {@link KeyLocks}; only
 * {@code FLUSHALL} ({@link #clear}) removes key by key, and so may leave a key set while it runs.
 */
public final class Keyspace {

    /** Values a {@code TTL} answers for a key without a deadline, and for a missing key (Redis's). */
    public static final long NO_DEADLINE = -1;
    public static final long NO_KEY = -2;

    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>(1024);
    /** Makes multi-key commands atomic; single-key ones hold their key's stripe shared (see {@link KeyLocks}). */
    private final KeyLocks locks = new KeyLocks();
    private final AsyncRuntime runtime;
    private volatile Clock clock = Clock.system();
    /** Cancelled when active expiry stops; null before the first start. A child of the runtime's root token. */
    private volatile CancellationToken expiryToken;

    /**
     * A keyspace whose expiry timers run on {@code runtime}.
     *
     * @param runtime not null
     */
    public Keyspace(AsyncRuntime runtime) {
        if (runtime == null) {
            throw new IllegalArgumentException("runtime must not be null");
        }
        this.runtime = runtime;
    }

    /** Reads deadlines on {@code clock} from now on (the runtime's, which the server passes at start). */
    void useClock(Clock clock) {
        this.clock = clock;
    }

    /** An entry: immutable; entries with one deadline may share one {@link ExpiryTimer}. */
    static final class Entry {
        final byte[] value;
        final boolean expires;
        /** Clock milliseconds ({@link Keyspace#nowMillis}); meaningful only if {@link #expires}. */
        final long deadline;
        /** The expiry timer, or null (no deadline); created before the entry is published. */
        final ExpiryTimer timer;

        Entry(byte[] value, boolean expires, long deadline) {
            this(value, expires, deadline, expires ? new ExpiryTimer() : null);
        }

        private Entry(byte[] value, boolean expires, long deadline, ExpiryTimer timer) {
            this.value = value;
            this.expires = expires;
            this.deadline = deadline;
            this.timer = timer;
        }

        /** The same deadline (and timer) with another value. */
        Entry withValue(byte[] newValue) {
            return new Entry(newValue, expires, deadline, timer);
        }
    }

    private static boolean expired(Entry e, long now) {
        return e.expires && e.deadline - now <= 0;
    }

    /** Whether {@code e} has a deadline that has passed; reads the clock only for entries that have one. */
    private boolean expiredNow(Entry e) {
        return e.expires && e.deadline - nowMillis() <= 0;
    }

    /**
     * Now on the keyspace's clock, in milliseconds: deadlines are kept in milliseconds, as Redis
     * keeps them, so that any TTL Redis accepts (up to {@code Long.MAX_VALUE} ms from now) fits.
     */
    private long nowMillis() {
        return Math.floorDiv(clock.nanoTime(), 1_000_000L);
    }

    /**
     * The deadline {@code ttlMillis} from now.
     *
     * @throws ArithmeticException if it does not fit a long of milliseconds (Redis's "invalid expire time")
     */
    private long deadlineAfter(long ttlMillis) {
        return Math.addExact(nowMillis(), ttlMillis);
    }

    private boolean live(Entry e) {
        return e != null && !expiredNow(e);
    }

    /**
     * The value of {@code key}, or null if it is missing or expired. Reads optimistically: if a
     * multi-key command held the key's stripe meanwhile, it reads again holding it shared.
     */
    public byte[] get(Key key) {
        StampedLock lock = locks.of(key);
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
            byte[] value = getUnlocked(key);
            if (lock.validate(stamp)) {
                return value;
            }
        }
        stamp = lock.readLock();
        try {
            return getUnlocked(key);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** {@link #get} for a caller that holds the key's stripe, or reads optimistically. */
    private byte[] getUnlocked(Key key) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (expiredNow(e)) {
            entries.remove(key, e);
            abortTimer(e);
            return null;
        }
        return e.value;
    }

    /** Whether {@code key} holds a live value. */
    public boolean exists(Key key) {
        return get(key) != null;
    }

    /**
     * {@code SET}: stores {@code value}, with a deadline {@code ttlMillis} from now if it is positive
     * (no deadline if it is negative), only if the key is absent ({@code ifAbsent}) or present
     * ({@code ifPresent}) when asked. Answers whether it stored.
     *
     * @throws ArithmeticException if the deadline does not fit a long of milliseconds (nothing is stored)
     */
    boolean set(Key key, byte[] value, long ttlMillis, boolean ifAbsent, boolean ifPresent) {
        long deadline = ttlMillis >= 0 ? deadlineAfter(ttlMillis) : 0;
        StampedLock lock = locks.of(key);
        long stamp = lock.readLock();
        try {
            return setUnlocked(key, value, ttlMillis >= 0, deadline, ifAbsent, ifPresent);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private boolean setUnlocked(Key key, byte[] value, boolean expires, long deadline, boolean ifAbsent,
            boolean ifPresent) {
        Entry fresh = new Entry(value, expires, deadline);
        if (!ifAbsent && !ifPresent) {
            replaced(entries.put(key, fresh), fresh);
            scheduleExpiry(key, fresh);
            return true;
        }
        Entry[] old = new Entry[1];
        Entry now = entries.compute(key, (k, current) -> {
            old[0] = current;
            boolean present = live(current);
            return (ifAbsent && present) || (ifPresent && !present) ? current : fresh;
        });
        if (now != fresh) {
            return false;
        }
        replaced(old[0], fresh);
        scheduleExpiry(key, fresh);
        return true;
    }

    /** {@code MSET}: sets several keys, each as a plain {@code SET}, atomically (a later pair for a key wins). */
    void setAll(Key[] keys, byte[][] values) {
        locks.exclusively(keys, () -> {
            for (int i = 0; i < keys.length; i++) {
                setUnlocked(keys[i], values[i], false, 0, false, false);
            }
            return null;
        });
    }

    /** {@code MGET}: the values of several keys (null for a missing one), read at one instant. */
    byte[][] getAll(Key[] keys) {
        return locks.exclusively(keys, () -> {
            byte[][] values = new byte[keys.length][];
            for (int i = 0; i < keys.length; i++) {
                values[i] = getUnlocked(keys[i]);
            }
            return values;
        });
    }

    /** {@code DEL} of several keys, atomically; answers how many held a live value (a repeated key counts once). */
    long deleteAll(Key[] keys) {
        return locks.exclusively(keys, () -> {
            long removed = 0;
            for (Key key : keys) {
                if (deleteUnlocked(key)) {
                    removed++;
                }
            }
            return removed;
        });
    }

    /** {@code EXISTS} of several keys at one instant: how many are live (a repeated key counts each time). */
    long countExisting(Key[] keys) {
        return locks.exclusively(keys, () -> {
            long found = 0;
            for (Key key : keys) {
                if (getUnlocked(key) != null) {
                    found++;
                }
            }
            return found;
        });
    }

    /** Removes {@code key}; answers whether it held a live value. */
    public boolean delete(Key key) {
        return locks.write(key, () -> deleteUnlocked(key));
    }

    private boolean deleteUnlocked(Key key) {
        Entry e = entries.remove(key);
        if (e == null) {
            return false;
        }
        abortTimer(e);
        return !expiredNow(e);
    }

    /**
     * Adds {@code delta} to the decimal integer at {@code key} (0 if missing), keeping its deadline.
     *
     * @throws NumberFormatException if the value is not a decimal long ({@link RedisErrors#NOT_AN_INTEGER})
     * @throws ArithmeticException if the result would overflow
     */
    long incrementBy(Key key, long delta) {
        return locks.write(key, () -> incrementByUnlocked(key, delta));
    }

    private long incrementByUnlocked(Key key, long delta) {
        long[] result = new long[1];
        entries.compute(key, (k, current) -> {
            boolean present = live(current);
            long base = present ? RedisNumbers.parseLong(current.value) : 0;
            long sum = Math.addExact(base, delta);
            result[0] = sum;
            if (present) {
                return current.withValue(RedisNumbers.toBytes(sum)); // same deadline: its timer covers the new value
            }
            if (current != null) {
                abortTimer(current);
            }
            return new Entry(RedisNumbers.toBytes(sum), false, 0);
        });
        return result[0];
    }

    /**
     * Gives {@code key} a deadline {@code ttlMillis} from now (a non-positive one deletes it, as in
     * Redis); answers whether the key existed.
     *
     * @throws ArithmeticException if the deadline does not fit a long of milliseconds (the key is left alone)
     */
    boolean expire(Key key, long ttlMillis) {
        long deadline = ttlMillis > 0 ? deadlineAfter(ttlMillis) : 0;
        return locks.write(key, () -> expireUnlocked(key, ttlMillis, deadline));
    }

    private boolean expireUnlocked(Key key, long ttlMillis, long deadline) {
        if (ttlMillis <= 0) {
            return deleteUnlocked(key);
        }
        Entry[] replaced = new Entry[1];
        Entry now = entries.computeIfPresent(key, (k, current) -> {
            if (!live(current)) {
                replaced[0] = current;
                return null;
            }
            replaced[0] = current;
            return new Entry(current.value, true, deadline);
        });
        if (now == null) {
            if (replaced[0] != null) {
                abortTimer(replaced[0]);
            }
            return false;
        }
        replaced(replaced[0], now);
        scheduleExpiry(key, now);
        return true;
    }

    /** Milliseconds left before {@code key} expires (at least 1), {@link #NO_DEADLINE} or {@link #NO_KEY}. */
    long timeToLiveMillis(Key key) {
        return locks.read(key, () -> timeToLiveMillisUnlocked(key));
    }

    private long timeToLiveMillisUnlocked(Key key) {
        Entry e = entries.get(key);
        long now = nowMillis();
        if (e == null || expired(e, now)) {
            return NO_KEY;
        }
        return e.expires ? e.deadline - now : NO_DEADLINE;
    }

    /** Entries held, including expired ones no read or timer has removed yet (as Redis's DBSIZE). */
    public long size() {
        return entries.mappingCount();
    }

    /** Entries that carry a deadline (walks the keyspace: for INFO, not for hot paths). */
    long countExpiring() {
        return entries.values().stream().filter(e -> e.expires).count();
    }

    /** Removes every key and aborts every expiry timer. */
    public void clear() {
        for (Key key : entries.keySet()) {
            Entry e = entries.remove(key);
            if (e != null) {
                abortTimer(e);
            }
        }
    }

    /** {@code old} was replaced by {@code fresh}: its timer goes unless {@code fresh} shares it. */
    private void replaced(Entry old, Entry fresh) {
        if (old != null && old.timer != null && old.timer != fresh.timer) {
            abortTimer(old);
        }
    }

    private static void abortTimer(Entry e) {
        if (e.timer != null) {
            e.timer.abort();
        }
    }

    /**
     * Starts {@code e}'s timer on the wheel. It sleeps until the deadline (in steps of at most
     * {@link Time#MAX_DELAY}), then removes the key if the entry there still has this timer. It
     * ends early, doing nothing, when {@link #stopActiveExpiry() active expiry stops} (the RESP
     * server stops, or the runtime's root token is cancelled at shutdown): a timer must not hold
     * the runtime's graceful shutdown to its timeout, and lazy expiry keeps reads correct.
     */
    private void scheduleExpiry(Key key, Entry e) {
        if (!e.expires) {
            return;
        }
        CancellationToken token = expiryToken;
        if (token == null || token.isCancelled()) {
            return; // active expiry is off: reads expire the key lazily, a restart schedules it again
        }
        Task<Void> sleepUntilDeadline = Task.loop(e, entry -> {
            long left = entry.deadline - nowMillis();
            if (left > 0) {
                Duration wait = Duration.ofMillis(Math.min(left, Time.MAX_DELAY.toMillis()));
                return Time.sleep(wait).map(v -> Step.<Entry, Void>next(entry));
            }
            Entry current = entries.get(key);
            if (current != null && current.timer == entry.timer) {
                entries.remove(key, current);
            }
            return Task.completed(Step.<Entry, Void>done(null));
        });
        Task<Void> timer = Task.select(sleepUntilDeadline, v -> v, token.cancelled(), v -> v);
        try {
            e.timer.started(runtime.spawn(timer, Priority.BACKGROUND));
        } catch (RuntimeException shuttingDown) {
            // The runtime takes no new tasks while it shuts down: reads still expire the key lazily.
        }
    }

    /**
     * Starts active expiry (the RESP server calls it as it starts): keys given a deadline get a
     * timer from now on, and keys that already have one get their timer again (after a stop).
     * Expiry also stops by itself when the runtime's root token is cancelled.
     */
    void startActiveExpiry() {
        expiryToken = runtime.cancellationToken().child();
        entries.forEach((key, e) -> {
            if (e.expires) {
                scheduleExpiry(key, e);
            }
        });
    }

    /** Ends every expiry timer (the RESP server calls it as it stops); reads still expire keys lazily. */
    void stopActiveExpiry() {
        CancellationToken token = expiryToken;
        if (token != null) {
            token.cancel();
        }
    }

}
