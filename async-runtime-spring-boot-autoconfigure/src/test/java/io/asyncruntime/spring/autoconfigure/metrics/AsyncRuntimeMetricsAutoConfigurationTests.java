package io.asyncruntime.spring.autoconfigure.metrics;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.BlockingPool;
import io.asyncruntime.net.TcpListener;
import io.asyncruntime.net.TcpStream;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeBuilderCustomizer;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeBlockingPools;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link AsyncRuntimeMetricsAutoConfiguration} and {@link AsyncRuntimeMeterBinder}.
 */
class AsyncRuntimeMetricsAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
                AsyncRuntimeMetricsAutoConfiguration.class, MetricsAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
        .withPropertyValues("async.runtime.worker-threads=2");

    @Test
    void metersAreBoundToTheRegistry() {
        this.contextRunner.run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("asyncruntime.workers").gauge().value()).isEqualTo(2.0);
            assertThat(registry.get("asyncruntime.tasks.alive").gauge()).isNotNull();
            assertThat(registry.get("asyncruntime.queue.inject.depth").gauge()).isNotNull();
            assertThat(registry.get("asyncruntime.timers.active").gauge().value()).isZero();
            for (String counter : new String[] { "tasks.spawned", "tasks.completed", "tasks.remote.spawned",
                    "timers.fired", "timers.cancelled", "timers.wakeups", "stalls", "block.in.place" }) {
                assertThat(registry.get("asyncruntime." + counter).functionCounter().count()).isNotNegative();
            }
            for (String counter : new String[] { "polls", "steals", "steal.operations", "parks",
                    "queue.local.overflows", "lifo.hits", "queue.local.schedules", "queue.inject.pops",
                    "budget.forced.yields", "worker.busy" }) {
                assertThat(registry.get("asyncruntime." + counter).functionCounters()).hasSize(2)
                    .allMatch((meter) -> meter.count() >= 0);
            }
            assertThat(registry.get("asyncruntime.queue.local.depth").gauges()).hasSize(6);
        });
    }

    @Test
    void countersFollowTheRuntime() {
        this.contextRunner.run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            double spawnedBefore = registry.get("asyncruntime.tasks.spawned").functionCounter().count();
            double completedBefore = registry.get("asyncruntime.tasks.completed").functionCounter().count();
            Callable<Integer> task = () -> 42;
            for (int i = 0; i < 10; i++) {
                assertThat(runtime.spawn(task).get(10, TimeUnit.SECONDS)).isEqualTo(42);
            }
            assertThat(registry.get("asyncruntime.tasks.spawned").functionCounter().count())
                .isEqualTo(spawnedBefore + 10);
            // A handle completes before its task is counted as completed: wait for the counter.
            await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(registry.get("asyncruntime.tasks.completed").functionCounter().count())
                    .isGreaterThanOrEqualTo(completedBefore + 10));
        });
    }

    @Test
    void metersCanBeReadAfterTheRuntimeShutDown() {
        this.contextRunner.run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            context.getBean(AsyncRuntime.class).close();
            // Registries publish once more while the context closes, after the runtime stopped.
            assertThat(registry.get("asyncruntime.workers").gauge().value()).isEqualTo(2.0);
            assertThat(registry.get("asyncruntime.polls").functionCounters()).allMatch((meter) -> meter.count() >= 0);
        });
    }

    @Test
    void noBinderWithoutMicrometer() {
        runtimeOnly().withClassLoader(new FilteredClassLoader(MeterRegistry.class))
            .run((context) -> assertThat(context).hasSingleBean(AsyncRuntime.class)
                .doesNotHaveBean("asyncRuntimeMeterBinder"));
    }

    @Test
    void noBinderWithoutAMeterRegistry() {
        runtimeOnly().run((context) -> assertThat(context).hasSingleBean(AsyncRuntime.class)
            .doesNotHaveBean("asyncRuntimeMeterBinder"));
    }

    @Test
    void noBinderWithoutARuntime() {
        this.contextRunner.withPropertyValues("async.runtime.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean("asyncRuntimeMeterBinder"));
    }

    @Test
    void blockingPoolsAreMeasuredByPool() {
        this.contextRunner.withPropertyValues("async.runtime.max-blocking-threads=6",
                "async.runtime.blocking.pools.jdbc.max-threads=3", "async.runtime.blocking.pools.jdbc.queue-capacity=0")
            .run((context) -> {
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                assertThat(registry.get("asyncruntime.blocking.threads.max").tag("pool", "default").gauge().value())
                    .isEqualTo(6.0);
                assertThat(registry.get("asyncruntime.blocking.threads.max").tag("pool", "jdbc").gauge().value())
                    .isEqualTo(3.0);
                assertThat(registry.get("asyncruntime.blocking.queue.capacity").tag("pool", "jdbc").gauge().value())
                    .isZero();
                BlockingPool jdbc = context.getBean(AsyncRuntimeBlockingPools.class).get("jdbc");
                jdbc.spawnBlocking(() -> 1).get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(registry.get("asyncruntime.blocking.completed").tag("pool", "jdbc")
                        .functionCounter()
                        .count()).isEqualTo(1.0));
            });
    }

    @Test
    void ioMetersFollowTheDriver() {
        this.contextRunner.run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            double registrationsBefore = registry.get("asyncruntime.io.registrations").functionCounter().count();
            double readyBefore = registry.get("asyncruntime.io.ready.events").functionCounter().count();
            try (TcpListener listener = runtime
                .blockOn(TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
                    Socket client = new Socket()) {
                client.connect(listener.localAddress(), 10_000);
                try (TcpStream accepted = runtime.blockOn(listener.accept())) {
                    // The read waits for a byte that is written only once the read is pending (its
                    // would-block put OP_READ back into the key: a rearm), so the selector must
                    // report it ready. Written earlier, the read could succeed without a ready event.
                    double rearmsBefore = registry.get("asyncruntime.io.rearms").functionCounter().count();
                    ByteBuffer buffer = ByteBuffer.allocate(1);
                    JoinHandle<Integer> read = runtime.spawn(accepted.read(buffer));
                    await().atMost(Duration.ofSeconds(10))
                        .until(() -> registry.get("asyncruntime.io.rearms").functionCounter().count() > rearmsBefore);
                    OutputStream out = client.getOutputStream();
                    out.write(7);
                    out.flush();
                    assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(1);
                    assertThat(registry.get("asyncruntime.io.registrations").functionCounter().count())
                        .isGreaterThanOrEqualTo(registrationsBefore + 2);
                    assertThat(registry.get("asyncruntime.io.registrations.open").gauge().value())
                        .isGreaterThanOrEqualTo(2.0);
                    assertThat(registry.get("asyncruntime.io.ready.events").functionCounter().count())
                        .isGreaterThan(readyBefore);
                    assertThat(registry.get("asyncruntime.io.driver.turns").functionCounter().count()).isPositive();
                    for (String counter : new String[] { "io.driver.blocking.turns", "io.wakeups", "io.rearms",
                            "io.disarms" }) {
                        assertThat(registry.get("asyncruntime." + counter).functionCounter().count()).isNotNegative();
                    }
                }
            }
            await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(registry.get("asyncruntime.io.registrations.open").gauge().value())
                    .isZero());
        });
    }

    @Test
    void noIoMetersForARuntimeWithoutIo() {
        this.contextRunner
            .withBean(AsyncRuntimeBuilderCustomizer.class, () -> (builder) -> builder.enableIo(false))
            .run((context) -> {
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                assertThat(registry.get("asyncruntime.workers").gauge().value()).isEqualTo(2.0);
                assertThat(registry.find("asyncruntime.io.registrations").functionCounter()).isNull();
                assertThat(registry.find("asyncruntime.io.registrations.open").gauge()).isNull();
            });
    }

    @Test
    void pollTimeAndScheduleLatencyTimersAreFedBySampledPolls() {
        this.contextRunner.withPropertyValues("async.runtime.metrics.poll-sampling-interval=1").run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            // Each worker re-reads the interval within 4096 polls: keep both busy until samples arrive.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JoinHandle<?>[] loops = new JoinHandle<?>[2];
                for (int i = 0; i < loops.length; i++) {
                    loops[i] = runtime.spawn(io.asyncruntime.task.Task.loop(0, (n) -> (n == 3000)
                            ? io.asyncruntime.task.Task.completed(io.asyncruntime.task.Step.done(n))
                            : io.asyncruntime.task.Task.yieldNow().map((v) -> io.asyncruntime.task.Step.next(n + 1))));
                }
                for (JoinHandle<?> loop : loops) {
                    loop.get(10, TimeUnit.SECONDS);
                }
                assertThat(registry.get("asyncruntime.poll.time").tag("runtime", "asyncRuntime").timer().count())
                    .isGreaterThan(100);
                assertThat(registry.get("asyncruntime.schedule.latency").timer().count()).isGreaterThan(0);
            });
            assertThat(registry.get("asyncruntime.poll.time").timer().max(TimeUnit.NANOSECONDS)).isPositive();
        });
    }

    @Test
    void pollSamplingOffLeavesTheTimersOut() {
        this.contextRunner.withPropertyValues("async.runtime.metrics.poll-sampling-interval=0").run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.find("asyncruntime.poll.time").timer()).isNull();
            assertThat(registry.find("asyncruntime.schedule.latency").timer()).isNull();
            assertThat(registry.get("asyncruntime.workers").gauge()).isNotNull();
        });
    }

    @Test
    void aPollSamplingIntervalOutOfRangeFailsNamingTheProperty() {
        this.contextRunner.withPropertyValues("async.runtime.metrics.poll-sampling-interval=-1").run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .hasMessageContaining("async.runtime.metrics.poll-sampling-interval")
                .hasMessageContaining("pollSamplingInterval must be between 1 and 1000000, or 0 to turn poll sampling off, got -1");
        });
    }

    @Test
    void theReadmeListsEveryMeter() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        this.contextRunner.run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.getMeters()).extracting((meter) -> meter.getId().getName())
                .filteredOn((name) -> name.startsWith("asyncruntime."))
                .isNotEmpty()
                .allSatisfy((name) -> assertThat(readme).as("README row for %s", name).contains("| `" + name + "` |"));
        });
    }

    private static ApplicationContextRunner runtimeOnly() {
        return new ApplicationContextRunner().withConfiguration(
                AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class, AsyncRuntimeMetricsAutoConfiguration.class));
    }

}
