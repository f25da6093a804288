package io.asyncruntime.benchmarks.peers;

import io.asyncruntime.benchmarks.Countdown;
import io.asyncruntime.benchmarks.IdleTasks;
import io.asyncruntime.benchmarks.OneShot;
import io.asyncruntime.benchmarks.Workloads;
import kotlin.ResultKt;
import kotlin.Unit;
import kotlin.coroutines.Continuation;
import kotlin.coroutines.intrinsics.IntrinsicsKt;
import kotlin.coroutines.jvm.internal.ContinuationImpl;
import kotlin.coroutines.jvm.internal.SuspendLambda;
import kotlin.jvm.functions.Function2;
import kotlinx.coroutines.BuildersKt;
import kotlinx.coroutines.CancellableContinuationImpl;
import kotlinx.coroutines.CoroutineScope;
import kotlinx.coroutines.CoroutineStart;
import kotlinx.coroutines.DelayKt;
import kotlinx.coroutines.Dispatchers;
import kotlinx.coroutines.GlobalScope;
import kotlinx.coroutines.Job;
import kotlinx.coroutines.YieldKt;

/**
 * Real Kotlin coroutines on {@code Dispatchers.Default} (the {@code CoroutineScheduler}: per-worker
 * rings, a LIFO slot, stealing). Every task is a coroutine started with
 * {@code GlobalScope.launch(Dispatchers.Default) { … }} (detached, as {@code tokio::spawn} and
 * this runtime's {@code spawn} are: no parent job to attach to), a yield is {@code yield()}, and
 * waiting for a {@link OneShot} is {@code suspendCancellableCoroutine { c -> … }} resumed with
 * {@code c.resume(Unit)}. So each resume dispatches the coroutine's own
 * {@code DispatchedContinuation} or {@code CancellableContinuationImpl}, which are scheduler tasks
 * already: nothing is wrapped, and a launch costs what a launch costs (the coroutine, its bound
 * lambda, its dispatched continuation).
 *
 * <p>The module has no Kotlin compiler, so the suspend lambdas are written the way kotlinc compiles
 * them: a {@link SuspendLambda} subclass whose factory instance (no completion) is passed to
 * {@code launch}, whose {@code create} binds a copy to the new coroutine, and whose
 * {@code invokeSuspend} is the state machine ({@code label} plus the locals that live across a
 * suspension, as fields). The Kotlin source each one stands for is in its Javadoc.
 *
 * <p>The cap to two workers is the scheduler's own CPU-worker count, the system property
 * {@value #CORE_POOL_SIZE_PROPERTY}, rather than {@code limitedParallelism(2)}, which puts a shared
 * FIFO queue in front of the scheduler and measures a different algorithm. The property is read
 * once, when {@code Dispatchers} is initialised, so the JMH forks pass it on the command line and
 * {@link #start} sets it when it is absent.
 */
public final class KotlinWorkloads implements Workloads {

    static final String CORE_POOL_SIZE_PROPERTY = "kotlinx.coroutines.scheduler.core.pool.size";
    /** {@code MODE_CANCELLABLE} of kotlinx.coroutines' {@code DispatchedTask.kt}: what {@code suspendCancellableCoroutine} uses. */
    private static final int MODE_CANCELLABLE = 1;
    private static final String NAME = "Kotlin coroutines";

    private KotlinWorkloads() {
    }

    /** Caps {@code Dispatchers.Default} at {@code threads} CPU workers (or checks the cap) and returns the workloads. */
    public static KotlinWorkloads start(int threads) {
        String configured = System.getProperty(CORE_POOL_SIZE_PROPERTY);
        if (configured == null) {
            System.setProperty(CORE_POOL_SIZE_PROPERTY, Integer.toString(threads));
        } else if (!configured.equals(Integer.toString(threads))) {
            throw new IllegalStateException(CORE_POOL_SIZE_PROPERTY + " is " + configured + ", expected " + threads);
        }
        return new KotlinWorkloads();
    }

    /** {@code GlobalScope.launch(Dispatchers.Default, block = body)}. */
    static Job launch(Body body) {
        return BuildersKt.launch(GlobalScope.INSTANCE, Dispatchers.getDefault(), CoroutineStart.DEFAULT, body);
    }

    @Override
    public void spawnManyLocal(int tasks) {
        Countdown countdown = new Countdown(tasks);
        launch(new Spawner(tasks, new CountingDown(countdown, null), null));
        countdown.await("spawn_many_local on " + NAME);
    }

    @Override
    public void spawnManyRemote(int tasks) {
        Countdown countdown = new Countdown(tasks);
        CountingDown child = new CountingDown(countdown, null);
        for (int i = 0; i < tasks; i++) {
            launch(child);
        }
        countdown.await("spawn_many_remote on " + NAME);
    }

    @Override
    public void yieldMany(int tasks, int yieldsPerTask) {
        Countdown countdown = new Countdown(tasks);
        for (int i = 0; i < tasks; i++) {
            launch(new Yielding(yieldsPerTask, countdown, null));
        }
        countdown.await("yield_many on " + NAME);
    }

