package io.asyncruntime;

import io.asyncruntime.internal.io.IoStats;
import io.asyncruntime.internal.io.SelectorDriver;
import io.asyncruntime.internal.metrics.StallDetector;
import io.asyncruntime.internal.scheduler.LiveTaskDump;
import io.asyncruntime.internal.scheduler.PollSampler;
import io.asyncruntime.internal.scheduler.Scheduler;
import io.asyncruntime.internal.scheduler.SchedulerMetrics;
import io.asyncruntime.internal.scheduler.TaskRegistry;
import io.asyncruntime.internal.scheduler.WorkerWatch;
import io.asyncruntime.internal.time.TimeDriver;
import io.asyncruntime.internal.time.TimerMetrics;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The diagnostics of one {@link AsyncRuntime}, behind its public methods ({@code metrics},
 * {@code taskDump}, {@code samplePolls}, {@code recentStalls}, {@code ongoingStalls}), which
 * document the behaviour: the snapshots built from the scheduler's, the timers', the I/O driver's,
 * the blocking pools' and the task registry's counters, and the stall detector, which this class
 * owns (started with the runtime when its threshold is not zero; the shutdown stops it before the
 * workers stop). Thread-safe: every call builds a new snapshot.
 */
final class RuntimeDiagnostics {

    private final Scheduler scheduler;
    private final TimeDriver timeDriver;
    /** The I/O driver under the time driver, or null when built with {@code enableIo(false)}. */
    private final SelectorDriver ioDriver;
    private final RuntimeBlocking blocking;
    /** The stall detector, or null when the builder turned it off. */
    private final StallDetector stallDetector;

    /** Starts the stall detector (unless {@code stallThreshold} is zero): call once the scheduler runs. */
    RuntimeDiagnostics(Scheduler scheduler, TimeDriver timeDriver, SelectorDriver ioDriver, RuntimeBlocking blocking,
            Duration stallThreshold, String threadNamePrefix) {
        this.scheduler = scheduler;
        this.timeDriver = timeDriver;
        this.ioDriver = ioDriver;
        this.blocking = blocking;
        if (stallThreshold.isZero()) {
            this.stallDetector = null;
        } else {
            this.stallDetector = new StallDetector(new WorkerWatch(scheduler), stallThreshold,
                    threadNamePrefix + "-stall-detector");
            scheduler.clockKeptByHeartbeat(stallDetector.periodNanos());
            stallDetector.start();
        }
    }

    /** Stops the stall detector, if it runs; for the shutdown, before the workers stop. */
    void stopStallDetector() {
        if (stallDetector != null) {
            stallDetector.stop();
        }
    }

    RuntimeMetrics metrics() {
        SchedulerMetrics m = scheduler.metrics();
        List<RuntimeMetrics.WorkerMetrics> perWorker = new ArrayList<>(m.workers());
        long polls = 0;
        long steals = 0;
        long parks = 0;
        long forcedYields = 0;
        for (int i = 0; i < m.workers(); i++) {
            RuntimeMetrics.WorkerMetrics w = new RuntimeMetrics.WorkerMetrics(i, m.polls(i), m.steals(i),
                    m.stealOperations(i), m.parks(i), m.overflows(i), m.lifoHits(i), m.localSchedules(i),
                    m.injectPops(i), m.budgetForcedYields(i), m.busyNanos(i),
                    m.localQueueDepth(i, Priority.HIGH), m.localQueueDepth(i, Priority.NORMAL),
                    m.localQueueDepth(i, Priority.BACKGROUND));
            perWorker.add(w);
            polls += w.polls();
            steals += w.steals();
            parks += w.parks();
            forcedYields += w.budgetForcedYields();
        }
        long completed = m.completedTasks();
        long spawned = m.spawnedTasks();
        TimerMetrics timers = timeDriver.metrics();
        return new RuntimeMetrics(m.workers(), Math.max(0, spawned - completed), spawned, completed,
                m.remoteSpawns(), m.injectQueueDepth(), polls, steals, parks, forcedYields, timers.activeTimers(),
                timers.fired(), timers.cancelled(), timers.timerWakeups(), List.copyOf(perWorker),
                blocking.metrics(stallDetector == null ? 0 : stallDetector.stalls()),
                ioMetrics(), taskRegistryMetrics());
    }

    private RuntimeMetrics.TaskRegistryMetrics taskRegistryMetrics() {
        TaskRegistry registry = scheduler.registry();
        long[] counts = registry.counts();
        return new RuntimeMetrics.TaskRegistryMetrics(registry.liveTasksHint(), counts[0], counts[1],
                registry.isRefusingRemote());
    }

    private RuntimeMetrics.IoMetrics ioMetrics() {
        IoStats io = ioDriver != null ? ioDriver.stats() : IoStats.NONE;
        return new RuntimeMetrics.IoMetrics(ioDriver != null, io.openRegistrations(), io.registrations(),
                io.readyEvents(), io.turns(), io.blockingSelects(), io.selectorWakeups(), io.rearms(), io.disarms());
    }

    int ongoingStalls() {
        return stallDetector == null ? 0 : stallDetector.ongoingStalls();
    }

    List<WorkerStall> recentStalls() {
        if (stallDetector == null) {
            return List.of();
        }
        List<StallDetector.RecentStall> recent = stallDetector.recentStalls();
        List<WorkerStall> stalls = new ArrayList<>(recent.size());
        for (StallDetector.RecentStall s : recent) {
            stalls.add(new WorkerStall(s.worker(), s.task(), Duration.ofNanos(s.inPollNanos()),
                    Instant.ofEpochMilli(s.detectedAtMillis())));
        }
        return List.copyOf(stalls);
    }

    PollSampleListener.Registration samplePolls(int oneIn, PollSampleListener listener) {
        if (oneIn < 1 || oneIn > AsyncRuntime.MAX_POLL_SAMPLING_INTERVAL) {
            throw new IllegalArgumentException("oneIn must be between 1 and " + AsyncRuntime.MAX_POLL_SAMPLING_INTERVAL
                    + ", got " + oneIn);
        }
        if (listener == null) {
            throw new NullPointerException("listener must not be null");
        }
        Object subscription = scheduler.samplePolls(oneIn, new PollSampler.Listener() {
            @Override
            public void pollTime(int worker, long nanos) {
                listener.pollTime(worker, nanos);
            }

            @Override
            public void scheduleLatency(long nanos) {
                listener.scheduleLatency(nanos);
            }

            @Override
            public String toString() {
                return listener.toString();
            }
        });
        return () -> scheduler.stopSamplingPolls(subscription);
    }

    TaskDump taskDump(int maxTasks) {
        if (maxTasks < 0) {
            throw new IllegalArgumentException("taskDump maxTasks must be 0 or more, got " + maxTasks);
        }
        TaskRegistry registry = scheduler.registry();
        long live = registry.liveTasksHint();
        List<TaskDump.TaskInfo> tasks = new ArrayList<>((int) Math.min(maxTasks, Math.max(live, 16)));
        LiveTaskDump.forEachLive(registry, maxTasks, (name, lane, state, ageNanos, polls, sinceLastPollNanos, cancelRequested) ->
                tasks.add(new TaskDump.TaskInfo(name, Priority.ofLane(lane), TaskDump.State.valueOf(state.name()),
                        Duration.ofNanos(ageNanos), polls,
                        sinceLastPollNanos < 0 ? null : Duration.ofNanos(sinceLastPollNanos), cancelRequested)));
        return new TaskDump(Math.max(live, tasks.size()), List.copyOf(tasks), live > tasks.size());
    }
}
