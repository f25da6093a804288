package io.asyncruntime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class TaskCombinatorTest {

    @Test
    void mapFlatMapAndRecoverCompose() throws Exception {
        Task<String> task = Task.completed(20)
                .map(x -> x + 1)
                .flatMap(x -> Task.completed(x * 2))
                .<Integer>flatMap(x -> Task.failed(new IllegalStateException("boom " + x)))
                .map(x -> x + 1000) // skipped by the failure
                .recover(e -> e.getMessage().length())
                .map(n -> "len=" + n);
        assertThat(ManualContext.runToCompletion(task)).isEqualTo("len=7");
    }

    @Test
    void recoverWithRunsTheReplacementTask() throws Exception {
        Task<Integer> task = Task.<Integer>failed(new IOException("disk"))
                .recoverWith(e -> Task.completed(e instanceof IOException ? 1 : 2));
        assertThat(ManualContext.runToCompletion(task)).isEqualTo(1);
    }

    @Test
    void aFailureKeepsItsCheckedType() {
        Task<Integer> task = Task.completed(1).flatMap(x -> Task.failed(new IOException("nope")));
        assertThatThrownBy(() -> ManualContext.runToCompletion(task)).isInstanceOf(IOException.class).hasMessage("nope");
    }

    @Test
    void anExceptionInAMapFunctionFailsTheTask() {
        Task<Integer> task = Task.completed(1).map(x -> {
            throw new IllegalArgumentException("bad " + x);
        });
        assertThatThrownBy(() -> ManualContext.runToCompletion(task)).isInstanceOf(IllegalArgumentException.class).hasMessage("bad 1");
    }

    @Test
    void aFlatMapReturningNullFailsWithAClearMessage() {
        Task<Integer> task = Task.completed(1).flatMap(x -> null);
        assertThatThrownBy(() -> ManualContext.runToCompletion(task))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("flatMap returned null");
    }

    @Test
    void aMillionLeftNestedReadyFlatMapsRunInConstantStack() throws Exception {
        Task<Integer> task = Task.completed(0);
        for (int i = 0; i < 1_000_000; i++) {
            task = task.flatMap(x -> Task.completed(x + 1));
        }
        assertThat(ManualContext.runToCompletion(task)).isEqualTo(1_000_000);
    }

    @Test
    void aMillionRightNestedReadyFlatMapsRunInConstantStack() throws Exception {
        assertThat(ManualContext.runToCompletion(countDown(1_000_000))).isEqualTo(0);
    }

    private static Task<Integer> countDown(int n) {
        return n == 0 ? Task.completed(0) : Task.completed(n).flatMap(x -> countDown(x - 1));
    }

    @Test
    void aMillionLeftNestedMapsRunInConstantStack() throws Exception {
        Task<Integer> task = Task.completed(0);
        for (int i = 0; i < 1_000_000; i++) {
            task = task.map(x -> x + 1);
        }
        assertThat(ManualContext.runToCompletion(task)).isEqualTo(1_000_000);
    }

    @Test
    void aChainSpendsBudgetAndYieldsWhenItIsSpent() throws Exception {
        Task<Integer> task = Task.completed(0);
        for (int i = 0; i < 10; i++) {
            task = task.flatMap(x -> Task.completed(x + 1));
        }
        ManualContext cx = new ManualContext(3);
        assertThat(task.poll(cx).isPending()).isTrue();
        assertThat(cx.yieldRequests).isEqualTo(1);
        ManualContext fresh = new ManualContext();
        assertThat(task.poll(fresh).value()).isEqualTo(10);
    }

    @Test
    void yieldNowRequestsAYieldOnceThenCompletes() throws Exception {
        Task<Void> yield = Task.yieldNow();
        ManualContext cx = new ManualContext();
        assertThat(yield.poll(cx).isPending()).isTrue();
        assertThat(cx.yieldRequests).isEqualTo(1);
        assertThat(yield.poll(cx).value()).isNull();
    }

    @Test
    void loopRunsUntilDoneInConstantStack() throws Exception {
        Task<Integer> loop = Task.loop(0, i -> Task.completed(i == 1_000_000 ? Step.<Integer, Integer>done(i) : Step.<Integer, Integer>next(i + 1)));
        assertThat(ManualContext.runToCompletion(loop)).isEqualTo(1_000_000);
    }

    @Test
    void allCollectsValuesInOrderAndWaitsForEveryBranch() throws Exception {
        Probe<String> slow = new Probe<>();
        Task<List<String>> all = Task.all(List.of(Task.completed("a"), slow, Task.completed("c")));
        ManualContext cx = new ManualContext();
        assertThat(all.poll(cx).isPending()).isTrue();
        slow.complete("b");
        assertThat(cx.wakes.get()).isEqualTo(1);
        assertThat(all.poll(cx).value()).containsExactly("a", "b", "c");
    }

    @Test
    void allWaitsForEveryBranchEvenAfterAFailure() throws Exception {
        Probe<String> slow = new Probe<>();
        Task<List<String>> all = Task.all(List.of(Task.failed(new IOException("first")), slow));
        ManualContext cx = new ManualContext();
        assertThat(all.poll(cx).isPending()).isTrue();
        assertThat(slow.cancelled).isFalse();
        slow.complete("late");
        assertThatThrownBy(() -> all.poll(cx)).isInstanceOf(IOException.class).hasMessage("first");
    }

    @Test
    void tryAllCancelsTheOthersOnTheFirstFailure() {
        Probe<String> slow = new Probe<>();
        Task<List<String>> all = Task.tryAll(List.of(slow, Task.failed(new IOException("first"))));
        assertThatThrownBy(() -> all.poll(new ManualContext())).isInstanceOf(IOException.class);
        assertThat(slow.cancelled).isTrue();
    }

    @Test
    void joinAndTryJoinCombineTwoValues() throws Exception {
        Task<String> joined = Task.join(Task.completed(2), Task.completed("x"), (n, s) -> s.repeat(n));
        assertThat(ManualContext.runToCompletion(joined)).isEqualTo("xx");
        assertThat(ManualContext.runToCompletion(Task.tryJoin(Task.completed(2), Task.completed(3), Integer::sum))).isEqualTo(5);
    }

    @Test
    void raceTakesTheFirstToFinishAndCancelsTheRest() throws Exception {
        Probe<Integer> a = new Probe<>();
        Probe<Integer> b = new Probe<>();
        Task<Integer> race = Task.race(a, b);
        ManualContext cx = new ManualContext();
        assertThat(race.poll(cx).isPending()).isTrue();
        b.complete(2);
        assertThat(race.poll(cx).value()).isEqualTo(2);
        assertThat(a.cancelled).isTrue();
        assertThat(b.cancelled).isFalse();
    }

    @Test
    void raceFailsWithTheFirstFailure() {
        Probe<Integer> a = new Probe<>();
        Task<Integer> race = Task.race(a, Task.failed(new IOException("lost")));
        assertThatThrownBy(() -> race.poll(new ManualContext())).isInstanceOf(IOException.class);
        assertThat(a.cancelled).isTrue();
    }

    @Test
    void selectMapsTheWinnerAndCancelsTheLoser() throws Exception {
        Probe<String> text = new Probe<>();
        Task<String> select = Task.select(text, s -> "text " + s, Task.completed(7), n -> "number " + n);
        assertThat(select.poll(new ManualContext()).value()).isEqualTo("number 7");
        assertThat(text.cancelled).isTrue();
    }

    @Test
    void cancellingAComposedTaskCancelsTheBranchInProgress() throws Exception {
        Probe<Integer> inner = new Probe<>();
        Task<Integer> chain = Task.completed(1).flatMap(x -> inner).map(x -> x + 1);
        assertThat(chain.poll(new ManualContext()).isPending()).isTrue();
        chain.cancel();
        assertThat(inner.cancelled).isTrue();
    }

    @Test
    void fromCompletionStageCompletesWithTheStageAndUnwrapsFailures() throws Exception {
        CompletableFuture<String> future = new CompletableFuture<>();
        Task<String> task = Task.fromCompletionStage(future);
        ManualContext cx = new ManualContext();
        assertThat(task.poll(cx).isPending()).isTrue();
        future.complete("done");
        assertThat(cx.wakes.get()).isEqualTo(1);
        assertThat(task.poll(cx).value()).isEqualTo("done");

        CompletableFuture<String> failing = new CompletableFuture<>();
        Task<String> failed = Task.fromCompletionStage(failing.thenApply(s -> s));
        assertThat(failed.poll(cx).isPending()).isTrue();
        failing.completeExceptionally(new IOException("remote"));
        assertThatThrownBy(() -> failed.poll(cx)).isInstanceOf(IOException.class).isNotInstanceOf(CompletionException.class);
    }

    @Test
    void aCancelledStageTaskIgnoresALateCompletion() throws Exception {
        CompletableFuture<String> future = new CompletableFuture<>();
        Task<String> task = Task.fromCompletionStage(future);
        ManualContext cx = new ManualContext();
        assertThat(task.poll(cx).isPending()).isTrue();
        task.cancel();
        future.complete("late");
        assertThat(cx.wakes.get()).isZero();
    }

    @Test
    void aPolledChainCannotBeReusedInsideAnother() throws Exception {
        Probe<Integer> probe = new Probe<>();
        Task<Integer> inner = probe.map(x -> x);
        Task<Integer> outer = Task.completed(1).flatMap(x -> inner);
        assertThat(outer.poll(new ManualContext()).isPending()).isTrue();
        assertThatThrownBy(() -> inner.poll(new ManualContext()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("part of another chain");
    }

    @Test
    void allRepollsOnlyTheBranchesThatWereWoken() throws Exception {
        List<Probe<Integer>> probes = new java.util.ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            probes.add(new Probe<>());
        }
        Task<List<Integer>> all = Task.all(probes);
        ManualContext cx = new ManualContext();
        assertThat(all.poll(cx).isPending()).isTrue();
        for (int i = 0; i < probes.size(); i++) {
            probes.get(i).complete(i);
            Poll<List<Integer>> polled = all.poll(cx);
            assertThat(polled.isReady()).isEqualTo(i == probes.size() - 1);
        }
        int totalPolls = probes.stream().mapToInt(p -> p.polls).sum();
        assertThat(totalPolls).as("each branch polled once at the start and once when woken").isEqualTo(2 * probes.size());
        assertThat(cx.wakes.get()).isEqualTo(probes.size());
    }

    @Test
    void aBranchThatYieldsInsideAllIsPolledAgain() throws Exception {
        Task<List<Object>> all = Task.all(List.of(Task.yieldNow(), Task.completed(1)));
        ManualContext cx = new ManualContext();
        assertThat(all.poll(cx).isPending()).isTrue();
        assertThat(cx.yieldRequests).isEqualTo(1);
        assertThat(all.poll(cx).value()).containsExactly(null, 1);
    }

    @Test
    void aBranchOutOfBudgetInsideAllIsPolledAgain() throws Exception {
        Task<Integer> chain = Task.completed(0);
        for (int i = 0; i < 5; i++) {
            chain = chain.flatMap(x -> Task.completed(x + 1));
        }
        Task<List<Integer>> all = Task.all(List.of(chain));
        assertThat(all.poll(new ManualContext(2)).isPending()).isTrue();
        assertThat(all.poll(new ManualContext()).value()).containsExactly(5);
    }
}
