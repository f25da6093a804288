package io.asyncruntime.benchmarks.sync;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import kotlin.ResultKt;
import kotlin.Unit;
import kotlin.coroutines.Continuation;
import kotlin.coroutines.intrinsics.IntrinsicsKt;
import kotlin.coroutines.jvm.internal.ContinuationImpl;
import kotlinx.coroutines.BuildersKt;
import kotlinx.coroutines.CoroutineDispatcher;
import kotlinx.coroutines.CoroutineStart;
import kotlinx.coroutines.Dispatchers;
import kotlinx.coroutines.GlobalScope;
import kotlinx.coroutines.channels.BufferOverflow;
import kotlinx.coroutines.channels.Channel;
import kotlinx.coroutines.channels.ChannelKt;

/**
 * {@code kotlinx.coroutines.channels.Channel(capacity)} between real coroutines launched on
 * {@code Dispatchers.Default} (capped at 2 threads by the fork's
 * {@code kotlinx.coroutines.scheduler.core.pool.size}).
 *
 * <p>The coroutine bodies are the state machines the Kotlin compiler generates for
 * {@code repeat(n) { channel.send(m) }} and {@code repeat(n) { channel.receive() }}: a
 * {@link ContinuationImpl} whose {@code invokeSuspend} loops until a call returns
 * {@code COROUTINE_SUSPENDED} and resumes there when the channel resumes it (through the
 * dispatcher, as compiled code is). Written by hand because this module has no Kotlin compiler.
 */
final class KotlinChannel implements ChannelPeer {

    private final CoroutineDispatcher dispatcher = Dispatchers.getDefault();

    @Override
    public long transfer(int producers, int messages, int capacity) throws Exception {
        Channel<Object> channel = ChannelKt.Channel(capacity, BufferOverflow.SUSPEND, null);
        int each = messages / producers;
        long total = (long) each * producers;
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong received = new AtomicLong();
        for (int p = 0; p < producers; p++) {
            BuildersKt.launch(GlobalScope.INSTANCE, dispatcher, CoroutineStart.DEFAULT,
                    (scope, completion) -> new SendLoop(channel, each, completion).invokeSuspend(Unit.INSTANCE));
        }
        BuildersKt.launch(GlobalScope.INSTANCE, dispatcher, CoroutineStart.DEFAULT,
                (scope, completion) -> new ReceiveLoop(channel, total, received, done, completion).invokeSuspend(Unit.INSTANCE));
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("kotlin channel: " + received.get() + " of " + total + " received in 60 s");
        }
        return received.get();
    }

    @Override
    public void close() {
        // Dispatchers.Default is process-wide and is not shut down; its workers are daemons.
    }

    @SuppressWarnings("unchecked")
    private static Continuation<Object> erase(Continuation<?> completion) {
        return (Continuation<Object>) completion;
    }

    /** {@code repeat(count) { channel.send(MESSAGE) }}. */
    private static final class SendLoop extends ContinuationImpl {
        private final Channel<Object> channel;
        private int left;

        SendLoop(Channel<Object> channel, int count, Continuation<?> completion) {
            super(erase(completion));
            this.channel = channel;
            this.left = count;
        }

        @Override
        protected Object invokeSuspend(Object result) {
            ResultKt.throwOnFailure(result); // a resumed send completed, or failed
            while (left > 0) {
                left--; // before the call, as compiled code sets its label (see ReceiveLoop)
                Object sent = channel.send(MESSAGE, this);
                if (sent == IntrinsicsKt.getCOROUTINE_SUSPENDED()) {
                    return sent;
                }
            }
            return Unit.INSTANCE;
        }
    }

    /** {@code repeat(count) { channel.receive() }}, then signals the benchmark thread. */
    private static final class ReceiveLoop extends ContinuationImpl {
        private final Channel<Object> channel;
        private final long count;
        private final AtomicLong received;
        private final CountDownLatch done;
        private long got;
        private boolean suspended;

        ReceiveLoop(Channel<Object> channel, long count, AtomicLong received, CountDownLatch done, Continuation<?> completion) {
            super(erase(completion));
            this.channel = channel;
            this.count = count;
            this.received = received;
            this.done = done;
        }

        @Override
        protected Object invokeSuspend(Object result) {
            ResultKt.throwOnFailure(result);
            if (suspended) {
                suspended = false; // resumed with the element a suspended receive got
                got++;
            }
            while (got < count) {
                // As compiled code sets its label: before the call, since the channel may resume
                // this continuation on another thread before receive() returns here.
                suspended = true;
                Object element = channel.receive(this);
                if (element == IntrinsicsKt.getCOROUTINE_SUSPENDED()) {
                    return element;
                }
                suspended = false;
                got++;
            }
            received.set(got);
            done.countDown();
            return Unit.INSTANCE;
        }
    }
}
