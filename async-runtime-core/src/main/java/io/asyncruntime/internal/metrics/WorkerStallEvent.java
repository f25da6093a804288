package io.asyncruntime.internal.metrics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A JFR event per detected stall, so JDK Mission Control shows stalls on the same timeline as GC
 * pauses, safepoints and thread states. Emitted by the detector's thread when it notices the stall
 * (the stall began {@link #stalledFor} earlier); the event's own stack would be the detector's, so
 * it carries none (the WARN log has the worker's).
 */
@Name(WorkerStallEvent.NAME)
@Label("Worker Stall")
@Category({"async-runtime"})
@Description("An async-runtime worker stayed inside one task poll longer than the stall threshold")
@StackTrace(false)
final class WorkerStallEvent extends Event {

    static final String NAME = "io.asyncruntime.WorkerStall";

    @Label("Worker Thread")
    Thread worker;

    @Label("Task")
    String task;

    @Label("Stalled For")
    @Description("How long the worker had been inside the poll when the stall was noticed (at least)")
    @Timespan(Timespan.NANOSECONDS)
    long stalledFor;

    @Label("Threshold")
    @Timespan(Timespan.NANOSECONDS)
    long threshold;
}
