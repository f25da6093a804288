package io.asyncruntime.spring.autoconfigure.health;

import java.time.Duration;

import io.asyncruntime.RuntimeMetrics;
import io.asyncruntime.spring.autoconfigure.RuntimeMetricsFixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ProgressWatch}, on synthetic snapshots and a clock the test moves.
 */
class ProgressWatchTests {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private final ProgressWatch watch = new ProgressWatch(Duration.ofSeconds(1));

    @Test
    void tasksWaitingAndNoPollOrCompletionForAnIntervalIsAStall() {
        assertThat(this.watch.isStalled(metrics(100, 50, 3, 0), 0)).isFalse();
        assertThat(this.watch.isStalled(metrics(100, 50, 9, 0), SECOND)).isTrue();
    }

    @Test
    void tasksWaitingInAWorkersOwnQueueCountToo() {
        assertThat(this.watch.isStalled(metrics(100, 50, 0, 2), 0)).isFalse();
        assertThat(this.watch.isStalled(metrics(100, 50, 0, 2), SECOND)).isTrue();
    }

    @Test
    void anyPollOrCompletionIsProgress() {
        this.watch.isStalled(metrics(100, 50, 3, 0), 0);
        assertThat(this.watch.isStalled(metrics(101, 50, 3, 0), SECOND)).isFalse();
        assertThat(this.watch.isStalled(metrics(101, 51, 3, 0), 2 * SECOND)).isFalse();
    }

    @Test
    void anIdleRuntimeIsNotStalled() {
        this.watch.isStalled(metrics(100, 50, 0, 0), 0);
        assertThat(this.watch.isStalled(metrics(100, 50, 0, 0), 10 * SECOND)).isFalse();
    }

    @Test
    void workThatArrivedSinceTheLastSampleIsNotAStallYet() {
        this.watch.isStalled(metrics(100, 50, 0, 0), 0);
        assertThat(this.watch.isStalled(metrics(100, 50, 5, 0), SECOND)).isFalse();
        assertThat(this.watch.isStalled(metrics(100, 50, 6, 0), 2 * SECOND)).isTrue();
    }

    @Test
    void checksCloserThanTheIntervalKeepTheLastVerdict() {
        this.watch.isStalled(metrics(100, 50, 3, 0), 0);
        assertThat(this.watch.isStalled(metrics(100, 50, 3, 0), SECOND)).isTrue();
        // Progress right after: a check 1 ms later does not judge on 1 ms of history.
        assertThat(this.watch.isStalled(metrics(200, 90, 3, 0), SECOND + 1_000_000)).isTrue();
        assertThat(this.watch.isStalled(metrics(300, 90, 3, 0), 2 * SECOND)).isFalse();
    }

    private static RuntimeMetrics metrics(long polls, long completed, long injectQueueDepth, long localQueueDepth) {
        return RuntimeMetricsFixtures.oneWorker(polls, completed, injectQueueDepth, localQueueDepth);
    }

}
