package io.asyncruntime.net;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;

/**
 * Turns the JDK's terse I/O failures ("Connection refused", "Connection reset") into exceptions
 * that name what was being done and the address, keeping the JDK's exception type so callers can
 * still catch {@link ConnectException}, {@link BindException}, {@link SocketException} or
 * {@link ClosedChannelException}. The original is the cause.
 */
final class NetErrors {

    private NetErrors() {
    }

    /**
     * {@code failure} re-thrown as the same kind with "{@code action} {@code address}: cause".
     *
     * @param action e.g. "connect to", "read from", "bind"
     */
    static IOException withAddress(IOException failure, String action, Object address) {
        String message = action + " " + address + " failed: " + describe(failure);
        IOException mapped;
        if (failure instanceof ClosedChannelException) {
            mapped = new ChannelClosedException(message);
        } else if (failure instanceof ConnectException) {
            mapped = new ConnectException(message);
        } else if (failure instanceof BindException) {
            mapped = new BindException(message);
        } else if (failure instanceof NoRouteToHostException) {
            mapped = new NoRouteToHostException(message);
        } else if (failure instanceof PortUnreachableException) {
            mapped = new PortUnreachableException(message);
        } else if (failure instanceof SocketException) {
            mapped = new SocketException(message);
        } else {
            return new IOException(message, failure);
        }
        mapped.initCause(failure);
        return mapped;
    }

    /** The error of an operation on a closed channel: what, where, and why it is closed. */
    static ClosedChannelException closed(String action, Object address, String reason) {
        return new ChannelClosedException(action + " " + address + " failed: " + reason);
    }

    private static String describe(IOException failure) {
        String message = failure.getMessage();
        if (message != null) {
            return message;
        }
        if (failure instanceof ClosedChannelException) {
            return "the channel is closed";
        }
        return failure.getClass().getSimpleName();
    }

    static String text(SocketAddress address) {
        return String.valueOf(address);
    }

    /** A {@link ClosedChannelException} that says which channel and why (the JDK's has no message). */
    static final class ChannelClosedException extends ClosedChannelException {

        private static final long serialVersionUID = 1L;

        private final String message;

        ChannelClosedException(String message) {
            this.message = message;
        }

        @Override
        public String getMessage() {
            return message;
        }
    }
}
