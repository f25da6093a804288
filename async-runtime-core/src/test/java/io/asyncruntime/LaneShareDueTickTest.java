package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lane shares hold poll by poll, not only on average: on one worker, whose polls form one
 * sequence, a lower lane with work is polled at least once in every {@code 100 / share} polls.
 *
 * <p>This is what the worker's due tick ({@code LaneShares.nextCheckTick}) must not weaken: it
 * lets a worker skip the share check on most polls, and a bound computed one poll too late, or a
 * lane change that does not make the next pick check again, shows up here as a gap one poll
 * longer than the interval (PriorityLanesTest's shares over 400,000 polls would not notice).
 * The bounds are exact: the lowest lane due is served first, so a lane's gap is its interval,
 * plus one poll when a lower lane fell due on the same pick.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LaneShareDueTickTest {

    /** Polls recorded per run: enough for every lane to come due hundreds of times. */
    private static final int POLLS = 40_000;

    @Test
    void everyLowerLaneIsPolledWithinItsIntervalWhileAllThreeLanesHaveWork() throws Exception {
        int[] lanes = record(AsyncRuntime.builder(), 6, 4, 3);
        assertMaxGap(lanes, Priority.BACKGROUND, 100 / RuntimeBuilder.DEFAULT_BACKGROUND_SHARE);
        assertMaxGap(lanes, Priority.NORMAL, 100 / RuntimeBuilder.DEFAULT_NORMAL_SHARE + 1);
    }

    @Test
    void normalIsPolledWithinItsIntervalWhileHighFloods() throws Exception {
        int[] lanes = record(AsyncRuntime.builder(), 8, 4, 0);
        assertMaxGap(lanes, Priority.NORMAL, 100 / RuntimeBuilder.DEFAULT_NORMAL_SHARE);
    }

    @Test
    void backgroundIsPolledWithinItsIntervalWhileNormalFloods() throws Exception {
        int[] lanes = record(AsyncRuntime.builder(), 0, 8, 3);
        assertMaxGap(lanes, Priority.BACKGROUND, 100 / RuntimeBuilder.DEFAULT_BACKGROUND_SHARE);
    }

    @Test
    void configuredSharesHoldPollByPoll() throws Exception {
        // Intervals 2 (NORMAL) and 5 (BACKGROUND): lane changes on most polls.
        int[] lanes = record(AsyncRuntime.builder().laneShare(Priority.NORMAL, 50).laneShare(Priority.BACKGROUND, 20),
                5, 5, 5);
        assertMaxGap(lanes, Priority.BACKGROUND, 5);
        assertMaxGap(lanes, Priority.NORMAL, 2 + 1);
    }

    /**
     * Runs yielding tasks of each lane on one worker until {@link #POLLS} polls are recorded, and
     * returns the lane of each poll from the first poll at which every task had started.
     */
    private static int[] record(RuntimeBuilder builder, int high, int normal, int background) throws Exception {
        int[] laneOfPoll = new int[POLLS];
        AtomicInteger next = new AtomicInteger();
        int tasks = high + normal + background;
        int[] firstPoll = new int[tasks];
        List<JoinHandle<Void>> handles = new ArrayList<>();
        try (AsyncRuntime runtime = builder.workerThreads(1).threadNamePrefix("lane-due").build()) {
            // Spawned from inside the worker, so every task is queued before the first one runs.
            runtime.spawn(() -> {
                int id = 0;
                for (Priority lane : Priority.values()) {
                    int count = lane == Priority.HIGH ? high : lane == Priority.NORMAL ? normal : background;
                    for (int i = 0; i < count; i++, id++) {
                        handles.add(AsyncRuntime.current().spawn(logPolls(id, lane, laneOfPoll, firstPoll, next), lane));
                    }
                }
            }, Priority.HIGH).get(30, TimeUnit.SECONDS);
            for (JoinHandle<Void> handle : handles) {
                handle.get(30, TimeUnit.SECONDS); // also orders the log's writes before the reads below
            }
        }
        int start = 0;
        for (int first : firstPoll) {
            start = Math.max(start, first);
        }
        assertThat(start).as("all tasks started early").isLessThan(POLLS / 10);
        int[] window = new int[POLLS - start];
        System.arraycopy(laneOfPoll, start, window, 0, window.length);
        return window;
    }

    /** A task that logs the lane of each of its polls and yields, until the log is full. */
    private static Task<Void> logPolls(int id, Priority lane, int[] laneOfPoll, int[] firstPoll, AtomicInteger next) {
        firstPoll[id] = Integer.MAX_VALUE;
        return Task.loop(0, polls -> {
            int index = next.getAndIncrement();
            if (index >= POLLS) {
                return Task.completed(Step.<Integer, Void>done(null));
            }
            laneOfPoll[index] = lane.ordinal();
            if (polls == 0) {
                firstPoll[id] = index;
            }
            return Task.yieldNow().map(v -> Step.<Integer, Void>next(polls + 1));
        });
    }

    private static void assertMaxGap(int[] laneOfPoll, Priority lane, int maxGap) {
        int last = -1;
        int worst = 0;
        int worstAt = -1;
        int count = 0;
        for (int i = 0; i < laneOfPoll.length; i++) {
            if (laneOfPoll[i] == lane.ordinal()) {
                int gap = i - last;
                if (gap > worst) {
                    worst = gap;
                    worstAt = i;
                }
                last = i;
                count++;
            }
        }
        assertThat(count).as("%s polls recorded", lane).isGreaterThan(laneOfPoll.length / (maxGap + 1));
        assertThat(worst).as("longest run of polls without %s (ending at poll %d of %d)", lane, worstAt,
                laneOfPoll.length).isLessThanOrEqualTo(maxGap);
    }
}
