package io.asyncruntime.benchmarks.footprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.benchmarks.Implementation;
import org.junit.jupiter.api.Test;

/** The footprint measurement runs end to end; the 1,000,000-task figure comes from bench.sh. */
class IdleTaskFootprintTest {

    @Test
    void measuresThisRuntimeAndTheCallbackFloor() {
        for (Implementation implementation : new Implementation[] {Implementation.ASYNC_RUNTIME, Implementation.FORK_JOIN}) {
            for (IdleTaskFootprint.Kind kind : IdleTaskFootprint.Kind.values()) {
                IdleTaskFootprint.Result result = IdleTaskFootprint.measure(implementation, kind, 20_000);
                assertThat(result.tasks).isEqualTo(20_000);
                assertThat(result.kind).isEqualTo(kind);
                // Loose bounds: this JVM also runs other tests; an idle task is tens to hundreds of bytes.
                assertThat(result.bytesPerTask).as("%s %s", implementation.id, kind).isBetween(8.0, 2_000.0);
            }
        }
    }

    @Test
    void rejectsAnEmptyRun() {
        assertThatThrownBy(() -> IdleTaskFootprint.measure(Implementation.FORK_JOIN, IdleTaskFootprint.Kind.BARE, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tasks must be >= 1");
    }
}
