package io.asyncruntime.sync;

/**
 * The error of an operation on a closed channel: a send or reserve on a {@link Channel} after
 * {@link Channel#close()}, a {@code tryRecv} on a closed and drained one, a {@link Oneshot} whose
 * value will never come, a {@link Broadcast} or {@link Watch} that was closed.
 */
public class ChannelClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that says what failed. */
    public ChannelClosedException(String message) {
        super(message);
    }
}
