package io.asyncruntime.sync;

/**
 * A {@link Broadcast} receiver fell behind by more than the channel's capacity: the values it
 * missed were overwritten. {@link #missed()} says how many; the receiver's next receive continues
 * with the oldest value still in the channel.
 */
public class LaggedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long missed;

    /** Creates the exception for a receiver that missed {@code missed} values. */
    public LaggedException(long missed) {
        super("the receiver fell behind and missed " + missed + " values");
        this.missed = missed;
    }

    /** How many values the receiver missed. */
    public long missed() {
        return missed;
    }
}
