package io.asyncruntime.sync;

import io.asyncruntime.task.Poll;
import java.util.Optional;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * {@link ChannelLincheckTest}'s scenario on a channel whose receiver hands freed room to waiting
 * sends in batches (capacity 2, batch 2: one freed slot waits for the end of the consumer's poll,
 * two are served at once), with a consumer whose context defers that to the end of its poll, as a
 * worker's does. Besides the parent's recv (one poll, ended: the deferred hand-over runs inside the
 * operation), the consumer can receive in a poll it leaves open ({@link #recvInOpenPoll}) and end
 * it later ({@link #endConsumerPoll}), so sends, trySends, cancels and close run while room is owed
 * to waiting sends.
 *
 * <p>The channel starts full ({@link #prefill}): the first send of either producer waits and the
 * first receive owes it room, so almost every scenario reaches the deferred hand-over (from an
 * empty channel it takes three sends before a receive, which few of the generated scenarios had:
 * a poll end that served nothing, and a trySend that failed without serving the owed room first,
 * both passed). The parent's checks then catch both: the validator ends the last poll and finds
 * room still owed or a send woken never, and a trySend that fails on a quiet channel must leave no
 * room free.
 */
public class ChannelBatchGrantLincheckTest extends ChannelLincheckTest {

    public ChannelBatchGrantLincheckTest() {
        prefill(CAPACITY);
    }

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
        return counted(this::recvLeavingThePollOpen);
    }

    private String recvLeavingThePollOpen() {
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

    /** Ends the consumer's poll: the hand-over it deferred runs now, inside the scenario. */
    @Operation(nonParallelGroup = "consumer")
    public void endConsumerPoll() {
        countedRun(consumer::endPoll);
    }
}
