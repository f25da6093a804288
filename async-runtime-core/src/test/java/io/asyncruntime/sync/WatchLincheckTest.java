package io.asyncruntime.sync;

import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A {@link Watch} with two senders, a closer, a reader and one receiver task: linearizable against
 * itself run sequentially (send, get, version, close, the receiver's {@code changed()}
 * waiting and completing). The regression this guards: a send that checked "open" before a
 * concurrent close and installed its value after it, so a value appeared after the watch was
 * closed and after a receiver had been told it had seen the last one. After every run,
 * {@link #noWakeLost} checks that a waiting {@code changed()} with a change (or the close) in front
 * of it was woken.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
public class WatchLincheckTest {

    private final Watch<Integer> watch = new Watch<>(0);
    private final Watch.Receiver<Integer> receiver = watch.subscribe();
    private final TestContext cx = new TestContext();
    private Task<Integer> changedInFlight;
    private int signalsAtLastPoll;

    @Operation(params = {"v"})
    public String send(int v) {
        try {
            watch.send(v);
            return "sent";
        } catch (ChannelClosedException closed) {
            return "closed";
        }
    }

    @Operation
    public int get() {
        return watch.get();
    }

    @Operation
    public long version() {
        return watch.version();
    }

    @Operation
    public void close() {
        watch.close();
    }

    @Operation(nonParallelGroup = "receiver")
    public String changed() {
        if (changedInFlight == null) {
            changedInFlight = receiver.changed();
        }
        signalsAtLastPoll = cx.repollSignals();
        Poll<Integer> polled;
        try {
            polled = cx.poll(changedInFlight);
        } catch (ChannelClosedException closed) {
            changedInFlight = null;
            return "closed";
        }
        if (polled.isPending()) {
            return "waiting";
        }
        changedInFlight = null;
        return "changed to " + polled.value();
    }

    @Operation(nonParallelGroup = "receiver")
    public String cancelChanged() {
        if (changedInFlight == null) {
            return "idle";
        }
        changedInFlight.cancel();
        changedInFlight = null;
        return "cancelled";
    }

    @Validate
    public void noWakeLost() {
        if (changedInFlight != null && (receiver.hasChanged() || watch.isClosed())
                && cx.repollSignals() == signalsAtLastPoll) {
            throw new AssertionError("a waiting changed() has a change or the close in front of it but was never woken");
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(6)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsPerThread(2)
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
                .actorsPerThread(2)
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
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .check(getClass());
    }
}
