package io.asyncruntime.benchmarks.net;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.benchmarks.Implementation;
import io.asyncruntime.net.TcpListener;
import io.asyncruntime.net.TcpStream;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Heap per idle TCP connection: open N connections whose both ends live in this process on one
 * implementation, each end waiting to read (this runtime: a task with a pending {@code read} into
 * a 64-byte buffer; Netty: a channel with a handler, its buffers allocated only when data comes;
 * virtual threads: a virtual thread blocked in {@code read} on a 64-byte array), and divide the
 * growth of the heap after a full GC by N. "Per connection" counts both ends and everything the
 * implementation keeps for them (JDK socket channels, selection keys, tasks, pipelines).
 *
 * <p>Run it in a fresh JVM per implementation with a fixed heap, as the idle-task footprint:
 * {@code java -XX:+UseG1GC -Xms2g -Xmx2g -cp … ConnectionFootprint <impl> <connections>}; prints
 * {@code connection_footprint impl=<impl> connections=<n> bytesPerConnection=<b>}.
 */
public final class ConnectionFootprint {

    private static final int WARM_UP = 200;
    private static final int GC_ROUNDS = 3;
    private static final int READ_BUFFER = 64;

    private ConnectionFootprint() {
    }

    /** One implementation's connections: both ends, all idle. */
    interface Connections extends AutoCloseable {
        /** Opens {@code n} more idle connections and returns what keeps them reachable. */
        Object open(int n) throws Exception;

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ConnectionFootprint <asyncruntime|netty_nio|netty_epoll|virtual> <connections>");
            System.exit(2);
        }
        Implementation implementation = Implementation.byId(args[0]);
        int count = Integer.parseInt(args[1]);
        try (Connections connections = start(implementation)) {
            Object warmUp = connections.open(WARM_UP);
            long before = usedHeapAfterGc();
            Object measured = connections.open(count);
            long after = usedHeapAfterGc();
            Reference.reachabilityFence(warmUp);
            Reference.reachabilityFence(measured);
            System.out.printf(Locale.ROOT, "connection_footprint impl=%s connections=%d bytesPerConnection=%.0f%n",
                    implementation.id, count, (after - before) / (double) count);
        }
        System.exit(0);
    }

    private static Connections start(Implementation implementation) throws Exception {
        switch (implementation) {
            case ASYNC_RUNTIME:
                return new Ours();
            case NETTY_NIO:
                return new Netty(false);
            case NETTY_EPOLL:
                return new Netty(true);
            case VIRTUAL_THREADS:
                return new Virtual();
            default:
                throw new UnsupportedOperationException("no connection footprint for " + implementation.id);
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < GC_ROUNDS; i++) {
            System.gc();
        }
        Thread.sleep(200);
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Waits until {@code counter} reaches {@code expected} (the far ends have been set up). */
    private static void await(AtomicInteger counter, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (counter.get() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + counter.get() + " of " + expected + " connections were set up");
            }
            Thread.sleep(1);
        }
        Thread.sleep(100);                                        // let the last reads reach their wait
    }

    /** This runtime: a task per end, each with a pending read. */
    private static final class Ours implements Connections {
        private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(Implementation.WORKER_THREADS).build();
        private final TcpListener listener = runtime.blockOn(
                TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096));
        private final AtomicInteger accepted = new AtomicInteger();

        Ours() {
            // The driver keeps each end reachable: its registration holds the waiting task's waker.
            runtime.spawn(io.asyncruntime.task.Task.<Void, Void>loop(null, ignored -> listener.accept().map(stream -> {
                AsyncRuntime.current().spawn(stream.read(ByteBuffer.allocate(READ_BUFFER)));
                accepted.incrementAndGet();
                return io.asyncruntime.task.Step.next(null);
            })));
        }

        @Override
        public Object open(int n) throws Exception {
            List<Object> clients = new ArrayList<>();
            int target = accepted.get() + n;
            for (int i = 0; i < n; i++) {
                TcpStream client = runtime.blockOn(TcpStream.connect(listener.localAddress()));
                clients.add(client);
                runtime.spawn(client.read(ByteBuffer.allocate(READ_BUFFER)));
            }
            await(accepted, target);
            return clients;
        }

        @Override
        public void close() {
            runtime.close();
        }
    }

    /** Netty: channels with a do-nothing inbound handler on both ends, two event loops. */
    private static final class Netty implements Connections {
        private final EventLoopGroup group;
        private final Channel server;
        private final Bootstrap client;
        private final AtomicInteger accepted = new AtomicInteger();

        Netty(boolean epoll) throws InterruptedException {
            group = new MultiThreadIoEventLoopGroup(Implementation.WORKER_THREADS,
                    epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            server = new ServerBootstrap().group(group)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter());
                            accepted.incrementAndGet();
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            client = new Bootstrap().group(group)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter());
                        }
                    });
        }

        @Override
        public Object open(int n) throws Exception {
            List<Channel> clients = new ArrayList<>();
            int target = accepted.get() + n;
            for (int i = 0; i < n; i++) {
                clients.add(client.connect(server.localAddress()).sync().channel());
            }
            await(accepted, target);
            return clients;
        }

        @Override
        public void close() {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Virtual threads (JDK 21+): a virtual thread blocked in read on each end. */
    private static final class Virtual implements Connections {
        private static final MethodHandle START = findStart();
        private final ServerSocket server;
        private final AtomicInteger accepted = new AtomicInteger();
        private final List<Socket> keep = new ArrayList<>();

        Virtual() throws IOException {
            String reason = Implementation.VIRTUAL_THREADS.unavailableReason();
            if (reason != null) {
                throw new UnsupportedOperationException(reason);
            }
            server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
            start(() -> {
                while (true) {
                    Socket s;
                    try {
                        s = server.accept();
                    } catch (IOException closed) {
                        return;
                    }
                    synchronized (keep) {
                        keep.add(s);
                    }
                    start(() -> readForever(s));
                    accepted.incrementAndGet();
                }
            });
        }

        private static MethodHandle findStart() {
            try {
                return MethodHandles.publicLookup().findStatic(Thread.class, "startVirtualThread",
                        MethodType.methodType(Thread.class, Runnable.class));
            } catch (ReflectiveOperationException e) {
                return null;
            }
        }

        private static void start(Runnable body) {
            try {
                Thread ignored = (Thread) START.invokeExact(body);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        private static void readForever(Socket socket) {
            try {
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[READ_BUFFER];
                while (in.read(buffer) >= 0) {
                    // idle: nothing comes
                }
            } catch (IOException closed) {
                // end of the run
            }
        }

        @Override
        public Object open(int n) throws Exception {
            List<Socket> clients = new ArrayList<>();
            int target = accepted.get() + n;
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                s.connect(server.getLocalSocketAddress());
                clients.add(s);
                start(() -> readForever(s));
            }
            await(accepted, target);
            return clients;
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // exiting
            }
        }
    }
}
