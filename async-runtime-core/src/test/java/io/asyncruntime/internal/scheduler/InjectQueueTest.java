package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InjectQueueTest {

    private final InjectQueue inject = new InjectQueue();

    private static TestTask[] linked(int from, int count) {
        TestTask[] tasks = new TestTask[count];
        for (int i = 0; i < count; i++) {
            tasks[i] = new TestTask(from + i);
            if (i > 0) {
                tasks[i - 1].queueNext = tasks[i];
            }
        }
        return tasks;
    }

    private List<Integer> popAll() {
        List<Integer> ids = new ArrayList<>();
        ScheduledTask t;
        while ((t = inject.pop()) != null) {
            assertThat(t.queueNext).as("link of a popped task").isNull();
            ids.add(((TestTask) t).id);
        }
        return ids;
    }

    @Test
    void startsEmpty() {
        assertThat(inject.isEmpty()).isTrue();
        assertThat(inject.len()).isZero();
        assertThat(inject.pop()).isNull();
        assertThat(inject.popBatchInto(new LocalQueue(4), 4)).isNull();
    }

    @Test
    void popsInPushOrderAcrossSinglesAndBatches() {
        inject.push(new TestTask(0));
        TestTask[] batch = linked(1, 3);
        inject.pushBatch(batch[0], batch[2], 3);
        inject.push(new TestTask(4));
        assertThat(inject.len()).isEqualTo(5);
        assertThat(inject.isEmpty()).isFalse();
        assertThat(popAll()).containsExactly(0, 1, 2, 3, 4);
        assertThat(inject.isEmpty()).isTrue();
        assertThat(inject.len()).isZero();
    }

    @Test
    void refillsAfterDrainingRepeatedly() {
        int id = 0;
        for (int round = 0; round < 5; round++) {
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i <= round; i++) {
                expected.add(id);
                inject.push(new TestTask(id++));
            }
            assertThat(popAll()).isEqualTo(expected);
            assertThat(inject.isEmpty()).isTrue();
        }
    }

    @Test
    void popBatchReturnsOldestAndFillsLocalQueueInOrderWithLinksCleared() {
        TestTask[] tasks = linked(0, 6);
        inject.pushBatch(tasks[0], tasks[5], 6);
        LocalQueue dst = new LocalQueue(8);
        ScheduledTask first = inject.popBatchInto(dst, 4);
        assertThat(((TestTask) first).id).isZero();
        assertThat(LocalQueueTest.drain(dst)).containsExactly(1, 2, 3);
        for (int i = 0; i < 4; i++) {
            assertThat(tasks[i].queueNext).as("link of taken task %d", i).isNull();
        }
        assertThat(inject.len()).isEqualTo(2);
        assertThat(popAll()).containsExactly(4, 5);
    }

    @Test
    void popBatchTakesWhatIsThere() {
        inject.push(new TestTask(0));
        inject.push(new TestTask(1));
        LocalQueue dst = new LocalQueue(8);
        assertThat(((TestTask) inject.popBatchInto(dst, 8)).id).isZero();
        assertThat(LocalQueueTest.drain(dst)).containsExactly(1);
        assertThat(inject.isEmpty()).isTrue();
    }

    @Test
    void popBatchIntoAFullLocalQueueSendsTheExtraBackNotLost() {
        TestTask[] tasks = linked(0, 4);
        inject.pushBatch(tasks[0], tasks[3], 4);
        LocalQueue dst = new LocalQueue(2);
        assertThat(((TestTask) inject.popBatchInto(dst, 4)).id).isZero();
        // Caller broke the contract (max > remainingSlots + 1): task 3 overflowed the ring, with
        // the ring's newer half, back into the inject queue. Nothing is lost or duplicated.
        List<Integer> all = new ArrayList<>(LocalQueueTest.drain(dst));
        all.addAll(popAll());
        assertThat(all).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void rejectsBatchMaxBelowOne() {
        assertThatThrownBy(() -> inject.popBatchInto(new LocalQueue(4), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max must be at least 1, was 0");
    }

    @Test
    void drainedQueueKeepsNoTaskReachable() {
        TestTask[] batch = linked(0, 3);
        inject.pushBatch(batch[0], batch[2], 3);
        inject.push(new TestTask(3));
        assertThat(inject.pop()).isSameAs(batch[0]);
        // The rest now sits in the consumer's private list; draining must leave no link behind.
        popAll();
        assertThat(inject.head).isNull();
        assertThat(inject.top).isNull();
        for (TestTask t : batch) {
            assertThat(t.queueNext).isNull();
        }
    }

    @Test
    void ordersPushesMadeWhileTheConsumerHoldsAPrivateList() {
        inject.push(new TestTask(0));
        inject.push(new TestTask(1));
        assertThat(((TestTask) inject.pop()).id).isZero(); // 1 moved to the private list
        inject.push(new TestTask(2));
        TestTask[] batch = linked(3, 2);
        inject.pushBatch(batch[0], batch[1], 2);
        assertThat(popAll()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void pushFromAnotherThreadIsSeenAfterJoin() throws Exception {
        Thread producer = new Thread(() -> inject.push(new TestTask(7)));
        producer.start();
        producer.join();
        assertThat(inject.isEmpty()).isFalse();
        assertThat(((TestTask) inject.pop()).id).isEqualTo(7);
    }

    @Test
    void overflowIntoInjectQueueKeepsBatchOrder() {
        LocalQueue local = new LocalQueue(4);
        for (int i = 0; i < 5; i++) {
            local.pushBackOrOverflow(new TestTask(i), inject);
        }
        assertThat(popAll()).containsExactly(2, 3, 4);
        assertThat(LocalQueueTest.drain(local)).containsExactly(0, 1);
    }

    @Test
    void popWhileAnotherConsumerHoldsTheQueueReturnsNullAtOnce() {
        inject.push(new TestTask(0));
        inject.push(new TestTask(1));
        // Stand in for a worker that is draining right now: take the consumer role.
        inject.consuming = 1;
        assertThat(inject.pop()).isNull();
        assertThat(inject.popBatchInto(new LocalQueue(4), 2)).isNull();
        assertThat(inject.isEmpty()).isFalse();
        inject.consuming = 0;
        assertThat(popAll()).containsExactly(0, 1);
    }
}
