package io.asyncruntime.task;

import java.util.Arrays;
import java.util.function.Function;

/**
 * {@code map}, {@code flatMap}, {@code recover} and {@code recoverWith} as one stack-safe run loop.
 *
 * <p>Each combinator call builds one {@code Chain} node: a source task plus one continuation.
 * Polling never recurses into nested nodes. On first poll the outermost node becomes the run loop:
 * it walks down through fresh (never polled) nodes, pushing their continuations on its own stack,
 * until it reaches a leaf; it polls the leaf and, when the leaf is done, pops continuations until
 * one yields a new task to poll. Left-nested chains ({@code t.flatMap(f).flatMap(g)...}) and
 * right-nested ones ({@code loop(n) = step.flatMap(x -> loop(n - 1))}) both run in constant Java
 * stack, so a million immediately-ready steps cannot overflow it.
 *
 * <p>Each {@code flatMap}/{@code recoverWith} step that starts a new task spends one unit of the
 * cooperative budget; when the budget is spent the chain returns pending and is polled again
 * after the other runnable tasks, so a chain that keeps finding ready work cannot starve its
 * worker.
 *
 * <p>Invariant: a node is either fresh (its fields describe work not yet started) or absorbed into
 * exactly one run loop (then {@link #absorbed} is true and only that run loop uses it).
 */
final class Chain<T> implements Task<T> {

    private static final int MAP = 0;
    private static final int FLAT_MAP = 1;
    private static final int RECOVER = 2;
    private static final int RECOVER_WITH = 3;

    private static final Chain<?>[] NO_FRAMES = new Chain<?>[0];
    private static final int FIRST_STACK_SIZE = 2;

    private final Task<?> source;
    private final int kind;
    private final Function<Object, Object> step;
    private boolean absorbed;
    private boolean started;

    // Run-loop state, used only by the node that is polled directly.
    private Task<?> current;
    private Chain<?>[] frames = NO_FRAMES;
    private int depth;
    private boolean finished;

    @SuppressWarnings("unchecked")
    private Chain(Task<?> source, int kind, Function<?, ?> step) {
        if (source == null) {
            throw new NullPointerException("source task must not be null");
        }
        if (step == null) {
            throw new NullPointerException("continuation function must not be null");
        }
        this.source = source;
        this.kind = kind;
        this.step = (Function<Object, Object>) step;
    }

    static <T, R> Task<R> map(Task<T> source, Function<? super T, ? extends R> f) {
        return new Chain<>(source, MAP, f);
    }

    static <T, R> Task<R> flatMap(Task<T> source, Function<? super T, ? extends Task<? extends R>> f) {
        return new Chain<>(source, FLAT_MAP, f);
    }

    static <T> Task<T> recover(Task<T> source, Function<? super Throwable, ? extends T> f) {
        return new Chain<>(source, RECOVER, f);
    }

    static <T> Task<T> recoverWith(Task<T> source, Function<? super Throwable, ? extends Task<? extends T>> f) {
        return new Chain<>(source, RECOVER_WITH, f);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Poll<T> poll(Context cx) throws Exception {
        if (finished) {
            throw new IllegalStateException("a finished task was polled again");
        }
        if (!started) {
            if (absorbed) {
                throw new IllegalStateException("this task is part of another chain and must not be polled on its own");
            }
            started = true;
            absorbed = true;
            frames = new Chain<?>[Math.max(FIRST_STACK_SIZE, 1 + freshNodesBelow(source))];
            push(this);
            current = source;
        }
        for (;;) {
            descendIntoFreshNodes();
            Object value;
            Throwable failure = null;
            try {
                Poll<?> polled = current.poll(cx);
                if (polled.isPending()) {
                    return Poll.pending();
                }
                value = polled.value();
            } catch (Throwable t) {
                value = null;
                failure = t;
            }
            current = null;
            // Unwind continuations until one starts a new task, or the stack is empty.
            while (current == null) {
                if (depth == 0) {
                    finished = true;
                    if (failure != null) {
                        throw Failures.rethrow(failure);
                    }
                    return Poll.ready((T) value);
                }
                Chain<?> frame = pop();
                boolean failed = failure != null;
                boolean handlesFailure = frame.kind == RECOVER || frame.kind == RECOVER_WITH;
                if (failed != handlesFailure) {
                    continue; // a success step skipped by a failure, or a handler skipped by a value
                }
                try {
                    Object input = failed ? failure : value;
                    failure = null;
                    Object output = frame.step.apply(input);
                    if (frame.kind == MAP || frame.kind == RECOVER) {
                        value = output;
                    } else if (output == null) {
                        throw new NullPointerException("the function given to "
                                + (frame.kind == FLAT_MAP ? "flatMap" : "recoverWith") + " returned null instead of a task");
                    } else {
                        current = (Task<?>) output;
                    }
                } catch (Throwable t) {
                    failure = t;
                    value = null;
                }
            }
            if (!cx.consumeBudget()) {
                return Poll.pending();
            }
        }
    }

    /**
     * How many fresh (never polled) chain nodes the first descent from {@code task} will push: the
     * stack is made that deep at once, so a chain built up front (t.map(f).map(g).map(h)) allocates
     * one array of its exact depth, never more than a doubling stack would, and the common
     * a.flatMap(f).map(g) a 2-slot one (24 bytes). Steps that return new chains grow it by doubling.
     */
    private static int freshNodesBelow(Task<?> task) {
        int fresh = 0;
        while (task instanceof Chain<?> node && !node.absorbed) {
            fresh++;
            task = node.source;
        }
        return fresh;
    }

    /** Replaces {@link #current} by its source while it is a fresh chain node, keeping its step. */
    private void descendIntoFreshNodes() {
        while (current instanceof Chain<?> node && !node.absorbed) {
            node.absorbed = true;
            push(node);
            current = node.source;
        }
    }

    private void push(Chain<?> frame) {
        if (depth == frames.length) {
            // Sized at the first poll (freshNodesBelow); a step's new chain deeper than that doubles it.
            frames = Arrays.copyOf(frames, Math.max(FIRST_STACK_SIZE, depth * 2));
        }
        frames[depth++] = frame;
    }

    private Chain<?> pop() {
        Chain<?> frame = frames[--depth];
        frames[depth] = null;
        return frame;
    }

    @Override
    public void cancel() {
        if (finished) {
            return;
        }
        finished = true;
        Task<?> running = current != null ? current : source;
        current = null;
        frames = NO_FRAMES;
        depth = 0;
        running.cancel();
    }
}
