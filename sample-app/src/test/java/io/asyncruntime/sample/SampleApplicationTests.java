package io.asyncruntime.sample;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.TaskDump;
import io.asyncruntime.task.CancellationToken;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample service over a real port: its own endpoints, and the runtime's health, meters and
 * actuator endpoint as an operator sees them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient
class SampleApplicationTests {

    @Autowired
    private RestTestClient client;

    @Autowired
    private AsyncRuntime runtime;

    @Test
    void primesAreCountedByTasksOnTheRuntimeWorkers() {
        this.client.get()
            .uri("/primes?limit=100000&tasks=8")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.limit").isEqualTo(100000)
            .jsonPath("$.tasks").isEqualTo(8)
            .jsonPath("$.primes").isEqualTo(9592)
            .jsonPath("$.workerThreads").value(new ParameterizedTypeReference<List<String>>() {
            }, (threads) -> assertThat(threads).isNotEmpty().allMatch((name) -> name.startsWith("sample-worker")));
    }

    @Test
    void badArgumentIsABadRequestNamingTheArgument() {
        this.client.get()
            .uri("/primes?tasks=0")
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.detail").isEqualTo("tasks must be between 1 and 256, got 0");
    }

    @Test
    void runtimeMetricsSnapshotShowsTheConfiguredWorkers() {
        this.client.get()
            .uri("/runtime")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.workers").isEqualTo(2)
            .jsonPath("$.spawnedTasks").isNumber();
    }

    @Test
    void healthShowsTheRuntimeUpWithDetails() {
        this.client.get()
            .uri("/actuator/health")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.components.asyncruntime.status").isEqualTo("UP")
            .jsonPath("$.components.asyncruntime.details.workers").isEqualTo(2)
            .jsonPath("$.components.asyncruntime.details.aliveTasks").isNumber();
    }

    @Test
    void runtimeMetersArePublished() {
        this.client.get()
            .uri("/actuator/metrics/asyncruntime.workers")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.measurements[0].value").isEqualTo(2.0);
        this.client.get().uri("/primes?limit=1000&tasks=4").exchange().expectStatus().isOk();
        this.client.get()
            .uri("/actuator/metrics/asyncruntime.tasks.spawned")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.measurements[0].value").value(Double.class, (spawned) -> assertThat(spawned).isGreaterThanOrEqualTo(5.0));
    }

    @Test
    void actuatorEndpointDescribesTheRuntime() {
        this.client.get()
            .uri("/actuator/asyncruntime")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.runtimes.asyncRuntime.running").isEqualTo(true)
            .jsonPath("$.runtimes.asyncRuntime.metrics.workers").isEqualTo(2)
            .jsonPath("$.runtimes.asyncRuntime.metrics.spawnedTasks").isNumber()
            .jsonPath("$.runtimes.asyncRuntime.metrics.activeTimers").isNumber()
            .jsonPath("$.runtimes.asyncRuntime.metrics.timersFired").isNumber();
    }

    @Test
    void taskDumpOverHttpListsAnIdleTaskByNameAndRejectsABadLimit() throws Exception {
        CancellationToken token = new CancellationToken();
        JoinHandle<Void> waiting = this.runtime.spawn(token.cancelled(), Priority.BACKGROUND, "waits-for-the-test");
        try {
            // Polled once and parked on the token: only then is its state IDLE.
            await().atMost(Duration.ofSeconds(10)).until(() -> this.runtime.taskDump().tasks().stream()
                .anyMatch((task) -> task.name().equals("waits-for-the-test") && task.state() == TaskDump.State.IDLE));
            this.client.get()
                .uri("/actuator/asyncruntime/tasks?limit=10000")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.runtimes.asyncRuntime.liveTasks").value(Integer.class,
                        (live) -> assertThat(live).isGreaterThanOrEqualTo(1))
                .jsonPath("$.runtimes.asyncRuntime.truncated").isEqualTo(false)
                .jsonPath("$.runtimes.asyncRuntime.tasks[?(@.name == 'waits-for-the-test')].lane").isEqualTo("BACKGROUND")
                .jsonPath("$.runtimes.asyncRuntime.tasks[?(@.name == 'waits-for-the-test')].state").isEqualTo("IDLE");
            this.client.get()
                .uri("/actuator/asyncruntime/tasks?limit=-1")
                .exchange()
                .expectStatus()
                .isBadRequest();
            this.client.get().uri("/actuator/asyncruntime/nothing").exchange().expectStatus().isNotFound();
        }
        finally {
            token.cancel();
            waiting.get(10, TimeUnit.SECONDS);
        }
    }

}
