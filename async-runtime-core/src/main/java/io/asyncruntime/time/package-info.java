/**
 * Time for tasks: {@link io.asyncruntime.time.Time#sleep sleep},
 * {@link io.asyncruntime.time.Time#sleepUntil sleepUntil},
 * {@link io.asyncruntime.time.Time#timeout timeout}, {@link io.asyncruntime.time.Interval} with
 * {@link io.asyncruntime.time.MissedTickBehavior}, and the {@link io.asyncruntime.time.Clock}
 * they run on, including the paused {@link io.asyncruntime.time.TestClock}.
 *
 * <p>Timers live on a hierarchical timing wheel driven by the worker that parks; there is no
 * timer thread.
 */
package io.asyncruntime.time;
