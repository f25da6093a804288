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
 * Room held without a position (reservations) against sends and the consumer: a bounded channel
 * of capacity 2 whose receiver hands freed room to waiting sends and reserves in batches of 2 or
 * when its poll ends (the consumer's context defers it, as a worker's does), one reserver
 * (reserve, tryReserve, waiting reserves and their cancellation, sending with the permit, closing
 * it unused), one sender (send, trySend, waiting sends and their cancellation), one consumer
 * (recv, tryRecv), a closer. Linearizable
 * against itself run sequentially. After every run {@link #nothingLostAndAllRoomBack} checks that
 * a waiting reserve or send given room (or failed by close) was woken, and, after cancelling what
 * is in flight and closing an unused permit, that every message sent is received exactly once,
 * all room is back and nothing is queued.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
public class ChannelReserveLincheckTest {

    private static final int CAPACITY = 2;

    private final Channel<Integer> channel = Channel.boundedWithGrantBatch(CAPACITY, CAPACITY);
    private final TestContext reserverCx = new TestContext();
    private final TestContext senderCx = new TestContext();
    private final TestContext consumer = TestContext.deferring();
    private Task<Channel.Permit<Integer>> reserveInFlight;
    private int reserverSignalsAtLastPoll;
    private Channel.Permit<Integer> permit;
    private Task<Void> sendInFlight;
    private int senderSignalsAtLastPoll;
    /** Sent by each group (each group's operations never run in parallel). */
    private int sentWithPermits;
    private int sentBySender;
    private int received;

    @Operation(nonParallelGroup = "reserver")
    public String reserve() {
        if (permit != null) {
            return "holding";
        }
        if (reserveInFlight == null) {
            reserveInFlight = channel.reserve();
        }
        reserverSignalsAtLastPoll = reserverCx.repollSignals();
        Poll<Channel.Permit<Integer>> polled;
        try {
            polled = reserverCx.poll(reserveInFlight);
        } catch (ChannelClosedException closed) {
            reserveInFlight = null;
            return "closed";
        }
        if (polled.isPending()) {
            return "waiting";
        }
        reserveInFlight = null;
        permit = polled.value();
        return "reserved";
    }

    @Operation(nonParallelGroup = "reserver")
    public String cancelReserve() {
        if (reserveInFlight == null) {
            return "idle";
        }
        reserveInFlight.cancel();
        reserveInFlight = null;
        return "cancelled";
    }

    @Operation(nonParallelGroup = "reserver")
    public String tryReserve() {
        if (permit != null || reserveInFlight != null) {
            return "busy";
        }
        try {
            return channel.tryReserve().map(p -> {
                permit = p;
                return "reserved";
            }).orElse("full");
        } catch (ChannelClosedException closed) {
            return "closed";
        }
    }

    @Operation(nonParallelGroup = "reserver", params = {"v"})
    public String sendWithPermit(int v) {
        if (permit == null) {
            return "no permit";
        }
        permit.send(10 + v);
        permit = null;
        sentWithPermits++;
        return "sent";
    }

    @Operation(nonParallelGroup = "reserver")
    public String closePermit() {
        if (permit == null) {
            return "no permit";
        }
        permit.close();
        permit = null;
        return "returned";
    }

    @Operation(nonParallelGroup = "sender", params = {"v"})
    public String send(int v) {
        if (sendInFlight == null) {
            sendInFlight = channel.send(20 + v);
        }
        senderSignalsAtLastPoll = senderCx.repollSignals();
        Poll<Void> polled;
        try {
            polled = senderCx.poll(sendInFlight);
        } catch (ChannelClosedException closed) {
            sendInFlight = null;
            return "closed";
        }
        if (polled.isPending()) {
            return "waiting";
        }
        sendInFlight = null;
        sentBySender++;
        return "sent";
    }

    @Operation(nonParallelGroup = "sender", params = {"v"})
    public String trySend(int v) {
        try {
            if (channel.trySend(30 + v)) {
                sentBySender++;
                return "sent";
            }
            return "full";
        } catch (ChannelClosedException closed) {
            return "closed";
        }
    }

    @Operation(nonParallelGroup = "sender")
    public String cancelSend() {
        if (sendInFlight == null) {
            return "idle";
        }
        sendInFlight.cancel();
        sendInFlight = null;
        return "cancelled";
    }

    @Operation(nonParallelGroup = "consumer")
    public String recv() {
        Task<Optional<Integer>> recv = channel.recv();
        for (;;) {
            // A pending poll that asked to be polled again (a push half-way at the head) is "not
            // yet"; a plain pending one is "empty", and the receive is dropped.
            int yields = consumer.yields.get();
            Poll<Optional<Integer>> polled = consumer.poll(recv);
            if (polled.isReady()) {
                if (polled.value().isEmpty()) {
                    return "end";
                }
                received++;
                return "got " + polled.value().get();
            }
            if (consumer.yields.get() == yields) {
                recv.cancel();
                return "empty";
            }
        }
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
    public void nothingLostAndAllRoomBack() {
        // Quiescent (every consumer poll ended): room that is free while a reserve or send still
        // waits for it was never handed over. Checked before any cancel.
        if (channel.permits.owesWaiters()) {
            throw new AssertionError("room is owed to waiting sends after the consumer's polls ended");
        }
        boolean reserveWaits = reserveInFlight != null
                && ((ChannelReserve<?>) reserveInFlight).nodePhase() == BatchSemaphore.Acquirer.WAITING;
        boolean sendWaits = sendInFlight != null
                && ((ChannelSend<?>) sendInFlight).nodePhase() == BatchSemaphore.Acquirer.WAITING;
        if ((reserveWaits || sendWaits) && channel.permits.available() > 0) {
            throw new AssertionError("a reserve or send waits while " + channel.permits.available() + " room is free");
        }
        if (reserveInFlight != null) {
            int phase = ((ChannelReserve<?>) reserveInFlight).nodePhase();
            if ((phase == BatchSemaphore.Acquirer.GRANTED || phase == BatchSemaphore.Acquirer.FAILED)
                    && reserverCx.repollSignals() == reserverSignalsAtLastPoll) {
                throw new AssertionError("the reserve was given room or failed but never woken");
            }
            reserveInFlight.cancel();
            reserveInFlight = null;
        }
        if (sendInFlight != null) {
            int phase = ((ChannelSend<?>) sendInFlight).nodePhase();
            if ((phase == BatchSemaphore.Acquirer.GRANTED || phase == BatchSemaphore.Acquirer.FAILED)
                    && senderCx.repollSignals() == senderSignalsAtLastPoll) {
                throw new AssertionError("the send was given room or failed but never woken");
            }
            sendInFlight.cancel();
            sendInFlight = null;
        }
        if (permit != null) {
            permit.close();
            permit = null;
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
        int sent = sentWithPermits + sentBySender;
        if (sent != received) {
            throw new AssertionError(sent + " messages sent but " + received + " received");
        }
        if (channel.permits.available() != CAPACITY) {
            throw new AssertionError("room leaked: " + channel.permits.available() + " of " + CAPACITY + " free");
        }
        if (channel.permits.waiterCount() != 0) {
            throw new AssertionError("a reserve or send is still queued after all were cancelled");
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(10)
                .invocationsPerIteration(500)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(2)
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
                .actorsBefore(2)
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
