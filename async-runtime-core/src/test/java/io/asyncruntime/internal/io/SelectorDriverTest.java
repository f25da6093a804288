package io.asyncruntime.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The selector driver on its own: the timeout mapping of ARCHITECTURE.md ("Driver timeouts"),
 * flagged wake-ups, the per-turn share of wakes, close and shutdown. Real selector, real pipes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SelectorDriverTest {

    private final SelectorDriver driver = new SelectorDriver();
    private final List<Pipe> pipes = new ArrayList<>();

    @AfterEach
    void shutdown() throws IOException {
        driver.shutdown();
        for (Pipe pipe : pipes) {
            pipe.sink().close();
            pipe.source().close();
        }
    }

    /** A pipe whose source is registered and has a task waiting to read (interest requested). */
    private IoRegistration waitingReader(CountingWaker waker) throws IOException {
        Pipe pipe = Pipe.open();
        pipes.add(pipe);
        pipe.source().configureBlocking(false);
        IoRegistration r = driver.register(pipe.source());
        long token = r.pollReady(IoRegistration.READ, waker);        // a fresh registration is assumed ready
        assertThat(token).isNotNegative();
        r.clearReady(IoRegistration.READ, token);                    // ... until a read would block
        assertThat(r.pollReady(IoRegistration.READ, waker)).isEqualTo(IoRegistration.NOT_READY);
        return r;
    }

    private static void write(Pipe pipe) throws IOException {
        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
    }

    @Test
    void parkZeroNeverBlocksAndSkipsTheSystemCallWhileNothingIsRegistered() {
        for (int i = 0; i < 1_000; i++) {
            driver.park(0, false);
        }
        IoStats stats = driver.stats();
        assertThat(stats.turns()).isEqualTo(1_000);
        assertThat(stats.blockingSelects()).isZero();
    }

    @Test
    void aPositiveWaitIsRoundedUpToWholeMilliseconds() {
        assertThat(SelectorDriver.millisRoundedUp(0)).isZero();
        assertThat(SelectorDriver.millisRoundedUp(1)).isEqualTo(1);
        assertThat(SelectorDriver.millisRoundedUp(999_999)).isEqualTo(1);
        assertThat(SelectorDriver.millisRoundedUp(1_000_000)).isEqualTo(1);
        assertThat(SelectorDriver.millisRoundedUp(1_000_001)).isEqualTo(2);
        assertThat(SelectorDriver.millisRoundedUp(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE / 1_000_000 + 1);
        // A sub-millisecond wait blocks for a millisecond (NIO would truncate it to select(0): forever).
        long start = System.nanoTime();
        driver.park(1_000, false);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(900_000);
        assertThat(driver.stats().blockingSelects()).isEqualTo(1);
    }

    @Test
    void aNegativeWaitBlocksUntilUnparkedWithOneWakeup() throws Exception {
        Thread parked = new Thread(() -> driver.park(-1, false));
        parked.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> parked.getState() == Thread.State.RUNNABLE
                && driver.stats().blockingSelects() == 1);
        driver.unpark();
        parked.join(10_000);
        assertThat(parked.isAlive()).isFalse();
        assertThat(driver.stats().selectorWakeups()).isEqualTo(1);
    }

    @Test
    void anUnparkBeforeTheParkMakesItReturnAtOnceWithoutASystemCall() {
        driver.unpark();
        driver.unpark();
        driver.park(-1, false);                                       // would hang the test if it blocked
        assertThat(driver.stats().blockingSelects()).isZero();
        assertThat(driver.stats().selectorWakeups()).isZero();
    }

    @Test
    void unparkingADriverThatIsNotSelectingMakesNoWakeupCall() {
        for (int i = 0; i < 10_000; i++) {
            driver.unpark();
            driver.park(0, false);
        }
        assertThat(driver.stats().selectorWakeups()).isZero();
    }

    @Test
    void aBurstOfUnparksFromManyThreadsWakesABlockedSelectOnce() throws Exception {
        Thread parked = new Thread(() -> driver.park(-1, false));
        parked.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.stats().blockingSelects() == 1);
        List<Thread> unparkers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread u = new Thread(() -> {
                for (int i = 0; i < 1_000; i++) {
                    driver.unpark();
                }
            });
            u.start();
            unparkers.add(u);
        }
        for (Thread u : unparkers) {
            u.join();
        }
        parked.join(10_000);
        assertThat(parked.isAlive()).isFalse();
        assertThat(driver.stats().selectorWakeups()).isEqualTo(1);
    }

    @Test
    void anInterruptLeftOnTheThreadDoesNotMakeTheSelectReturnAtOnce() {
        Thread.currentThread().interrupt();
        long start = System.nanoTime();
        driver.park(TimeUnit.MILLISECONDS.toNanos(20), false);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(15));
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void aTurnWakesAtMostItsShareOldestFirstAndTheRestWithoutBlocking() throws Exception {
        int readers = 300;
        List<CountingWaker> wakers = new ArrayList<>();
        for (int i = 0; i < readers; i++) {
            CountingWaker w = new CountingWaker();
            wakers.add(w);
            waitingReader(w);
        }
        driver.park(0, false);                                        // arms the 300 keys
        assertThat(driver.stats().rearms()).isEqualTo(readers);
        for (Pipe pipe : pipes) {
            write(pipe);
        }
        driver.park(-1, false);
        assertThat(wakers.stream().mapToInt(CountingWaker::count).sum()).isEqualTo(SelectorDriver.WAKES_PER_TURN);
        long blockingBefore = driver.stats().blockingSelects();
        driver.park(-1, false);                                       // wakes left over: must not block
        driver.park(-1, false);
        assertThat(driver.stats().blockingSelects()).isEqualTo(blockingBefore);
        assertThat(wakers).allMatch(w -> w.count() == 1);
    }

    @Test
    void aWaiterIsWokenOnceByItsEventAndTheOpStaysArmedWhileItComesBack() throws Exception {
        CountingWaker waker = new CountingWaker();
        IoRegistration r = waitingReader(waker);
        Pipe pipe = pipes.get(0);
        driver.park(0, false);
        write(pipe);
        driver.park(-1, false);
        assertThat(waker.count()).isEqualTo(1);
        long token = r.pollReady(IoRegistration.READ, waker);
        assertThat(token).isNotNegative();
        assertThat(pipe.source().read(ByteBuffer.allocate(8))).isEqualTo(1);
        r.clearReady(IoRegistration.READ, token);
        // Waiting again needs no interest change and no wake-up: the op is still armed.
        long rearms = driver.stats().rearms();
        assertThat(r.pollReady(IoRegistration.READ, waker)).isEqualTo(IoRegistration.NOT_READY);
        write(pipe);
        driver.park(-1, false);
        assertThat(waker.count()).isEqualTo(2);
        assertThat(driver.stats().rearms()).isEqualTo(rearms);
    }

    @Test
    void unreadDataReportedAgainStaysArmedInABusyTurnAndIsDisarmedBeforeASelectCanSpin() throws Exception {
        CountingWaker waker = new CountingWaker();
        waitingReader(waker);
        driver.park(0, false);
        write(pipes.get(0));
        driver.park(-1, false);                                       // delivered to the waiter
        driver.park(0, false);                                        // reported again in a busy turn: stays armed
        assertThat(driver.stats().disarms()).isZero();
        driver.park(TimeUnit.SECONDS.toNanos(10), false);             // reported again, in a select that could block:
        assertThat(driver.stats().disarms()).isEqualTo(1);            // returns at once, disarmed
        long start = System.nanoTime();
        driver.park(TimeUnit.MILLISECONDS.toNanos(20), false);        // level-triggered, yet no spin
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(15));
        assertThat(waker.count()).isEqualTo(1);
    }

    @Test
    void closingARegistrationWakesItsWaitersAndReleasesTheChannel() throws Exception {
        CountingWaker waker = new CountingWaker();
        IoRegistration r = waitingReader(waker);
        driver.park(0, false);                                        // keyed
        r.close("closed by the test");
        assertThat(waker.count()).isEqualTo(1);
        assertThat(r.pollReady(IoRegistration.READ, waker)).isEqualTo(IoRegistration.CLOSED);
        assertThat(r.closeReason()).isEqualTo("closed by the test");
        assertThat(pipes.get(0).source().isOpen()).isFalse();
        assertThat(driver.stats().openRegistrations()).isZero();
        driver.park(0, false);                                        // deregisters the cancelled key
        assertThat(driver.selector().keys()).isEmpty();
    }

    @Test
    void shutdownClosesEveryChannelWakesEveryWaiterAndRefusesNewChannels() throws Exception {
        CountingWaker a = new CountingWaker();
        CountingWaker b = new CountingWaker();
        IoRegistration ra = waitingReader(a);
        IoRegistration rb = waitingReader(b);
        driver.shutdown();
        assertThat(a.count()).isEqualTo(1);
        assertThat(b.count()).isEqualTo(1);
        assertThat(ra.pollReady(IoRegistration.READ, a)).isEqualTo(IoRegistration.CLOSED);
        assertThat(rb.closeReason()).isEqualTo(SelectorDriver.SHUTDOWN_REASON);
        assertThat(pipes).allMatch(p -> !p.source().isOpen());
        Pipe late = Pipe.open();
        pipes.add(late);
        late.source().configureBlocking(false);
        assertThatThrownBy(() -> driver.register(late.source())).isInstanceOf(IOException.class)
                .hasMessageContaining("shut down");
        driver.park(-1, false);                                       // a closed driver never blocks
    }

    @Test
    void registeringABlockingChannelIsRefused() throws IOException {
        Pipe pipe = Pipe.open();
        pipes.add(pipe);
        assertThatThrownBy(() -> driver.register(pipe.source())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-blocking");
        assertThatThrownBy(() -> driver.register(null)).isInstanceOf(NullPointerException.class);
    }
}
