package io.asyncruntime.sync;

import io.asyncruntime.task.Poll;
import java.util.Optional;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * {@link ChannelLincheckTest}'s scenario on a channel whose receiver hands freed room to waiting
 * sends in batches (capacity 2, batch 2: one freed slot waits for the end of the consumer's poll,
 * two are served at once), with a consumer whose context defers that to the end of its poll, as a
 * worker's does. Besides the parent's recv (one poll, ended), the consumer can receive in a poll it
 * leaves open ({@link #recvInOpenPoll}) and end it later ({@link #endConsumerPoll}), so sends,
 * trySends, cancels and close run while room is owed to waiting sends. The validator ends the last
 * poll and checks that nothing is still owed, that every send given room was woken, and that no
 * message or room was lost.
 */
public class ChannelBatchGrantLincheckTest extends ChannelLincheckTest {

    @Override
    Channel<Integer> newChannel() {
        return Channel.boundedWithGrantBatch(CAPACITY, CAPACITY);
    }

    @Override
    TestContext newConsumerContext() {
        return TestContext.deferring();
    }

    @Operation(nonParallelGroup = "consumer")
    public String recvInOpenPoll() {
        if (recvInFlight == null) {
            recvInFlight = channel.recv();
        }
        consumerSignalsAtLastPoll = consumer.repollSignals();
        Poll<Optional<Integer>> polled;
        try {
            polled = recvInFlight.poll(consumer); // no endPoll: the consumer's poll goes on
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        if (polled.isPending()) {
            return "waiting"; // (or asked to be polled again; the next recv op polls again)
        }
        recvInFlight = null;
        if (polled.value().isEmpty()) {
            return "end";
        }
        received++;
        return "got " + polled.value().get();
    }

    @Operation(nonParallelGroup = "consumer")
    public void endConsumerPoll() {
        consumer.endPoll();
    }
}