    @Override
    public void pingPong(int pairs) {
        Countdown countdown = new Countdown(pairs);
        launch(new Spawner(pairs, new Ping(countdown, null), null));
        countdown.await("ping_pong on " + NAME);
    }

    @Override
    public void chainedSpawn(int links) {
        Countdown countdown = new Countdown(1);
        launch(new ChainLink(links, countdown, null));
        countdown.await("chained_spawn on " + NAME);
    }

    @Override
    public void spawnWaitingOn(OneShot never) {
        launch(new WaitingOn(never, null));
    }

    /** {@code GlobalScope.launch(Dispatchers.Default) { awaitCancellation() }}; the caller keeps the {@link Job}. */
    @Override
    public Object spawnBarePending() {
        return launch(new AwaitingCancellation(null));
    }

    @Override
    public void close() {
        // Dispatchers.Default is process-wide and is not shut down; its workers are daemons.
    }

    // ---- the suspending pieces -----------------------------------------------------------

    /**
     * {@code suspendCancellableCoroutine<Unit> { c -> if (!shot.register(c)) c.resume(Unit) }},
     * expanded as the inline function expands: a {@code CancellableContinuationImpl} around the
     * intercepted continuation, registered with the oneshot.
     *
     * @return {@code COROUTINE_SUSPENDED}, or {@code Unit} if the message was already there
     */
    static Object await(OneShot shot, ContinuationImpl caller) {
        CancellableContinuationImpl<Unit> continuation = new CancellableContinuationImpl<>(caller.intercepted(), MODE_CANCELLABLE);
        continuation.initCancellability();
        if (!shot.register(continuation)) {
            continuation.resumeWith(Unit.INSTANCE);
        }
        return continuation.getResult();
    }

    /** {@code c.resume(Unit)} for the continuation a receiver registered, if any. */
    @SuppressWarnings("unchecked")
    static void resume(Object waiter) {
        if (waiter != null) {
            ((Continuation<Object>) waiter).resumeWith(Unit.INSTANCE);
        }
    }

    static Object suspended() {
        return IntrinsicsKt.getCOROUTINE_SUSPENDED();
    }

    /**
     * A suspend lambda {@code suspend CoroutineScope.() -> Unit} as kotlinc compiles it. The
     * instance built with a {@code null} completion is the lambda value; {@link #bind} copies its
     * captured values into the instance that runs as one coroutine.
     */
    abstract static class Body extends SuspendLambda implements Function2<CoroutineScope, Continuation<? super Unit>, Object> {
        /** The state machine's position: which suspension point a resume continues from. */
        int label;

        Body(Continuation<Object> completion) {
            super(2, completion);
        }

        /** A copy of this lambda's captured values, bound to a coroutine. */
        abstract Body bind(Continuation<Object> completion);

        @Override
        @SuppressWarnings("unchecked")
        public final Continuation<Unit> create(Object receiver, Continuation<?> completion) {
            return (Continuation<Unit>) (Continuation<?>) bind((Continuation<Object>) completion);
        }

        @Override
        @SuppressWarnings("unchecked")
        public final Object invoke(CoroutineScope receiver, Continuation<? super Unit> completion) {
            return bind((Continuation<Object>) completion).invokeSuspend(Unit.INSTANCE);
        }

        static IllegalStateException badLabel(int label) {
            return new IllegalStateException("call to 'resume' before 'invoke' with coroutine (label " + label + ")");
        }
    }

    /** {@code { repeat(count) { GlobalScope.launch(Dispatchers.Default, block = child) } }}. */
    static final class Spawner extends Body {
        private final int count;
        private final Body child;

        Spawner(int count, Body child, Continuation<Object> completion) {
            super(completion);
            this.count = count;
            this.child = child;
        }

        @Override
        Body bind(Continuation<Object> completion) {
            return new Spawner(count, child, completion);
        }

        @Override
        protected Object invokeSuspend(Object result) {
            ResultKt.throwOnFailure(result);
            for (int i = 0; i < count; i++) {
                launch(child);
            }
            return Unit.INSTANCE;
        }
    }

    /** {@code { countdown.countDown() }}. */
    static final class CountingDown extends Body {
        private final Countdown countdown;

        CountingDown(Countdown countdown, Continuation<Object> completion) {
            super(completion);
            this.countdown = countdown;
        }

        @Override
        Body bind(Continuation<Object> completion) {
            return new CountingDown(countdown, completion);
        }

        @Override
        protected Object invokeSuspend(Object result) {
            ResultKt.throwOnFailure(result);
            countdown.countDown();
            return Unit.INSTANCE;
        }
    }

    /** {@code { repeat(yields) { yield() }; countdown.countDown() }}. */
    static final class Yielding extends Body {
        private final Countdown countdown;
        private int yieldsLeft;

        Yielding(int yields, Countdown countdown, Continuation<Object> completion) {
            super(completion);
            this.yieldsLeft = yields;
            this.countdown = countdown;
        }

