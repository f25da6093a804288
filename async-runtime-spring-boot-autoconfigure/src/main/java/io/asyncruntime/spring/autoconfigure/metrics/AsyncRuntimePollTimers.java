package io.asyncruntime.spring.autoconfigure.metrics;

import java.util.concurrent.TimeUnit;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.PollSampleListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The {@code asyncruntime.poll.time} and {@code asyncruntime.schedule.latency} timers of one
 * runtime, fed by {@link AsyncRuntime#samplePolls} on the runtime's workers: one poll and one
 * schedule in {@code async.runtime.metrics.poll-sampling-interval}. A timer's count is therefore
 * the number of samples, not of polls ({@code asyncruntime.polls} counts those); its
 * distribution is the sampled one. Percentile histograms are off unless configured the Boot way
 * ({@code management.metrics.distribution.percentiles-histogram.asyncruntime.poll.time=true}).
 *
 * <p>Bound once per meter registry; every sample is recorded in the timers of each registry
 * bound so far (a copy-on-write array: binding is rare, recording is on the workers).
 */
public final class AsyncRuntimePollTimers implements PollSampleListener {

    private static final Timer[] NONE = new Timer[0];

    private volatile Timer[] pollTimes = NONE;

    private volatile Timer[] scheduleLatencies = NONE;

    /** The registries bound so far, by identity: binding one twice records nothing twice. */
    private final java.util.Set<MeterRegistry> registries = java.util.Collections
        .newSetFromMap(new java.util.IdentityHashMap<>());

    /** The runtime's registration of this listener, made at the first bind. */
    private PollSampleListener.Registration registration;

    /** Creates timers bound to no registry yet. */
    public AsyncRuntimePollTimers() {
    }

    /**
     * Registers the two timers in {@code registry} and starts sampling {@code runtime} into them
     * (and into the timers of every registry bound before).
     * @param registry the registry; not null
     * @param tags the timers' tags, such as the runtime's name; not null
     * @param runtime the runtime whose polls are sampled; not null
     * @param oneIn sample one poll and one schedule in this many, 1 to 1000000
     */
    public synchronized void bindTo(MeterRegistry registry, Tags tags, AsyncRuntime runtime, int oneIn) {
        if (!this.registries.add(registry)) {
            return;
        }
        Timer pollTime = Timer.builder("asyncruntime.poll.time")
            .description("Duration of a sample of task polls, one in poll-sampling-interval")
            .tags(tags)
            .register(registry);
        Timer latency = Timer.builder("asyncruntime.schedule.latency")
            .description("Time a sample of tasks waited in a queue, after being spawned, woken or yielding, "
                    + "before a worker polled them")
            .tags(tags)
            .register(registry);
        this.pollTimes = append(this.pollTimes, pollTime);
        this.scheduleLatencies = append(this.scheduleLatencies, latency);
        if (this.registration == null) {
            // One listener among any the application adds itself: the runtime feeds each.
            this.registration = runtime.samplePolls(oneIn, this);
        }
    }

    @Override
    public void pollTime(int worker, long nanos) {
        for (Timer timer : this.pollTimes) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void scheduleLatency(long nanos) {
        for (Timer timer : this.scheduleLatencies) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private static Timer[] append(Timer[] timers, Timer timer) {
        Timer[] grown = java.util.Arrays.copyOf(timers, timers.length + 1);
        grown[timers.length] = timer;
        return grown;
    }

}
