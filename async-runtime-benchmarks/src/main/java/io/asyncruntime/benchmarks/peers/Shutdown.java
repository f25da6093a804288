package io.asyncruntime.benchmarks.peers;

import java.util.concurrent.TimeUnit;

/** Waits a bounded time for a peer's threads to stop after a shutdown request. */
final class Shutdown {

    /** A trial's teardown must not hang the run; a peer that takes longer is reported. */
    private static final long TIMEOUT_SECONDS = 10;

    interface Termination {
        boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException;
    }

    private Shutdown() {
    }

    static void await(Termination termination, String what) {
        try {
            if (!termination.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(what + " did not stop within " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted while stopping", e);
        }
    }
}
