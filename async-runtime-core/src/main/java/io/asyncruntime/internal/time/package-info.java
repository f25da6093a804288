/**
 * Timer machinery: the hierarchical {@link io.asyncruntime.internal.time.TimingWheel}, the
 * {@link io.asyncruntime.internal.time.TimerEntry} state word, and the
 * {@link io.asyncruntime.internal.time.TimeDriver} that fires timers from the parked worker.
 * Not an API: only the runtime and {@code io.asyncruntime.time} use it.
 */
package io.asyncruntime.internal.time;
