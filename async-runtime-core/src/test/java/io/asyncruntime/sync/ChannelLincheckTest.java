package io.asyncruntime.sync;

import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
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
 * as sent is received exactly once and every permit is back. A trySend that fails while no other
 * operation is under way must leave no room free ({@link Producer#trySend}).
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
    /** Messages a variant put in before the scenario ({@link #prefill}), counted as sent. */
    int prefilled;
    /**
     * Operations other than trySend, started and finished: a trySend that began with none under
     * way and saw none start until its check ran had the channel to itself and the other trySend
     * (which only takes room), so nothing gave room back during it.
     */
    private final AtomicInteger othersStarted = new AtomicInteger();
    private final AtomicInteger othersFinished = new AtomicInteger();
    /** The first broken invariant an operation saw; the validator reports it (an operation's throw would be a result). */
    volatile String violation;

    public ChannelLincheckTest() {
        this.channel = newChannel();
        this.consumer = newConsumerContext();
    }

    /** The channel under test, of {@link #CAPACITY}; a variant may make another (no state of its own used). */
    Channel<Integer> newChannel() {
        return Channel.bounded(CAPACITY);
    }

    /** Puts {@code n} messages in before the scenario (from the constructor of a variant). */
    void prefill(int n) {
        for (int i = 0; i < n; i++) {
            if (!channel.trySend(100 + i)) {
                throw new IllegalStateException("prefill: no room for message " + i);
            }
            prefilled++;
        }
    }

    /** Runs an operation other than trySend, counted for {@link Producer#trySend}'s quiet check. */
    <R> R counted(Supplier<R> operation) {
        othersStarted.incrementAndGet();
        try {
            return operation.get();
        } finally {
            othersFinished.incrementAndGet();
        }
    }

    void countedRun(Runnable operation) {
        counted(() -> {
            operation.run();
            return null;
        });
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

        /**
         * A failed trySend leaves no room free: room the receiver gave back and has not handed to
         * the waiting sends yet is served first, and what is left over is taken. Checked when no
         * other operation (but the other producer's trySend, which only takes room) was under way
         * from before the trySend to the check: read finished before started, so that equal counts
         * mean none was in progress.
         */
        String trySend(int v) {
            int finishedBefore = othersFinished.get();
            int startedBefore = othersStarted.get();
            try {
                if (channel.trySend(v)) {
                    sent++;
                    return "sent";
                }
            } catch (ChannelClosedException closed) {
                return "closed";
            }
            int free = channel.permits.available();
            if (free != 0 && finishedBefore == startedBefore && othersStarted.get() == startedBefore && violation == null) {
                violation = "trySend failed on a quiet channel with " + free + " room free";
            }
            return "full";
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
        return counted(() -> p1.send(v));
    }

    @Operation(nonParallelGroup = "p1")
    public String cancelSend1() {
        return counted(p1::cancel);
    }

    @Operation(nonParallelGroup = "p1", params = {"v"})
    public String trySend1(int v) {
        return p1.trySend(10 + v);
    }

    @Operation(nonParallelGroup = "p2", params = {"v"})
    public String send2(int v) {
        return counted(() -> p2.send(20 + v));
    }

    @Operation(nonParallelGroup = "p2", params = {"v"})
    public String trySend2(int v) {
        return p2.trySend(30 + v);
    }

    @Operation(nonParallelGroup = "consumer")
    public String recv() {
        return counted(this::recvInOnePoll);
    }

    private String recvInOnePoll() {
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
        return counted(this::cancelRecvInFlight);
    }

    private String cancelRecvInFlight() {
        if (recvInFlight == null) {
            return "idle";
        }
        recvInFlight.cancel();
        recvInFlight = null;
        return "cancelled";
    }

    @Operation(nonParallelGroup = "consumer")
    public String tryRecv() {
        return counted(this::tryRecvNow);
    }

    private String tryRecvNow() {
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
        countedRun(channel::close);
    }

    @Validate
    public void noMessageLostAndNoWakeLost() {
        if (violation != null) {
            throw new AssertionError(violation);
        }
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
        if (prefilled + p1.sent + p2.sent != received) {
            throw new AssertionError((prefilled + p1.sent + p2.sent) + " messages sent but " + received + " received");
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
