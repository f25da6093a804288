package io.asyncruntime.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chain's run-loop stack starts at two frames and doubles; steps without a value are shared.
 * Both are allocation cuts (issue 8's per-round-trip bytes), so these tests pin that the stack
 * still grows, shrinks and regrows correctly across pending polls, and that a shared step behaves
 * as a fresh one.
 */
class ChainStackAndSharedStepsTest {

    /** {@code depth} nested maps over a leaf that is pending once, each adding its own index. */
    private static Task<Integer> nestedMaps(int leafValue, int depth, List<Integer> order) {
        Task<Integer> task = new PendingOnce(leafValue);
        for (int i = 1; i <= depth; i++) {
            int index = i;
            task = task.map(x -> {
                order.add(index);
                return x + index;
            });
        }
        return task;
    }

    @Test
    void stacksDeeperThanEachDoublingRunEveryStepInOrderAcrossPendingPolls() throws Exception {
        for (int depth : new int[] {1, 2, 3, 4, 5, 8, 9, 16, 17, 33}) {
            List<Integer> order = new ArrayList<>();
            // The outer run loop (the map) is sized for itself and the flatMap below it; the inner
            // chain the flatMap returns is walked into the same stack, which doubles past each power
            // of two while the inner leaf is pending.
            Task<Integer> task = new PendingOnce(1000)
                    .flatMap(x -> nestedMaps(x, depth, order))
                    .map(x -> x * 2);
            int expectedSum = depth * (depth + 1) / 2;
            assertThat(ManualContext.runToCompletion(task)).as("depth %d", depth).isEqualTo((1000 + expectedSum) * 2);
            List<Integer> expectedOrder = new ArrayList<>();
            for (int i = 1; i <= depth; i++) {
                expectedOrder.add(i);
            }
            assertThat(order).as("depth %d", depth).isEqualTo(expectedOrder);
        }
    }

    @Test
    void aStackThatShrankRegrowsForTheNextDeepChain() throws Exception {
        List<Integer> order = new ArrayList<>();
        // Three deep inner chains one after the other in one run loop: each pushes past the first
        // two frames, pops back to one, then the next pushes again into the same (grown) array.
        Task<Integer> task = new PendingOnce(0)
                .flatMap(x -> nestedMaps(x, 9, order))
                .flatMap(x -> nestedMaps(x, 3, order))
                .flatMap(x -> nestedMaps(x, 17, order));
        assertThat(ManualContext.runToCompletion(task)).isEqualTo(45 + 6 + 153);
        assertThat(order).hasSize(9 + 3 + 17);
    }

    @Test
    void stepsWithoutAValueAreSharedAndBehaveAsFreshOnes() throws Exception {
        assertThat(Step.<Object, Object>next(null)).isSameAs(Step.next(null));
        assertThat(Step.<Object, Object>done(null)).isSameAs(Step.done(null));
        assertThat(Step.next(null).isDone()).isFalse();
        assertThat(Step.done(null).isDone()).isTrue();
        assertThat(Step.next("s")).isNotSameAs(Step.next("s"));
        assertThat(Step.done("r").isDone()).isTrue();
        assertThat(Step.next(null)).hasToString("Step.next(null)");

        int[] turns = {0};
        Task<Object> loop = Task.loop(null, ignored -> {
            turns[0]++;
            return Task.completed(turns[0] == 1_000 ? Step.done(null) : Step.next(null));
        });
        assertThat(ManualContext.runToCompletion(loop)).isNull();
        assertThat(turns[0]).isEqualTo(1_000);
    }
}
