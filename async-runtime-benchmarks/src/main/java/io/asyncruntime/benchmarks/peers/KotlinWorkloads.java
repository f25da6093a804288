package io.asyncruntime.benchmarks.peers;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import kotlin.coroutines.EmptyCoroutineContext;
import kotlinx.coroutines.CoroutineDispatcher;
import kotlinx.coroutines.CoroutineStart;
import kotlinx.coroutines.DelayKt;
import kotlinx.coroutines.Dispatchers;
import kotlinx.coroutines.ExecutorsKt;
import kotlinx.coroutines.GlobalScope;
import kotlinx.coroutines.BuildersKt;

/**
 * Kotlin's {@code Dispatchers.Default} (the {@code CoroutineScheduler}: per-worker rings, a LIFO
 * slot, stealing) used as an {@link Executor} through {@code asExecutor()}.
 *
 * <p>The cap to two workers is the scheduler's own CPU-worker count, the system property
 * {@value #CORE_POOL_SIZE_PROPERTY}, rather than {@code limitedParallelism(2)}: the latter puts a
 * shared FIFO queue in front of the scheduler and measures a different algorithm. The property is
 * read once, when {@code Dispatchers} is initialised, so the JMH forks pass it on the command line
 * and {@link #start} sets it when it is absent.
 *
 * <p>Spawning is {@code dispatch} (what resuming a coroutine does; from a worker it fills the LIFO
 * slot), and yielding is {@code dispatchYield} (what {@code yield()} does: the back of the queue).
 */
final class KotlinWorkloads extends ExecutorWorkloads {

    static final String CORE_POOL_SIZE_PROPERTY = "kotlinx.coroutines.scheduler.core.pool.size";

    private final CoroutineDispatcher dispatcher;
    private final Executor executor;

    private KotlinWorkloads(CoroutineDispatcher dispatcher) {
        super("Kotlin Dispatchers.Default");
        this.dispatcher = dispatcher;
        this.executor = ExecutorsKt.asExecutor(dispatcher);
    }

    static KotlinWorkloads start(int threads) {
        String configured = System.getProperty(CORE_POOL_SIZE_PROPERTY);
        if (configured == null) {
            System.setProperty(CORE_POOL_SIZE_PROPERTY, Integer.toString(threads));
        } else if (!configured.equals(Integer.toString(threads))) {
            throw new IllegalStateException(CORE_POOL_SIZE_PROPERTY + " is " + configured + ", expected " + threads);
        }
        return new KotlinWorkloads(Dispatchers.getDefault());
    }

    @Override
    protected Executor nextHome() {
        return executor;
    }

    @Override
    protected void yieldTo(Executor home, Runnable task) {
        dispatcher.dispatchYield(EmptyCoroutineContext.INSTANCE, task);
    }

    /** A real coroutine, {@code GlobalScope.launch(Dispatchers.Default) { awaitCancellation() }}. */
    @Override
    public Object spawnIdle(LongAdder waiting) {
        return BuildersKt.launch(GlobalScope.INSTANCE, dispatcher, CoroutineStart.DEFAULT, (scope, continuation) -> {
            waiting.increment();
            return DelayKt.awaitCancellation(continuation);
        });
    }

    @Override
    public void close() {
        // Dispatchers.Default is process-wide and is not shut down; its workers are daemons.
    }
}
