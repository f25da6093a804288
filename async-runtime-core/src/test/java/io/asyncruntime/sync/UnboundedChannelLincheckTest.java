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
 * An unbounded channel whose storage blocks hold two messages, so that a handful of sends append
 * blocks, race to link them and move the tail hint, and the consumer crosses block boundaries.
 * Two producers, one consumer task, a closer; linearizable against itself run sequentially: send
 * (never waits), trySend, recv (waiting and cancelled), tryRecv, close. After every run,
 * {@link #noMessageLostAndNoWakeLost} checks that a waiting recv with a message (or the end) in
 * front of it was woken, and that every message counted as sent is received exactly once.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
public class UnboundedChannelLincheckTest {

    private static final int BLOCK_SIZE = 2;

    private final Channel<Integer> channel = Channel.unboundedWithBlockSize(BLOCK_SIZE);
    private final TestContext consumer = new TestContext();
    private final TestContext producers = new TestContext();
    private Task<Optional<Integer>> recvInFlight;
    private int consumerSignalsAtLastPoll;
    private int sent1;
    private int sent2;
    private int received;

    @Operation(nonParallelGroup = "p1", params = {"v"})
    public String send1(int v) {
        String result = send(v);
        if (result.equals("sent")) {
            sent1++;
        }
        return result;
    }

    @Operation(nonParallelGroup = "p1", params = {"v"})
    public String trySend1(int v) {
        String result = trySend(10 + v);
        if (result.equals("sent")) {
            sent1++;
        }
        return result;
    }

    @Operation(nonParallelGroup = "p2", params = {"v"})
    public String send2(int v) {
        String result = send(20 + v);
        if (result.equals("sent")) {
            sent2++;
        }
        return result;
    }

    private String send(int v) {
        try {
            Poll<Void> polled = producers.poll(channel.send(v));
            return polled.isReady() ? "sent" : "waiting";
        } catch (ChannelClosedException closed) {
            return "closed";
        }
    }

    private String trySend(int v) {
        try {
            return channel.trySend(v) ? "sent" : "full";
        } catch (ChannelClosedException closed) {
            return "closed";
        }
    }

    @Operation(nonParallelGroup = "consumer")
    public String recv() {
        if (recvInFlight == null) {
            recvInFlight = channel.recv();
        }
        Poll<Optional<Integer>> polled;
        for (;;) {
            int yields = consumer.yields.get();
            consumerSignalsAtLastPoll = consumer.repollSignals();
            polled = consumer.poll(recvInFlight);
            if (polled.isReady()) {
                break;
            }
            if (consumer.yields.get() == yields) {
                return "waiting";
            }
        }
        recvInFlight = null;
        if (polled.value().isEmpty()) {
            return "end";
        }
        received++;
        return "got " + polled.value().get();
    }

    @Operation(nonParallelGroup = "consumer")
    public String cancelRecv() {
        if (recvInFlight == null) {
            return "idle";
        }
        recvInFlight.cancel();
        recvInFlight = null;
        return "cancelled";
    }

    @Operation(nonParallelGroup = "consumer")
    public String tryRecv() {
        try {
            Optional<Integer> message = channel.tryRecv();
            if (message.isPresent()) {
                received++;
                return "got " + message.get();
            }
            return "empty";
        } catch (ChannelClosedException end) {
            return "end";
        }
    }

    @Operation(nonParallelGroup = "closer")
    public void close() {
        channel.close();
    }

    @Validate
    public void noMessageLostAndNoWakeLost() {
        if (recvInFlight != null) {
            boolean somethingToSee = channel.peekForTests() != null || channel.isClosed();
            if (somethingToSee && consumer.repollSignals() == consumerSignalsAtLastPoll) {
                throw new AssertionError("the consumer's recv has a message or the end in front of it but was never woken");
            }
            recvInFlight.cancel();
            recvInFlight = null;
        }
        for (;;) {
            Optional<Integer> message;
            try {
                message = channel.tryRecv();
            } catch (ChannelClosedException end) {
                break;
            }
            if (message.isEmpty()) {
                break;
            }
            received++;
        }
        if (sent1 + sent2 != received) {
            throw new AssertionError((sent1 + sent2) + " messages sent but " + received + " received");
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(6)
                .invocationsPerIteration(250)
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
                .invocationsPerIteration(600)
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
                .iterations(200)
                .invocationsPerIteration(5_000)
                .threads(4)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .check(getClass());
    }
}
