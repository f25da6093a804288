package io.asyncruntime.task;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A lazy, poll-based description of asynchronous work that produces a value of type {@code T}.
 *
 * <p>Nothing runs until the task is spawned on a runtime or awaited by a task that is running.
 * The executor then calls {@link #poll(Context)}: the task returns {@link Poll#ready} with its
 * value, throws its failure, or returns {@link Poll#pending()} after arranging for
 * {@code context.waker()} to be woken when it can make progress. A task is a one-shot state machine: it has one owner that polls it, never
 * from two threads at once, and never again after it returned a value, threw, or was cancelled.
 *
 * <p>Most users compose tasks with the combinators rather than implement {@code poll}; writing
 * {@code poll} is for new leaf tasks, as writing {@code Future::poll} is in Rust.
 *
 * @param <T> the value type; {@code null} is a legal value
 */
public interface Task<T> {

    /**
     * Makes progress. Returns {@link Poll#ready} with the value when done, or
     * {@link Poll#pending()} after arranging for {@code cx.waker()} to be woken. Throwing fails
     * the task with that exception.
     */
    Poll<T> poll(Context cx) throws Exception;

    /**
     * Drops the task before it finished: releases everything it registered (timer entries,
     * waiter slots, I/O interest) and cancels the tasks composed inside it. Called by the owner
     * only, never concurrently with {@code poll}, at most once, and never after the task finished.
     * The default releases nothing.
     *
     * <p>Must not block: like {@code poll}, it may run on a worker thread, and an abort (a
     * JoinSet's, a graceful shutdown's) runs it on the aborting thread. A graceful shutdown runs its
     * aborts on a thread of its own and stops waiting for one that blocks (the tasks it has not
     * reached yet are aborted when that call returns), but every other abort waits for it.
     */
    default void cancel() {
    }


    // ---- composing ---------------------------------------------------------------------------

    /** A task that applies {@code f} to this task's value. Failures pass through untouched. */
    default <R> Task<R> map(Function<? super T, ? extends R> f) {
        return Chain.map(this, f);
    }

    /**
     * A task that runs this task, then the task {@code f} makes from its value, and finishes with
     * that task's outcome. Stack-safe at any depth (see {@code Chain}).
     */
    default <R> Task<R> flatMap(Function<? super T, ? extends Task<? extends R>> f) {
        return Chain.flatMap(this, f);
    }

    /** A task that replaces a failure of this task with the value {@code f} computes from it. */
    default Task<T> recover(Function<? super Throwable, ? extends T> f) {
        return Chain.recover(this, f);
    }

    /** A task that replaces a failure of this task with the outcome of the task {@code f} makes. */
    default Task<T> recoverWith(Function<? super Throwable, ? extends Task<? extends T>> f) {
        return Chain.recoverWith(this, f);
    }

    // ---- leaves ------------------------------------------------------------------------------

    /** A task that is ready with {@code value} at its first poll. */
    static <T> Task<T> completed(T value) {
        return new Leaves.Completed<>(value);
    }

    /** A task that fails with {@code failure} at its first poll. */
    static <T> Task<T> failed(Throwable failure) {
        return new Leaves.Failed<>(failure);
    }

    /** A task that calls {@code callable} when first polled, on the polling thread. */
    static <T> Task<T> call(Callable<? extends T> callable) {
        return new Leaves.Call<>(callable);
    }

    /** A task that runs {@code runnable} when first polled, on the polling thread; its value is null. */
    static Task<Void> run(Runnable runnable) {
        return new Leaves.Run(runnable);
    }

    /**
     * A task that gives the worker to the other runnable tasks once, then completes: it is polled
     * again from the back of the queue.
     */
    static Task<Void> yieldNow() {
        return new Leaves.YieldNow();
    }

    /** A task that never completes and holds nothing; it ends only when cancelled. */
    @SuppressWarnings("unchecked")
    static <T> Task<T> never() {
        return (Task<T>) Leaves.Never.INSTANCE;
    }

    /**
     * A task that completes when {@code stage} does, with its value or its failure (unwrapped from
     * {@code CompletionException}). Cancelling the task does not cancel the stage.
     */
    static <T> Task<T> fromCompletionStage(CompletionStage<? extends T> stage) {
        return new FromStage<>(stage);
    }

    /**
     * An async loop: runs {@code body} on the state, and again on each {@link Step#next} state,
     * until a turn returns {@link Step#done}. Constant stack for any number of turns.
     */
    static <S, R> Task<R> loop(S seed, Function<? super S, ? extends Task<Step<S, R>>> body) {
        return new Loop<>(seed, body);
    }

    // ---- concurrency inside one task ----------------------------------------------------------

    /**
     * Runs all tasks concurrently and completes with their values in order. Waits for every task;
     * if any failed, fails with the first failure after all are done.
     */
    static <T> Task<List<T>> all(List<? extends Task<? extends T>> tasks) {
        return new All<>(tasks, false);
    }

    /** Runs all tasks concurrently; the first failure cancels the others and fails at once. */
    static <T> Task<List<T>> tryAll(List<? extends Task<? extends T>> tasks) {
        return new All<>(tasks, true);
    }

    /** Runs two tasks concurrently, waits for both, and combines their values. */
    @SuppressWarnings("unchecked")
    static <A, B, R> Task<R> join(Task<A> a, Task<B> b, BiFunction<? super A, ? super B, ? extends R> combiner) {
        requireFunction(combiner, "combiner");
        return Task.<Object>all(List.of(a, b)).map(v -> combiner.apply((A) v.get(0), (B) v.get(1)));
    }

    /** Runs two tasks concurrently; the first failure cancels the other. Combines both values. */
    @SuppressWarnings("unchecked")
    static <A, B, R> Task<R> tryJoin(Task<A> a, Task<B> b, BiFunction<? super A, ? super B, ? extends R> combiner) {
        requireFunction(combiner, "combiner");
        return Task.<Object>tryAll(List.of(a, b)).map(v -> combiner.apply((A) v.get(0), (B) v.get(1)));
    }

    /** Finishes with the first task to finish (value or failure); the others are cancelled. */
    @SafeVarargs
    static <T> Task<T> race(Task<? extends T>... tasks) {
        return race(Arrays.asList(tasks));
    }

    /** Finishes with the first task to finish (value or failure); the others are cancelled. */
    static <T> Task<T> race(List<? extends Task<? extends T>> tasks) {
        Function<Object, T> identity = Task::uncheckedIdentity;
        return new Race<T>(tasks, java.util.Collections.nCopies(tasks.size(), identity));
    }

    /**
     * Waits for whichever of two tasks finishes first and handles its value with that branch's
     * function; the other task is cancelled. A failure of the first task to finish is the failure
     * of the select.
     */
    @SuppressWarnings("unchecked")
    static <A, B, R> Task<R> select(Task<A> a, Function<? super A, ? extends R> onA,
                                    Task<B> b, Function<? super B, ? extends R> onB) {
        requireFunction(onA, "onA");
        requireFunction(onB, "onB");
        return new Race<R>(List.of(a, b),
                List.of(v -> onA.apply((A) v), v -> onB.apply((B) v)));
    }

    @SuppressWarnings("unchecked")
    private static <T> T uncheckedIdentity(Object value) {
        return (T) value;
    }

    private static void requireFunction(Object f, String name) {
        if (f == null) {
            throw new NullPointerException(name + " must not be null");
        }
    }
}
