package io.asyncruntime.benchmarks.net;

import io.asyncruntime.benchmarks.Implementation;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2, as its own examples write an echo: one {@code MultiThreadIoEventLoopGroup} of
 * {@link Implementation#WORKER_THREADS} loops (NIO or native epoll) serving both the server and
 * the clients, the canonical {@code EchoServerHandler} (write on read, flush on read-complete),
 * pooled buffers and {@code TCP_NODELAY} (Netty's defaults). Buffers come from Netty's default
 * allocator (4.2: the pooled adaptive allocator, direct buffers); the benchmark's fork keeps
 * Netty's {@code Unsafe} access on with {@code -Dio.netty.noUnsafe=false}, as Netty advises for
 * JDK 24+, where it is otherwise off by default and direct buffers lose their eager release.
 * {@link #describe()} reports what the allocator actually hands out.
 */
final class NettyEcho implements EchoWorkload {

    private final EventLoopGroup group;
    private final Channel server;
    private final List<Channel> clients = new ArrayList<>();
    private final List<EchoClient> handlers = new ArrayList<>();
    /** The server's accepted channels, for {@link #pairsOnOneLoop()}. */
    private final List<Channel> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();

    NettyEcho(boolean epoll, int connections, int messageSize) throws InterruptedException {
        this(epoll, connections, messageSize, null);
    }

    /**
     * With {@code bothEndsOnOneLoop} null, Netty's own placement (the benchmark's peer). True or
     * false is a diagnostic only ({@link RunEcho}'s {@code netty_nio_paired} / {@code
     * netty_nio_split}): client {@code i} is registered on loop {@code i % loops} and reconnected
     * until its accepted channel's loop (Netty's round-robin) is the same one, or the other one.
     */
    NettyEcho(boolean epoll, int connections, int messageSize, Boolean bothEndsOnOneLoop) throws InterruptedException {
        this.group = new MultiThreadIoEventLoopGroup(Implementation.WORKER_THREADS,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends Channel> clientChannel = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.server = new ServerBootstrap()
                .group(group)
                .channel(serverChannel)
                .option(ChannelOption.SO_BACKLOG, connections)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                        ch.pipeline().addLast(EchoServer.INSTANCE);
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        byte[] message = new byte[messageSize];
        List<EventLoopGroup> loops = new ArrayList<>();
        group.forEach(loop -> loops.add((EventLoopGroup) loop));
        for (int i = 0; i < connections; i++) {
            for (int attempt = 0; ; attempt++) {
                EchoClient handler = new EchoClient(message);
                Channel client = new Bootstrap()
                        .group(bothEndsOnOneLoop == null ? group : loops.get(i % loops.size()))
                        .channel(clientChannel)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .handler(handler)
                        .connect(server.localAddress()).sync().channel();
                if (bothEndsOnOneLoop == null || attempt == 8
                        || (acceptedEnd(client).eventLoop() == client.eventLoop()) == bothEndsOnOneLoop) {
                    clients.add(client);
                    handlers.add(handler);
                    break;
                }
                client.close().sync();                           // the next accept takes the next loop
            }
        }
    }

    /** The server's channel for {@code client}'s connection, once the server has accepted it. */
    private Channel acceptedEnd(Channel client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (Channel child : accepted) {
                if (client.localAddress().equals(child.remoteAddress())) {
                    return child;
                }
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("the server did not accept " + client.localAddress() + " within 5 s");
    }

    @Override
    public void run(int roundTrips, long[][] latencies) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(clients.size());
        for (int c = 0; c < clients.size(); c++) {
            EchoClient handler = handlers.get(c);
            long[] mine = latencies[c];
            clients.get(c).eventLoop().execute(() -> handler.start(roundTrips, mine, done));
        }
        if (!done.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("Netty echo batch did not finish within 5 minutes");
        }
    }

    /** The allocator in use and whether its socket buffers are pooled and direct, for the diagnostics line. */
    static String describe() {
        ByteBuf sample = ByteBufAllocator.DEFAULT.ioBuffer(64);
        try {
            return "allocator=" + ByteBufAllocator.DEFAULT.getClass().getSimpleName()
                    + " directPooled=" + ByteBufAllocator.DEFAULT.isDirectBufferPooled()
                    + " ioBufferDirect=" + sample.isDirect();
        } finally {
            sample.release();
        }
    }

    /**
     * How many connections have both ends (the client channel and the server's accepted channel)
     * on one event loop. Netty picks a loop per channel round-robin, for client and accepted
     * channels alike, so this depends on how the connects and accepts interleave in a fork: with
     * both ends on one loop a round trip never leaves that thread (for the diagnostics line).
     */
    String pairsOnOneLoop() {
        int same = 0;
        for (Channel client : clients) {
            for (Channel child : accepted) {
                if (child.remoteAddress() != null && child.remoteAddress().equals(client.localAddress())) {
                    if (child.eventLoop() == client.eventLoop()) {
                        same++;
                    }
                    break;
                }
            }
        }
        return "pairsOnOneLoop=" + same + "/" + clients.size();
    }

    @Override
    public void close() {
        for (Channel client : clients) {
            client.close().syncUninterruptibly();
        }
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Netty's example echo server handler. */
    @ChannelHandler.Sharable
    static final class EchoServer extends ChannelInboundHandlerAdapter {
        static final EchoServer INSTANCE = new EchoServer();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** One client connection: sends a message, waits for all of its echo, repeats. Event-loop-confined. */
    static final class EchoClient extends ChannelInboundHandlerAdapter {
        private final byte[] message;
        private ChannelHandlerContext ctx;
        private long[] latencies;
        private CountDownLatch done;
        private int count;
        private int next;
        private int received;
        private long start;

        EchoClient(byte[] message) {
            this.message = message;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void start(int roundTrips, long[] latencies, CountDownLatch done) {
            this.latencies = latencies;
            this.done = done;
            this.count = roundTrips;
            this.next = 0;
            send();
        }

        private void send() {
            start = System.nanoTime();
            ctx.writeAndFlush(ctx.alloc().buffer(message.length).writeBytes(message));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            received += buf.readableBytes();
            buf.release();
            if (received < message.length) {
                return;
            }
            received -= message.length;
            latencies[next++] = System.nanoTime() - start;
            if (next == count) {
                done.countDown();
            } else {
                send();
            }
        }
    }
}
