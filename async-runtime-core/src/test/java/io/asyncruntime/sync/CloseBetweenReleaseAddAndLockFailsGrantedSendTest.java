package io.asyncruntime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression test for a close that slips between a release's add and its lock.
 *
 * <p>{@link BatchSemaphore#release} adds the room to the state word first and only then takes the
 * lock to hand it to a waiting send. Once the add is done the room is back (it is counted in the
 * word, {@code available()} shows it), and room in the word while a send waits belongs to that
 * send: linearized, the release granted it. A {@code close()} that took the lock in that window
 * used to fail every waiter without looking at the word, so the send that had been given room
 * failed with "closed" and the room stayed unused (chan11b's Lincheck found the same shape in a
 * variant with batched releases).
 *
 * <p>How the window is held open: the test thread holds the semaphore's lock, so the receiver's
 * release, having added, spins on the lock; the test waits until the word shows the room, then
 * lets go of the lock and closes. Which of the two spinning threads then gets the lock first is
 * up to the scheduler, so each round is a coin toss, and the test runs {@link #ROUNDS} rounds: on
 * the code before the fix the close won the lock in most rounds and failed the send.
 */
class CloseBetweenReleaseAddAndLockFailsGrantedSendTest {

    private static final int ROUNDS = 200;

    private final ExecutorService receiver = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopReceiver() throws InterruptedException {
        receiver.shutdownNow();
        assertTrue(receiver.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void aSendGivenRoomBeforeTheCloseTookTheLockIsNotFailed() throws Exception {
        int failed = 0;
        for (int round = 0; round < ROUNDS; round++) {
            if (!oneRound()) {
                failed++;
            }
        }
        assertEquals(0, failed, "rounds (of " + ROUNDS + ") in which close failed a send the receiver had given room");
    }

    /** Whether the waiting send was sent (true) or failed by the close (false). */
    private boolean oneRound() throws Exception {
        Channel<Integer> channel = Channel.bounded(1);
        assertTrue(channel.trySend(1));
        TestContext sender = new TestContext();
        Task<Void> send = channel.send(2);
        assertTrue(sender.poll(send).isPending(), "the channel is full: the send waits");

        channel.permits.lock();
        Future<Optional<Integer>> received;
        try {
            received = receiver.submit(channel::tryRecv); // release(1): add, then spin on the lock
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (channel.permits.available() != 1) { // the add is done; the lock is not taken
                assertTrue(System.nanoTime() < deadline, "the receiver never gave the room back");
                Thread.onSpinWait();
            }
        } finally {
            channel.permits.unlock();
        }
        channel.close();
        assertEquals(Optional.of(1), received.get(10, TimeUnit.SECONDS));

        Poll<Void> polled;
        try {
            polled = sender.poll(send);
        } catch (ChannelClosedException closed) {
            return false;
        }
        assertTrue(sender.wakes.get() > 0, "the granted send was woken");
        assertTrue(polled.isReady(), "a send given room completes when polled");
        assertEquals(Optional.of(2), channel.tryRecv(), "the send's message is received after the close");
        return true;
    }
}
