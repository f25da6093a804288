package io.asyncruntime.sync;

import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.util.Optional;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A {@link Broadcast} of capacity 2 (every slot is rewritten while receivers read it, and a
 * receiver lags after three sends), senders on every thread, two receivers each used by one
 * thread, a closer: linearizable against itself run sequentially. This checks the seqlock read of
 * a slot being rewritten (a receiver never returns a value from the wrong position), the lag count,
 * and close ordered with sends. Receiver one also receives through a waiting {@code recv()} task;
 * after every run, {@link #noWakeLost} checks that a waiting recv with a value, a lag or the close
 * in front of it was woken.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:4")
public class BroadcastLincheckTest {

    private static final int CAPACITY = 2;

    private final Broadcast<Integer> channel = new Broadcast<>(CAPACITY);
    private final Broadcast.Receiver<Integer> r1 = channel.subscribe();
    private final Broadcast.Receiver<Integer> r2 = channel.subscribe();
    private final TestContext cx = new TestContext();
    private Task<Integer> recvInFlight;
    private int signalsAtLastPoll;

    @Operation(params = {"v"})
    public String send(int v) {
        try {
            return "sent to " + channel.send(v);
        } catch (ChannelClosedException closed) {
            return "closed";
        }
    }

    @Operation
    public void close() {
        channel.close();
    }

    @Operation(nonParallelGroup = "r1")
    public String tryRecv1() {
        return tryRecv(r1);
    }

    @Operation(nonParallelGroup = "r1")
    public String recv1() {
        if (recvInFlight == null) {
            recvInFlight = r1.recv();
        }
        signalsAtLastPoll = cx.repollSignals();
        Poll<Integer> polled;
        try {
            polled = cx.poll(recvInFlight);
        } catch (LaggedException lagged) {
            recvInFlight = null;
            return "lagged " + lagged.missed();
        } catch (ChannelClosedException closed) {
            recvInFlight = null;
            return "closed";
        }
        if (polled.isPending()) {
            return "waiting";
        }
        recvInFlight = null;
        return "got " + polled.value();
    }

    @Operation(nonParallelGroup = "r1")
    public String cancelRecv1() {
        if (recvInFlight == null) {
            return "idle";
        }
        recvInFlight.cancel();
        recvInFlight = null;
        return "cancelled";
    }

    @Operation(nonParallelGroup = "r2")
    public String tryRecv2() {
        return tryRecv(r2);
    }

    private static String tryRecv(Broadcast.Receiver<Integer> receiver) {
        try {
            Optional<Integer> value = receiver.tryRecv();
            return value.map(v -> "got " + v).orElse("empty");
        } catch (LaggedException lagged) {
            return "lagged " + lagged.missed();
        } catch (ChannelClosedException closed) {
            return "closed";
        }
    }

    @Validate
    public void noWakeLost() {
        if (recvInFlight != null && (r1.next != channelTail() || channel.isClosed())
                && cx.repollSignals() == signalsAtLastPoll) {
            throw new AssertionError("a waiting recv has a value, a lag or the close in front of it but was never woken");
        }
    }

    /** The position the next send writes: what a fresh subscriber starts from. */
    private long channelTail() {
        try (Broadcast.Receiver<Integer> probe = channel.subscribe()) {
            return probe.next;
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(6)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(2)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(6)
                .invocationsPerIteration(500)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(2)
                .check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions()
                .iterations(100)
                .invocationsPerIteration(5_000)
                .threads(3)
                .actorsPerThread(4)
                .actorsBefore(2)
                .actorsAfter(2)
                .check(getClass());
    }
}
