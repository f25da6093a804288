package io.asyncruntime.sync;

/**
 * Where a {@link Channel} keeps its messages: many producers, one consumer, no locks.
 *
 * <p>Positions are numbered by the ticket of the channel's {@link BatchSemaphore}: a producer
 * takes room for a message and claims its position in one CAS (or claims the position later for
 * room it already holds), then writes the message there with a release store. The consumer gives
 * the room back after it took the message, so a queue never holds more messages than the channel's
 * capacity. The consumer sees messages in position order; a claimed position not yet written reads
 * as "nothing yet", and the channel tells that apart from "empty" by comparing the next ticket with
 * {@link #head()}. Positions are 32-bit and wrap. Messages are never null: null marks an empty
 * position.
 */
abstract class MessageQueue<T> {

    /**
     * What a producer reads before it claims its ticket and passes to {@link #write} (the linked
     * queue's tail block; nothing for the ring).
     */
    abstract Object hintBeforeClaim();

    /**
     * Writes {@code message} (not null) at the claimed position {@code ticket}; {@code hint} is
     * what {@link #hintBeforeClaim()} returned before the ticket was claimed. Any thread, once per
     * ticket.
     */
    abstract void write(Object hint, int ticket, T message);

    /** The message at the head, or null if it is not there (yet). Consumer only. */
    abstract T peek();

    /** Removes the message {@link #peek} just returned. Consumer only. */
    abstract void take();

    /** The position of the head: the next ticket the consumer will read. Consumer only. */
    abstract int head();
}
