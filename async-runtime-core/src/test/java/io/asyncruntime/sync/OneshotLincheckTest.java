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
 * A oneshot with two would-be senders, one receiver task (a recv in flight, its cancellation,
 * tryRecv) and a closer: linearizable against itself run sequentially (one send wins, a send and a
 * close are ordered, a value sent before the close stays receivable). After every run,
 * {@link #noWakeLost} checks that a waiting recv with a value or a close in front of it was woken.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
public class OneshotLincheckTest {

    private final Oneshot<Integer> oneshot = new Oneshot<>();
    private final TestContext receiver = new TestContext();
    private Task<Integer> recvInFlight;
    private int signalsAtLastPoll;

    @Operation(nonParallelGroup = "s1", params = {"v"})
    public String send1(int v) {
        return send(v);
    }

    @Operation(nonParallelGroup = "s2", params = {"v"})
    public String send2(int v) {
        return send(10 + v);
    }

    private String send(int v) {
        try {
            return oneshot.send(v) ? "delivered" : "closed";
        } catch (IllegalStateException alreadySent) {
            return "already sent";
        }
    }

    @Operation(nonParallelGroup = "receiver")
    public String recv() {
        if (recvInFlight == null) {
            recvInFlight = oneshot.recv();
        }
        signalsAtLastPoll = receiver.repollSignals();
        try {
            Poll<Integer> polled = receiver.poll(recvInFlight);
            if (polled.isPending()) {
                return "waiting";
            }
            recvInFlight = null;
            return "got " + polled.value();
        } catch (ChannelClosedException closed) {
            recvInFlight = null;
            return "closed";
        } catch (IllegalStateException taken) {
            recvInFlight = null;
            return "already received";
        }
    }

    @Operation(nonParallelGroup = "receiver")
    public String cancelRecv() {
        if (recvInFlight == null) {
            return "idle";
        }
        recvInFlight.cancel();
        recvInFlight = null;
        return "cancelled";
    }

    @Operation(nonParallelGroup = "receiver")
    public String tryRecv() {
        try {
            Optional<Integer> value = oneshot.tryRecv();
            return value.map(v -> "got " + v).orElse("empty");
        } catch (ChannelClosedException closed) {
            return "closed";
        } catch (IllegalStateException taken) {
            return "already received";
        }
    }

    @Operation(nonParallelGroup = "closer")
    public void close() {
        oneshot.close();
    }

    @Operation
    public boolean isClosed() {
        return oneshot.isClosed();
    }

    @Validate
    public void noWakeLost() {
        if (recvInFlight != null) {
            String s = oneshot.toString();
            boolean ready = s.contains("sent") || s.contains("closed");
            if (ready && receiver.repollSignals() == signalsAtLastPoll) {
                throw new AssertionError("a waiting recv has a value or a close in front of it but was never woken: " + s);
            }
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(6)
                .invocationsPerIteration(250)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(6)
                .invocationsPerIteration(600)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions()
                .iterations(100)
                .invocationsPerIteration(5_000)
                .threads(4)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(2)
                .check(getClass());
    }
}
