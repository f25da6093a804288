package io.asyncruntime.sync;

/**
 * The error of an acquire on a {@link Semaphore} that was closed: the acquire was waiting when
 * {@link Semaphore#close()} was called, or started after it.
 */
public class SemaphoreClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that says what failed. */
    public SemaphoreClosedException(String message) {
        super(message);
    }
}
