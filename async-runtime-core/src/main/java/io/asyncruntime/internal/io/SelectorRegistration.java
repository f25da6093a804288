package io.asyncruntime.internal.io;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

/**
 * A channel registered with the {@link SelectorDriver}: the {@link Readiness} state machine plus
 * the NIO side, the channel and its selection key. The key is created by the driver at the first
 * arm (a channel that never waits never touches the selector) and its interest set is only ever
 * changed by the driver, mirroring the ARMED bits; the driver is also the only thread that reads
 * {@link #key}, so it is a plain field.
 */
final class SelectorRegistration extends Readiness implements IoRegistration {

    private final SelectorDriver driver;
    private final SelectableChannel channel;
    /** The channel's ops of each direction (of its valid ops): what arming a direction puts in the key. */
    private final int readOps;
    private final int writeOps;

    /** Driver-private: the selection key, or null before the first arm. */
    private SelectionKey key;
    /** Next registration in the driver's inbox; written by the pusher before its CAS publishes it. */
    SelectorRegistration inboxNext;

    SelectorRegistration(SelectorDriver driver, SelectableChannel channel) {
        this.driver = driver;
        this.channel = channel;
        int valid = channel.validOps();
        this.readOps = valid & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT);
        // Both OP_CONNECT and OP_WRITE for a socket: while it connects the JDK reports OP_CONNECT,
        // once connected OP_WRITE (never OP_CONNECT again), so one arm serves both phases.
        this.writeOps = valid & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT);
    }

    @Override
    void interestRequested() {
        driver.interestRequested(this);
    }

    @Override
    public void close(String reason) throws IOException {
        long before = markClosed(reason);
        if (before == -1) {
            return;
        }
        try {
            channel.close();                                 // cancels the key, if there is one
        } finally {
            driver.closed(this, (before & KEYED) != 0);
        }
    }

    // ------------------------------------------------------------------ driver side

    /** The selector reported this registration's key with {@code readyOps}, in a select that could block or not. */
    void onReady(int readyOps, boolean blockingSelect, WakeQueue wakes, IoCounters counters) {
        int armed = onEvent((readyOps & readOps) != 0, (readyOps & writeOps) != 0, blockingSelect, wakes);
        if (armed >= 0 && (armed & 3) != (armed >>> 2)) {
            setInterest(armed >>> 2);
            counters.add(IoCounters.DISARMS, 1);
        }
    }

    /** Taken off the driver's inbox (its link already cleared): arm what its owners wait for. */
    void applyInterest(IoCounters counters) {
        int armed = applyRequests();
        if (armed >= 0 && ((armed & 3) != (armed >>> 2) || (key == null && armed >>> 2 != 0))) {
            setInterest(armed >>> 2);
            counters.add(IoCounters.REARMS, 1);
        }
    }

    /** Puts the armed directions' ops in the key's interest set, registering the channel the first time. */
    private void setInterest(int armed) {
        int ops = (readArmed(armed) ? readOps : 0) | (writeArmed(armed) ? writeOps : 0);
        try {
            if (key != null) {
                key.interestOps(ops);
            } else if (ops != 0) {
                key = channel.register(driver.selector(), ops, this);
            }
        } catch (ClosedChannelException | CancelledKeyException | ClosedSelectorException closedMeanwhile) {
            // Closed by its owner, or by shutdown, after the request: close() woke the waiters.
        }
    }

    /** The selection key (tests), or null before the first arm. */
    SelectionKey key() {
        return key;
    }

    SelectableChannel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "SelectorRegistration[" + channel + ", state=0x" + Long.toHexString(stateWord()) + "]";
    }
}
