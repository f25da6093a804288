/**
 * Synchronization primitives for tasks: they make a task wait without blocking a thread, and they
 * apply backpressure.
 *
 * <ul>
 *   <li>{@link io.asyncruntime.sync.Channel}: multi-producer, single-consumer, bounded (senders wait
 *       while it is full) or unbounded; {@link io.asyncruntime.sync.Oneshot} for one value
 *       (request/reply); {@link io.asyncruntime.sync.Broadcast}: every receiver gets every value;
 *       {@link io.asyncruntime.sync.Watch}: the latest value, versioned.</li>
 *   <li>{@link io.asyncruntime.sync.Semaphore} (fair), {@link io.asyncruntime.sync.Mutex},
 *       {@link io.asyncruntime.sync.RwLock} (writers not starved), all on one fair batch
 *       semaphore; {@link io.asyncruntime.sync.Notify}; {@link io.asyncruntime.sync.Barrier}.</li>
 *   <li>{@link io.asyncruntime.sync.RateLimiter}: a token bucket on the timing wheel, the entry of
 *       the backpressure stack (rate limit, then a semaphore, then a timeout).</li>
 * </ul>
 *
 * <p>Rules every primitive here keeps (Tokio's {@code sync} module keeps the same ones):
 * <ul>
 *   <li><b>Cancellation is dropping.</b> A task's {@code cancel()} (the loser of a {@code select},
 *       a {@code timeout}, an abort) leaves the primitive as if the wait had never started: its
 *       waker is gone from every list, a permit or lock it was handed is passed on, a message is
 *       taken only by the poll that returns it.</li>
 *   <li><b>Nothing blocks a thread.</b> Waiting is a registered waker and a pending poll. Wait
 *       queues are intrusive lists (the waiting task object is the node) guarded by a spin lock
 *       whose critical sections are a few field updates; wakers run after it is released.</li>
 *   <li><b>Every completed operation spends one unit of the cooperative budget</b>
 *       ({@link io.asyncruntime.task.Context#consumeBudget()}); with no budget left it returns
 *       pending without taking anything.</li>
 *   <li><b>No allocation on the fast path beyond the task object</b> the method returns (which is
 *       often also the result: an acquire task is its own permit) and what the API hands out
 *       ({@code Optional}, a list). Wait-queue nodes are the tasks themselves.</li>
 *   <li><b>Bad input fails at once</b> with an exception naming the argument and its range; use
 *       after close fails with {@link io.asyncruntime.sync.ChannelClosedException} or
 *       {@link io.asyncruntime.sync.SemaphoreClosedException}.</li>
 * </ul>
 */
package io.asyncruntime.sync;
