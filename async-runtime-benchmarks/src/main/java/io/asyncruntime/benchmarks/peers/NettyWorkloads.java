package io.asyncruntime.benchmarks.peers;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A Netty 4.2 {@code MultiThreadIoEventLoopGroup}. Each loop is one thread with an MPSC task queue
 * and no stealing: a task spawned inside a loop stays on that loop, as code using
 * {@code ctx.executor()} does; outside spawns go round robin, as {@code group.execute} does.
 */
final class NettyWorkloads extends ExecutorWorkloads {

    private final MultiThreadIoEventLoopGroup group;

    private NettyWorkloads(String name, int threads, IoHandlerFactory handler) {
        super(name);
        group = new MultiThreadIoEventLoopGroup(threads, handler);
    }

    static NettyWorkloads nio(int threads) {
        return new NettyWorkloads("Netty NIO", threads, NioIoHandler.newFactory());
    }

    static NettyWorkloads epoll(int threads) {
        return new NettyWorkloads("Netty epoll", threads, EpollIoHandler.newFactory());
    }

    @Override
    protected Executor nextHome() {
        return group.next();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        Shutdown.await(group::awaitTermination, "Netty event loop group");
    }
}