        @Override
        Body bind(Continuation<Object> completion) {
            return new Yielding(yieldsLeft, countdown, completion);
        }

        @Override
        protected Object invokeSuspend(Object result) {
            ResultKt.throwOnFailure(result);
            while (yieldsLeft > 0) {
                yieldsLeft--;
                if (YieldKt.yield(this) == suspended()) {
                    return suspended();
                }
            }
            countdown.countDown();
            return Unit.INSTANCE;
        }
    }

    /**
     * <pre>{
     *   val ping = OneShot(); val pong = OneShot()
     *   GlobalScope.launch(Dispatchers.Default) { Pong(ping, pong) }
     *   resume(ping.send())
     *   if (!pong.isSent()) await(pong)
     *   countdown.countDown()
     * }</pre>
     */
    static final class Ping extends Body {
        private final Countdown countdown;

        Ping(Countdown countdown, Continuation<Object> completion) {
            super(completion);
            this.countdown = countdown;
        }

        @Override
        Body bind(Continuation<Object> completion) {
            return new Ping(countdown, completion);
        }

        @Override
        protected Object invokeSuspend(Object result) {
            ResultKt.throwOnFailure(result);
            switch (label) {
                case 0:
                    OneShot ping = new OneShot();
                    OneShot pong = new OneShot();
                    launch(new Pong(ping, pong, null));
                    resume(ping.send());
                    label = 1;
                    if (!pong.isSent() && await(pong, this) == suspended()) {
                        return suspended();
                    }
                    // the pong was already there: go on without suspending
                case 1:
                    countdown.countDown();
                    return Unit.INSTANCE;
                default:
                    throw badLabel(label);
            }
        }
    }

    /** {@code { if (!ping.isSent()) await(ping); resume(pong.send()) }}. */
    static final class Pong extends Body {
        private final OneShot ping;
        private final OneShot pong;

        Pong(OneShot ping, OneShot pong, Continuation<Object> completion) {
            super(completion);
            this.ping = ping;
            this.pong = pong;
        }

        @Override
        Body bind(Continuation<Object> completion) {
            return new Pong(ping, pong, completion);
        }

        @Override
        protected Object invokeSuspend(Object result) {
            ResultKt.throwOnFailure(result);
            switch (label) {
                case 0:
                    label = 1;
                    if (!ping.isSent() && await(ping, this) == suspended()) {
                        return suspended();
                    }
                    // the ping was already there
                case 1:
                    resume(pong.send());
                    return Unit.INSTANCE;
                default:
                    throw badLabel(label);
            }
        }
    }

    /** {@code { if (remaining == 0) countdown.countDown() else GlobalScope.launch(Dispatchers.Default) { ChainLink(remaining - 1) } }}. */
    static final class ChainLink extends Body {
        private final int remaining;
        private final Countdown countdown;

        ChainLink(int remaining, Countdown countdown, Continuation<Object> completion) {
            super(completion);
            this.remaining = remaining;
            this.countdown = countdown;
        }

        @Override
        Body bind(Continuation<Object> completion) {
            return new ChainLink(remaining, countdown, completion);
        }

        @Override
        protected Object invokeSuspend(Object result) {
            ResultKt.throwOnFailure(result);
            if (remaining == 0) {
                countdown.countDown();
            } else {
                launch(new ChainLink(remaining - 1, countdown, null));
            }
            return Unit.INSTANCE;
        }
    }

    /** {@code { if (!never.isSent()) { await(never) } }}, counting itself once registered. */
    static final class WaitingOn extends Body {
        private final OneShot never;

        WaitingOn(OneShot never, Continuation<Object> completion) {
            super(completion);
            this.never = never;
        }

        @Override
        Body bind(Continuation<Object> completion) {
            return new WaitingOn(never, completion);
        }

        @Override
        protected Object invokeSuspend(Object result) {
            ResultKt.throwOnFailure(result);
            switch (label) {
                case 0:
                    label = 1;
                    Object outcome = never.isSent() ? Unit.INSTANCE : await(never, this);
                    IdleTasks.started();
                    if (outcome == suspended()) {
                        return suspended();
                    }
                    // sent: done
                case 1:
                    return Unit.INSTANCE;
                default:
                    throw badLabel(label);
            }
        }
    }

    /** {@code { awaitCancellation() }}, counting itself first. */
    static final class AwaitingCancellation extends Body {
        AwaitingCancellation(Continuation<Object> completion) {
            super(completion);
        }

        @Override
        Body bind(Continuation<Object> completion) {
            return new AwaitingCancellation(completion);
        }

        @Override
        protected Object invokeSuspend(Object result) {
            ResultKt.throwOnFailure(result);
            switch (label) {
                case 0:
                    label = 1;
                    IdleTasks.started();
                    return DelayKt.awaitCancellation(this); // suspends until cancelled; a resume throws above
                default:
                    throw badLabel(label);
            }
        }
    }
}
