/**
 * Asynchronous networking on the runtime's I/O driver: {@link io.asyncruntime.net.TcpListener},
 * {@link io.asyncruntime.net.TcpStream}, {@link io.asyncruntime.net.UdpSocket}, and a
 * {@link io.asyncruntime.net.FrameReader} for line- and length-framed protocols.
 *
 * <p>Every operation is a lazy {@link io.asyncruntime.task.Task}: it runs when spawned or awaited
 * on a runtime built with I/O (the default), on non-blocking channels that the runtime's selector
 * watches; no thread ever blocks on a socket. Cancelling an operation (dropping it from a
 * {@code race}, a {@code timeout}, or aborting its task) withdraws its interest and loses nothing:
 * a cancelled read consumed no bytes, a cancelled accept took no connection, a cancelled connect
 * closed its socket. Errors are {@link java.io.IOException}s of the JDK's kinds
 * ({@link java.net.ConnectException}, {@link java.net.BindException},
 * {@link java.net.SocketException}, {@link java.nio.channels.ClosedChannelException}) whose
 * messages name the operation and the address. When the runtime shuts down, every socket it
 * watches is closed and every operation waiting on one ends.
 */
package io.asyncruntime.net;
