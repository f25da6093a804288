package io.asyncruntime.task;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Rethrowing helpers shared by the combinators: a failure keeps its own type across layers. */
final class Failures {

    private Failures() {
    }

    /**
     * Rethrows {@code failure} from a {@code poll}: exceptions and errors as themselves, anything
     * else (a bare {@link Throwable} subclass) wrapped so that nothing is lost.
     */
    static Exception rethrow(Throwable failure) throws Exception {
        if (failure instanceof Exception exception) {
            throw exception;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        throw new CompletionException(failure);
    }

    /** Strips the wrappers that {@code CompletableFuture} adds around a stage's real failure. */
    static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /** Cancels {@code task}, keeping a failure of its {@code cancel()} as a suppressed exception. */
    static void cancelQuietly(Task<?> task, Throwable into) {
        try {
            task.cancel();
        } catch (RuntimeException | Error cancelFailure) {
            if (into != null && into != cancelFailure) {
                into.addSuppressed(cancelFailure);
            }
        }
    }
}
