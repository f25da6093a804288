/**
 * The I/O driver: {@link io.asyncruntime.internal.io.SelectorDriver} (one
 * {@code java.nio.channels.Selector} per runtime, turned by the worker that parks with the
 * driver, under the time driver) and its per-channel
 * {@link io.asyncruntime.internal.io.SelectorRegistration}s. {@code io.asyncruntime.net} sees
 * only the {@link io.asyncruntime.internal.io.IoDriver} and
 * {@link io.asyncruntime.internal.io.IoRegistration} interfaces, so a native driver could
 * replace the selector. Not an API.
 */
package io.asyncruntime.internal.io;
