package io.asyncruntime.benchmarks.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every implementation of the sync benchmarks does its work, three times in a row (a peer that
 * loses a wake-up or leaks state between invocations hangs or miscounts here, in seconds, rather
 * than in a benchmark run).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SyncPeersSmokeTest {

    @ParameterizedTest
    @ValueSource(strings = {"asyncruntime", "abq", "lbq", "jctools", "kotlin"})
    void everyChannelPeerDeliversEveryMessage(String id) throws Exception {
        System.setProperty("kotlinx.coroutines.scheduler.core.pool.size", "2");
        try (ChannelPeer peer = ChannelPeer.start(id)) {
            for (int round = 0; round < 3; round++) {
                assertThat(peer.transfer(1, 5_000, 16)).isEqualTo(5_000);
                assertThat(peer.transfer(4, 5_000, 16)).isEqualTo(5_000);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"asyncruntime", "jdk"})
    void everySemaphorePeerMakesEveryAcquire(String id) throws Exception {
        try (SemaphorePeer peer = SemaphorePeer.start(id)) {
            for (int round = 0; round < 3; round++) {
                assertThat(peer.run(1, 10, 5_000, false)).isEqualTo(5_000);
                assertThat(peer.run(6, 5, 1_000, true)).isEqualTo(6_000);
            }
        }
    }
}
