package io.asyncruntime.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The learning rule of {@link ReadSpeculation} on its own, without sockets or timing. */
class ReadSpeculationUnitTest {

    @Test
    void skipsAfterTwoEmptySpeculativeReadsProbesOneInSixteenAndStopsWhenAProbeFindsData() {
        ReadSpeculation s = new ReadSpeculation();
        assertThat(s.isSpeculative(7)).isFalse();              // no exact fill yet
        s.filledExactly(7);
        assertThat(s.isSpeculative(8)).isFalse();              // an event came since: not speculative
        for (int i = 0; i < ReadSpeculation.SKIP_AFTER; i++) {
            s.filledExactly(9);
            assertThat(s.isSpeculative(9)).isTrue();
            assertThat(s.skip()).isFalse();                    // still learning: make the call
            s.speculated(0);
        }
        assertThat(s.skipping()).isTrue();
        int probes = 0;
        for (int i = 0; i < ReadSpeculation.PROBE_EVERY; i++) {
            if (!s.skip()) {
                probes++;
            }
        }
        assertThat(probes).isEqualTo(1);
        s.speculated(8);                                       // the probe found data
        assertThat(s.skipping()).isFalse();
        assertThat(s.skip()).isFalse();
    }
}
