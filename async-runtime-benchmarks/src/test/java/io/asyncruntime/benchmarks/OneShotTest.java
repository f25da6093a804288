package io.asyncruntime.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OneShotTest {

    @Test
    void aWaiterRegisteredBeforeTheSendIsHandedToTheSender() {
        OneShot shot = new OneShot();
        Object waiter = new Object();
        assertThat(shot.register(waiter)).isTrue();
        assertThat(shot.isSent()).isFalse();
        assertThat(shot.send()).isSameAs(waiter);
        assertThat(shot.isSent()).isTrue();
    }

    @Test
    void aReceiverThatComesAfterTheSendGoesOnAtOnce() {
        OneShot shot = new OneShot();
        assertThat(shot.send()).isNull();
        assertThat(shot.register(new Object())).isFalse();
    }

    @Test
    void aRepeatedWaitReplacesTheWaiter() {
        OneShot shot = new OneShot();
        Object first = new Object();
        Object second = new Object();
        shot.register(first);
        shot.register(second);
        assertThat(shot.send()).isSameAs(second);
    }

    @Test
    void aSecondSendIsABug() {
        OneShot shot = new OneShot();
        shot.send();
        assertThatThrownBy(shot::send).isInstanceOf(IllegalStateException.class);
    }
}
