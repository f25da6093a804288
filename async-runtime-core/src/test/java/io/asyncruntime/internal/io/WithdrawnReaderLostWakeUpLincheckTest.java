package io.asyncruntime.internal.io;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.junit.jupiter.api.Test;

/**
 * Regression test for the lost wake-up behind the hang of
 * {@code TcpCancellationTest.theLosingReadOfASelectKeepsItsBytesForTheNextRead} (seen once, JDK 25
 * under load): a read that was cancelled while waiting (the losing branch of a select) leaves
 * READ_WANTED set and the op armed, by design ({@link Readiness#cancelWait}). The next read's
 * {@code pollReady} read the state word, then added its waker, then, finding "wanted and armed
 * already", returned NOT_READY <em>judging by the word it read before adding the waker</em>. An
 * event that came in between set READY and cleared WANTED with no waker to take, so the new
 * reader waited with READY set and nobody left to wake it; the level-triggered selector then
 * reported the unread bytes to nobody and disarmed the op.
 *
 * <p>The scenario is fixed so that the model checker only has to find the interleaving (it
 * explores them systematically): initially a read waits, the driver arms it, the read is
 * abandoned; then one thread reads again while the peer writes and the driver turns. The
 * validation ({@link ReadinessWakeupLincheckTest#noLostWakeUp}) fails if the reader waits while
 * bytes wait in the socket.
 */
class WithdrawnReaderLostWakeUpLincheckTest {

    private static Actor actor(String name) throws NoSuchMethodException {
        Method method = ReadinessWakeupLincheckTest.class.getMethod(name);
        return new Actor(method, List.of(), false, false, false, false, false);
    }

    @Test
    void aReadAfterAWithdrawnReadIsWokenByAnEventThatRacesItsPoll() throws Exception {
        List<Actor> initial = List.of(actor("read"), actor("turn"), actor("abandon"));
        List<List<Actor>> parallel = new ArrayList<>();
        parallel.add(List.of(actor("read")));
        parallel.add(List.of(actor("peerWrites"), actor("busyTurn")));
        ExecutionScenario scenario = new ExecutionScenario(initial, parallel, List.of(), null);
        new ModelCheckingOptions()
                .iterations(0)                              // only the scenario below
                .invocationsPerIteration(2_000)
                .addCustomScenario(scenario)
                .check(ReadinessWakeupLincheckTest.class);
    }
}
