package io.asyncruntime.task;

import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A root token with a child and a grandchild, and fresh children created under them, while other
 * threads cancel them, wait on them (and abandon waits), and compact their listener stacks.
 * {@code isCancelled} must be linearizable against the sequential run; the other operations
 * return nothing, and {@link #invariantsHold} checks, with nothing in flight:
 *
 * <ul>
 *   <li>a wait that saw pending on a token that is now cancelled (itself or an ancestor) was woken
 *       exactly once; one on a token that is not cancelled was not woken and is still registered,
 *       and its token is attached all the way up, so a later cancel will reach it;</li>
 *   <li>no wait was woken twice, and an abandoned wait is registered nowhere.</li>
 * </ul>
 *
 * The check reads the flags without {@code isCancelled()}, which would mark descendants and fire
 * their waiters, hiding a waiter that the cancel itself failed to reach.
 */
@Param(name = "node", gen = IntGen.class, conf = "0:2")
public class CancellationTokenLincheckTest {

    static {
        // Load and initialise every class the operations use before Lincheck starts tracking
        // memory: a class initialised inside an invocation trips its snapshot restore (3.7).
        try {
            CancellationToken warmRoot = new CancellationToken();
            CancellationToken warmChild = warmRoot.child();
            Task<Void> abandoned = warmChild.cancelled();
            abandoned.poll(new CancellationTokenTest.CountingContext(new AtomicInteger()));
            abandoned.cancel();
            warmRoot.compact();
            warmChild.child().cancelled().poll(new CancellationTokenTest.CountingContext(new AtomicInteger()));
            warmRoot.cancel();
            warmChild.child().isCancelled();
            new Recorded(warmRoot).pollOnce();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CancellationToken root = new CancellationToken();
    private final CancellationToken child = root.child();
    private final CancellationToken grandchild = child.child();
    /** Recorded waits; plain slots claimed with a counter, read by the validation after the threads joined. */
    private final Recorded[] waits = new Recorded[64];
    private final AtomicInteger recorded = new AtomicInteger();

    private CancellationToken node(int index) {
        return index == 0 ? root : index == 1 ? child : grandchild;
    }

    @Operation(params = {"node"})
    public void cancel(int index) {
        node(index).cancel();
    }

    @Operation(params = {"node"})
    public boolean isCancelled(int index) {
        return node(index).isCancelled();
    }

    @Operation(params = {"node"})
    public void await(int index) throws Exception {
        record(node(index), false);
    }

    /** A wait abandoned right after its first poll (a select it lost): it must vanish. */
    @Operation(params = {"node"})
    public void awaitThenAbandon(int index) throws Exception {
        record(node(index), true);
    }

    /** Child creation racing with cancellation: a fresh child of the node, waited on at once. */
    @Operation(params = {"node"})
    public void awaitNewChild(int index) throws Exception {
        record(node(index).child(), false);
    }

    @Operation(params = {"node"})
    public void compact(int index) {
        node(index).compact();
    }

    private void record(CancellationToken token, boolean abandon) throws Exception {
        Recorded wait = new Recorded(token);
        wait.pollOnce();
        if (abandon) {
            wait.task.cancel();
            wait.abandoned = true;
        }
        waits[recorded.getAndIncrement()] = wait;
    }

    @Validate
    public void invariantsHold() {
        int count = recorded.get();
        CancellationToken[] tokens = new CancellationToken[3 + count];
        int[] expectedWaiting = new int[tokens.length];
        tokens[0] = root;
        tokens[1] = child;
        tokens[2] = grandchild;
        int distinct = 3;
        for (int w = 0; w < count; w++) {
            Recorded wait = waits[w];
            int index = 0;
            while (index < distinct && tokens[index] != wait.token) {
                index++;
            }
            if (index == distinct) {
                tokens[distinct++] = wait.token;
            }
            int wakes = wait.wakes.get();
            if (wakes > 1) {
                throw new AssertionError("a wait on " + name(wait.token) + " was woken " + wakes + " times");
            }
            if (wait.abandoned || !wait.sawPending) {
                continue;
            }
            boolean cancelled = cancelledWithoutMarking(wait.token);
            if (cancelled && wakes != 1) {
                throw new AssertionError("a pending wait on cancelled " + name(wait.token) + " was not woken");
            }
            if (!cancelled) {
                if (wakes != 0) {
                    throw new AssertionError("a wait on " + name(wait.token) + " was woken but nothing is cancelled");
                }
                expectedWaiting[index]++;
            }
        }
        for (int i = 0; i < distinct; i++) {
            CancellationToken token = tokens[i];
            int expected = expectedWaiting[i];
            if (!cancelledWithoutMarking(token) && token.waitingTasks() != expected) {
                throw new AssertionError(name(token) + " has " + token.waitingTasks() + " registered waits, expected " + expected);
            }
            if (expected > 0) {
                for (CancellationToken t = token; t.parent() != null; t = t.parent()) {
                    if (!t.isAttached()) {
                        throw new AssertionError(name(token) + " is waited on but " + name(t) + " is not attached");
                    }
                }
            }
        }
    }

    private static boolean cancelledWithoutMarking(CancellationToken token) {
        for (CancellationToken t = token; t != null; t = t.parent()) {
            if (t.isClosed()) {
                return true;
            }
        }
        return false;
    }

    private String name(CancellationToken token) {
        if (token == root) {
            return "root";
        }
        if (token == child) {
            return "child";
        }
        if (token == grandchild) {
            return "grandchild";
        }
        return "a new child of " + name(token.parent());
    }

    /** One wait on a token, with its own waker counter. */
    private static final class Recorded {
        final CancellationToken token;
        final Task<Void> task;
        final AtomicInteger wakes = new AtomicInteger();
        boolean sawPending;
        boolean abandoned;

        Recorded(CancellationToken token) {
            this.token = token;
            this.task = token.cancelled();
        }

        void pollOnce() throws Exception {
            sawPending = task.poll(new CancellationTokenTest.CountingContext(wakes)).isPending();
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(15)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(20)
                .invocationsPerIteration(1_000)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions()
                .iterations(300)
                .invocationsPerIteration(5_000)
                .threads(3)
                .actorsPerThread(4)
                .actorsBefore(2)
                .actorsAfter(3)
                .check(getClass());
    }
}
