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
 * A bounded channel of capacity 2 (a ring of 2: every position is reused), two producers (each one
 * task with at most one send in flight), one consumer task, a closer. Linearizable against itself
 * run sequentially: send, trySend, waiting sends and their cancellation, recv, tryRecv, a waiting
 * recv and its cancellation, close. After every run, {@link #noMessageLostAndNoWakeLost} checks
 * that a recv with a message (or the end) in front of it was woken, that a send given room (or
 * failed by close) was woken, and, after cancelling what is in flight, that every message counted
 * as sent is received exactly once and every permit is back.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
public class ChannelLincheckTest {

    static final int CAPACITY = 2;

    final Channel<Integer> channel;
    private final Producer p1 = new Producer();
    private final Producer p2 = new Producer();
    final TestContext consumer;
    Task<Optional<Integer>> recvInFlight;
    int consumerSignalsAtLastPoll;
    /** Received by the consumer (one thread); each producer counts what it sent. */
    int received;

    public ChannelLincheckTest() {
        this.channel = newChannel();
        this.consumer = newConsumerContext();
    }

    /** The channel under test, of {@link #CAPACITY}; a variant may make another (no state of its own used). */
    Channel<Integer> newChannel() {
        return Channel.bounded(CAPACITY);
    }

    /** The consumer's context; a variant may make another (no state of its own used). */
    TestContext newConsumerContext() {
        return new TestContext();
    }

    private final class Producer {
        final TestContext cx = new TestContext();
        Task<Void> inFlight;
        int signalsAtLastPoll;
        int sent;

        String send(int v) {
            if (inFlight == null) {
                inFlight = channel.send(v);
            }
            signalsAtLastPoll = cx.repollSignals();
            Poll<Void> polled;
            try {
                polled = cx.poll(inFlight);
            } catch (ChannelClosedException closed) {
                inFlight = null;
                return "closed";
            }
            if (polled.isPending()) {
                return "waiting";
            }
            inFlight = null;
            sent++;
            return "sent";
        }

        String cancel() {
            if (inFlight == null) {
                return "idle";
            }
            inFlight.cancel();
            inFlight = null;
            return "cancelled";
        }

        String trySend(int v) {
            try {
                if (channel.trySend(v)) {
                    sent++;
                    return "sent";
                }
                return "full";
            } catch (ChannelClosedException closed) {
                return "closed";
            }
        }

        void checkWoken(String name) {
            if (inFlight != null) {
                int phase = ((ChannelSend<?>) inFlight).nodePhase();
                // Quiescent: free room while a send waits for it was never handed over (review25).
                if (phase == BatchSemaphore.Acquirer.WAITING && channel.permits.available() > 0) {
                    throw new AssertionError(name + "'s send waits while " + channel.permits.available() + " room is free");
                }
                if ((phase == BatchSemaphore.Acquirer.GRANTED || phase == BatchSemaphore.Acquirer.FAILED)
                        && cx.repollSignals() == signalsAtLastPoll) {
                    throw new AssertionError(name + "'s send was given room or failed but never woken");
                }
            }
        }
    }

    @Operation(nonParallelGroup = "p1", params = {"v"})
    public String send1(int v) {
        return p1.send(v);
    }

    @Operation(nonParallelGroup = "p1")
    public String cancelSend1() {
        return p1.cancel();
    }

    @Operation(nonParallelGroup = "p1", params = {"v"})
    public String trySend1(int v) {
        return p1.trySend(10 + v);
    }

    @Operation(nonParallelGroup = "p2", params = {"v"})
    public String send2(int v) {
        return p2.send(20 + v);
    }

    @Operation(nonParallelGroup = "p2", params = {"v"})
    public String trySend2(int v) {
        return p2.trySend(30 + v);
    }

    @Operation(nonParallelGroup = "consumer")
    public String recv() {
        if (recvInFlight == null) {
            recvInFlight = channel.recv();
        }
        Poll<Optional<Integer>> polled;
        for (;;) {
            // A pending poll that asked to be polled again (a producer was half-way through a push
            // at the head) means "not yet", not "empty": the runtime would poll it again soon.
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
        // A worker ends every poll; room the consumer's last poll owes waiting sends is served then.
        consumer.endPoll();
        if (channel.permits.owesWaiters()) {
            throw new AssertionError("the consumer's poll ended with room still owed to waiting sends");
        }
        p1.checkWoken("p1");
        p2.checkWoken("p2");
        if (recvInFlight != null) {
            boolean somethingToSee = channel.permits.available() < CAPACITY || channel.isClosed();
            // A message in the channel, or the channel closed: the waiting recv must be woken
            // (or have asked to be polled again). A permit held by a waiting send counts as neither.
            if (somethingToSee && hasMessageOrEnd() && consumer.repollSignals() == consumerSignalsAtLastPoll) {
                throw new AssertionError("the consumer's recv has a message or the end in front of it but was never woken");
            }
            recvInFlight.cancel();
            recvInFlight = null;
        }
        p1.cancel();
        p2.cancel();
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
        if (p1.sent + p2.sent != received) {
            throw new AssertionError((p1.sent + p2.sent) + " messages sent but " + received + " received");
        }
        if (channel.permits.available() != CAPACITY) {
            throw new AssertionError("room leaked: " + channel.permits.available() + " of " + CAPACITY + " free");
        }
        if (channel.permits.waiterCount() != 0) {
            throw new AssertionError("a send is still registered after all were cancelled");
        }
    }

    /** Whether a recv polled now would complete: a message is at the head, or the channel ended. */
    private boolean hasMessageOrEnd() {
        return channel.peekForTests() != null || channel.permits.isClosedWithAll(CAPACITY);
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
