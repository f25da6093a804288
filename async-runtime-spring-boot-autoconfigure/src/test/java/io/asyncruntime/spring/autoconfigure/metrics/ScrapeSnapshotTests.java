package io.asyncruntime.spring.autoconfigure.metrics;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.asyncruntime.spring.autoconfigure.RuntimeMetricsFixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ScrapeSnapshot}'s scrape boundaries, on a clock the test moves.
 */
class ScrapeSnapshotTests {

    private final AtomicLong now = new AtomicLong();

    private final AtomicInteger taken = new AtomicInteger();

    private final ScrapeSnapshot snapshot = new ScrapeSnapshot(() -> {
        return RuntimeMetricsFixtures.withWorkerCount(this.taken.incrementAndGet());
    }, this.now::get, 1_000, 1_000_000);

    private final int a = this.snapshot.newSlot();

    private final int b = this.snapshot.newSlot();

    @Test
    void metersReadBackToBackShareOneSnapshotAndTheNextScrapeTakesANewOne() {
        assertThat(read(this.a)).isEqualTo(1);
        tick(10);
        assertThat(read(this.b)).isEqualTo(1);
        tick(10);
        assertThat(read(this.a)).as("a meter read twice starts the next scrape").isEqualTo(2);
        tick(10);
        assertThat(read(this.b)).isEqualTo(2);
    }

    @Test
    void aGapBetweenReadsStartsANewSnapshot() {
        assertThat(read(this.a)).isEqualTo(1);
        tick(1_001);
        assertThat(read(this.b)).isEqualTo(2);
    }

    @Test
    void aSnapshotIsNeverOlderThanTheMaximumAge() {
        int[] slots = new int[2_000];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = this.snapshot.newSlot();
        }
        for (int slot : slots) {
            read(slot);
            tick(900);
        }
        assertThat(this.taken.get()).isEqualTo(2);
    }

    @Test
    void aReadFromAnotherThreadStartsANewSnapshot() throws Exception {
        assertThat(read(this.a)).isEqualTo(1);
        AtomicReference<Integer> other = new AtomicReference<>();
        Thread thread = new Thread(() -> other.set(read(this.b)));
        thread.start();
        thread.join();
        assertThat(other.get()).isEqualTo(2);
    }

    private int read(int slot) {
        return this.snapshot.read(slot).workers();
    }

    private void tick(long nanos) {
        this.now.addAndGet(nanos);
    }

}
