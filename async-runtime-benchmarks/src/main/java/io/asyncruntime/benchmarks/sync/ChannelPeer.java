package io.asyncruntime.benchmarks.sync;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One implementation of the channel workload: move {@code messages} messages from
 * {@code producers} producers to one consumer through a channel of {@code capacity}, and return
 * how many the consumer received. Each is set up as its own experts would:
 * <ul>
 *   <li>{@code asyncruntime}: {@code Channel.bounded}, producers and consumer are leaf tasks on a
 *       2-worker runtime that {@code send} and {@code recv} one message at a time;</li>
 *   <li>{@code abq}, {@code lbq}: {@code ArrayBlockingQueue} / {@code LinkedBlockingQueue}
 *       ({@code put} / {@code take}) between platform threads;</li>
 *   <li>{@code jctools}: JCTools' {@code MpscArrayQueue} with a consumer that spins briefly, then
 *       parks, and producers that unpark it (and yield while the queue is full): its usual
 *       blocking wrapper;</li>
 *   <li>{@code kotlin}: {@code kotlinx.coroutines.channels.Channel(capacity)} between real
 *       coroutines on {@code Dispatchers.Default} capped at 2 threads.</li>
 * </ul>
 */
interface ChannelPeer extends AutoCloseable {

    /** The message every implementation sends: one constant object, so nobody pays for boxing. */
    Object MESSAGE = "message";

    /** Moves the messages; returns how many the consumer received. */
    long transfer(int producers, int messages, int capacity) throws Exception;

    @Override
    void close() throws Exception;

    static ChannelPeer start(String id) {
        switch (id) {
            case "asyncruntime":
                return new AsyncRuntimeChannel();
            case "abq":
                return new ThreadQueueChannel(ArrayBlockingQueue::new);
            case "lbq":
                return new ThreadQueueChannel(LinkedBlockingQueue::new);
            case "jctools":
                return new JcToolsChannel();
            case "kotlin":
                return new KotlinChannel();
            default:
                throw new IllegalArgumentException("unknown channel peer " + id
                        + "; expected asyncruntime, abq, lbq, jctools or kotlin");
        }
    }
}
