package io.asyncruntime.internal.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits {@link WorkerStallEvent}s when the JVM has JFR. The {@code jdk.jfr} module is in every
 * standard JDK, but a jlinked runtime may leave it out; then this class never touches the event
 * class, and stalls are still logged and counted.
 */
final class StallEvents {

    private static final Logger log = LoggerFactory.getLogger(StallEvents.class);

    private static volatile boolean available = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private StallEvents() {
    }

    static void emit(Thread worker, String task, long stalledForNanos, long thresholdNanos) {
        if (!available) {
            return;
        }
        try {
            WorkerStallEvent event = new WorkerStallEvent();
            if (event.shouldCommit()) {
                event.worker = worker;
                event.task = task;
                event.stalledFor = stalledForNanos;
                event.threshold = thresholdNanos;
                event.commit();
            }
        } catch (LinkageError noJfr) {
            available = false;
            log.debug("JFR is not usable here; stall events are off", noJfr);
        }
    }
}
