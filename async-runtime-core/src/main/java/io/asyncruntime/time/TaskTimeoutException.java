package io.asyncruntime.time;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The failure of a {@link Time#timeout} whose task did not finish in time. The inner task has
 * been cancelled by then. It is a {@link TimeoutException}, so code that handles the standard
 * type handles this one.
 */
public class TaskTimeoutException extends TimeoutException {

    private static final long serialVersionUID = 1L;

    private final transient Duration duration;

    /** Creates the exception for a timeout of {@code duration}. */
    public TaskTimeoutException(Duration duration) {
        super("task timed out after " + duration);
        this.duration = duration;
    }

    /** The timeout that elapsed. */
    public Duration duration() {
        return duration;
    }
}
