package io.asyncruntime.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Poll;
import org.junit.jupiter.api.Test;

/** The shared ready polls of read and write counts: equal to a fresh one, shared only in range. */
class ReadyCountsTest {

    @Test
    void everyCountIsTheReadyPollOfThatCount() {
        for (int n : new int[] {-1, 0, 1, 64, 127, 128, ReadyCounts.CACHED, ReadyCounts.CACHED + 1, 70_000, -2}) {
            Poll<Integer> poll = ReadyCounts.of(n);
            assertThat(poll.isReady()).as("count %d", n).isTrue();
            assertThat(poll.value()).as("count %d", n).isEqualTo(n);
            assertThat(poll).isEqualTo(Poll.ready(n));
        }
    }

    @Test
    void countsFromEndOfStreamToTheBoundAreSharedAndOthersAreNot() {
        assertThat(ReadyCounts.of(-1)).isSameAs(ReadyCounts.of(-1));
        assertThat(ReadyCounts.of(64)).isSameAs(ReadyCounts.of(64));
        assertThat(ReadyCounts.of(ReadyCounts.CACHED)).isSameAs(ReadyCounts.of(ReadyCounts.CACHED));
        assertThat(ReadyCounts.of(ReadyCounts.CACHED + 1)).isNotSameAs(ReadyCounts.of(ReadyCounts.CACHED + 1));
    }
}
