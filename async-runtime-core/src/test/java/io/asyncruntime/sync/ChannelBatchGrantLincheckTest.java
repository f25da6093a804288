package io.asyncruntime.sync;

import io.asyncruntime.task.Poll;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

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
 * first receive owes it room (from an empty channel that takes three sends before a receive).
 * Two checks catch a broken hand-over: the validator ends the last poll and finds room still owed
 * or a granted send never woken, and a trySend that fails on a quiet channel must leave no room
 * free ({@link ChannelLincheckTest}). The few random scenarios a run affords still missed review27's
 * two mutants (a poll end that serves nothing; a trySend that fails without serving the owed room
 * first), so {@link #deferredHandOverScenarios} model-checks the scenarios that put a waiting
 * send, owed room, a poll's end and a trySend (or a cancel and a close) side by side; both
 * mutants fail there.
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

    /**
     * A send's poll result is not compared here (the parent compares it): granting a waiting send
     * takes its room from the word before its phase says GRANTED (both under the lock), so a
     * trySend can see the room gone (full) while a poll of that send that starts after the
     * trySend still sees WAITING (pending, and woken right after). With the hand-over in its own
     * operation ({@link #endConsumerPoll}), no sequential order explains both; for a task it is a
     * pending poll followed by a wake, which the contract allows. What a send did still counts:
     * the validator checks that sent equals received and that a granted send was woken.
     */
    @Override
    public String send1(int v) {
        super.send1(v);
        return "polled";
    }

    @Override
    public String send2(int v) {
        super.send2(v);
        return "polled";
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

    /**
     * Scenarios written out (Lincheck's custom scenarios, with the validator attached: the DSL's
     * leave it out) so every run reaches them, all interleavings model-checked:
     * <ol>
     *   <li>p1's send waits on the full channel; the consumer receives in an open poll and then ends
     *       it, beside p2's trySend and p1's repoll: the poll's end, or the trySend, must serve p1
     *       (a poll end that serves nothing leaves room owed), and a trySend after the receive must
     *       serve p1 first and fail only with no room left (one that fails at once leaves it free);</li>
     *   <li>both sends wait; the consumer receives twice in one poll (the second take reaches the
     *       batch) and ends it, beside p1's cancel and a close.</li>
     * </ol>
     */
    @Test
    void deferredHandOverScenarios() throws NoSuchMethodException {
        ExecutionScenario owedToOneSend = new ExecutionScenario(
                List.of(actor("send1", 1)),
                List.of(List.of(actor("recvInOpenPoll"), actor("endConsumerPoll")),
                        List.of(actor("trySend2", 2)),
                        List.of(actor("send1", 1))),
                List.of(actor("send1", 1)),
                validator());
        ExecutionScenario owedWhileCancelAndClose = new ExecutionScenario(
                List.of(actor("send1", 1), actor("send2", 2)),
                List.of(List.of(actor("recvInOpenPoll"), actor("recvInOpenPoll"), actor("endConsumerPoll")),
                        List.of(actor("cancelSend1")),
                        List.of(actor("close"))),
                List.of(actor("send2", 2), actor("recv")),
                validator());
        new ModelCheckingOptions()
                .iterations(0) // the random scenarios run in modelChecking()
                .invocationsPerIteration(2_000)
                .addCustomScenario(owedToOneSend)
                .addCustomScenario(owedWhileCancelAndClose)
                .check(getClass());
    }

    /** The operation as Lincheck knows it: the method that carries {@link Operation} (the parent's, if overridden here). */
    private static Actor actor(String operation, Integer... args) throws NoSuchMethodException {
        Class<?>[] types = new Class<?>[args.length];
        Arrays.fill(types, int.class);
        for (Class<?> c = ChannelBatchGrantLincheckTest.class; c != Object.class; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(operation, types);
                if (m.isAnnotationPresent(Operation.class)) {
                    return new Actor(m, List.of(args));
                }
            } catch (NoSuchMethodException notHere) {
                // look in the superclass
            }
        }
        throw new NoSuchMethodException(operation);
    }

    private static Actor validator() throws NoSuchMethodException {
        Method validate = ChannelLincheckTest.class.getMethod("noMessageLostAndNoWakeLost");
        return new Actor(validate, List.of());
    }
}
