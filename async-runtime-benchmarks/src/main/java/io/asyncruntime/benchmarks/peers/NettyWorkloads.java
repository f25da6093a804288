package io.asyncruntime.benchmarks.peers;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Netty 4.2 {@code MultiThreadIoEventLoopGroup}. Each loop is one thread with an MPSC task queue
 * and no stealing. Outside spawns go round robin, as {@code group.execute} does. A task spawned
 * inside a loop either stays on that loop, as code using {@code ctx.executor()} does (then the
 * workloads that spawn from one task run on one thread: a floor, not a rival), or, in the
 * {@code spread} variant, goes to the next loop of the group, as Netty spreads channels; a woken
 * task always runs again on its own loop.
 */
final class NettyWorkloads extends ExecutorWorkloads {

    private final MultiThreadIoEventLoopGroup group;
    private final Home[] homes;
    private final AtomicInteger nextHome = new AtomicInteger();

    private NettyWorkloads(String name, int threads, IoHandlerFactory handler, boolean spread) {
        super(name);
        group = new MultiThreadIoEventLoopGroup(threads, handler);
        List<Home> loops = new ArrayList<>();
        for (EventExecutor loop : group) {
            loops.add(new Home(loop));
        }
        homes = loops.toArray(new Home[0]);
        if (spread) {
            Home.spread(homes);
        }
    }

    static NettyWorkloads nio(int threads) {
        return new NettyWorkloads("Netty NIO", threads, NioIoHandler.newFactory(), false);
    }

    static NettyWorkloads epoll(int threads, boolean spread) {
        return new NettyWorkloads(spread ? "Netty epoll, spread" : "Netty epoll", threads, EpollIoHandler.newFactory(), spread);
    }

    /** The group's own round robin ({@code group.next()}), over the homes of its loops. */
    @Override
    protected Home nextHome() {
        return homes[Math.floorMod(nextHome.getAndIncrement(), homes.length)];
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        Shutdown.await(group::awaitTermination, "Netty event loop group");
    }
}
