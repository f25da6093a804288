package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which sleeper a notification wakes (see {@link Idle#workerToNotify}). */
class IdleTest {

    @Test
    void wakesTheMostRecentSleeperForAThreadOutsideTheWorkers() {
        Idle idle = new Idle(2);
        idle.transitionToParked(0, false);
        idle.transitionToParked(1, false);

        assertThat(idle.workerToNotify(-1)).isEqualTo(1);
        assertThat(idle.isParked(0)).isTrue();
        assertThat(idle.searchingCount()).isEqualTo(1);
    }

    @Test
    void aWorkerDispatchingTheDriverWhileStillInTheSleeperSetWakesAnotherSleeper() {
        Idle idle = new Idle(2);
        idle.transitionToParked(0, false);
        idle.transitionToParked(1, false);  // 1 parked last, in the driver, and now fires timers

        assertThat(idle.workerToNotify(1)).isEqualTo(0);
        assertThat(idle.isParked(1)).as("the caller takes itself out when the driver returns").isTrue();
        assertThat(idle.isParked(0)).isFalse();
        assertThat(idle.searchingCount()).isEqualTo(1);
        assertThat(idle.unparkSelf(1)).isTrue();
        assertThat(idle.allParked()).isFalse();
    }

    @Test
    void aWorkerThatIsTheOnlySleeperWakesNobodyAndStaysCountedAsParked() {
        Idle idle = new Idle(2);
        idle.transitionToParked(0, false);

        assertThat(idle.workerToNotify(0)).isEqualTo(-1);
        assertThat(idle.searchingCount()).as("no phantom searcher blocks later wake-ups").isZero();
        assertThat(idle.isParked(0)).isTrue();

        idle.transitionToParked(1, false);
        assertThat(idle.workerToNotify(0)).isEqualTo(1);
    }

    @Test
    void nobodyIsWokenWhileSomeoneSearches() {
        Idle idle = new Idle(2);
        idle.transitionToParked(0, false);
        assertThat(idle.tryStartSearching()).isTrue();

        assertThat(idle.workerToNotify(1)).isEqualTo(-1);
        assertThat(idle.isParked(0)).isTrue();
    }

    /** What a channel's receiver wake checks (chan11k): a worker that would take work from a ring. */
    @Test
    void someWorkerIsParkedOrSearchingUnlessEveryWorkerRunsWithoutSearching() {
        Idle idle = new Idle(2);
        assertThat(idle.anyParkedOrSearching()).as("both running").isFalse();

        assertThat(idle.tryStartSearching()).isTrue();
        assertThat(idle.anyParkedOrSearching()).as("one searching").isTrue();
        idle.stopSearching();
        assertThat(idle.anyParkedOrSearching()).isFalse();

        idle.transitionToParked(0, false);
        assertThat(idle.anyParkedOrSearching()).as("one parked").isTrue();
    }
}
