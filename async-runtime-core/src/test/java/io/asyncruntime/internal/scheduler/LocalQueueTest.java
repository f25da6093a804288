package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalQueueTest {

    private static final Overflow NO_OVERFLOW = new Overflow() {
        @Override
        public void push(ScheduledTask task) {
            throw new AssertionError("unexpected overflow of " + task);
        }

        @Override
        public void pushBatch(ScheduledTask first, ScheduledTask last, int count) {
            throw new AssertionError("unexpected overflow batch from " + first);
        }
    };

    private int nextId;

    private TestTask push(LocalQueue q, Overflow overflow) {
        TestTask t = new TestTask(nextId++);
        q.pushBackOrOverflow(t, overflow);
        return t;
    }

    static List<Integer> drain(LocalQueue q) {
        List<Integer> ids = new ArrayList<>();
        ScheduledTask t;
        while ((t = q.pop()) != null) {
            ids.add(((TestTask) t).id);
        }
        return ids;
    }

    /** Non-null slots in the ring, read reflectively: taken tasks must not stay reachable. */
    static int occupiedSlots(LocalQueue q) throws ReflectiveOperationException {
        Field f = LocalQueue.class.getDeclaredField("buffer");
        f.setAccessible(true);
        int n = 0;
        for (Object o : (Object[]) f.get(q)) {
            if (o != null) {
                n++;
            }
        }
        return n;
    }

    @ParameterizedTest
    @ValueSource(ints = {-4, 0, 1, 3, 6, 100, LocalQueue.MAX_CAPACITY * 2})
    void rejectsCapacityThatIsNotAPowerOfTwoInRange(int capacity) {
        assertThatThrownBy(() -> new LocalQueue(capacity))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity must be a power of two")
                .hasMessageContaining(String.valueOf(capacity));
    }

    @Test
    void defaultCapacityIsTokios() {
        assertThat(new LocalQueue().capacity()).isEqualTo(256);
        assertThat(new LocalQueue().remainingSlots()).isEqualTo(256);
    }

    @Test
    void popsInFifoOrder() {
        LocalQueue q = new LocalQueue(8);
        assertThat(q.pop()).isNull();
        for (int i = 0; i < 8; i++) {
            assertThat(q.pushBackOrOverflow(new TestTask(i), NO_OVERFLOW)).isZero();
        }
        assertThat(q.len()).isEqualTo(8);
        assertThat(q.remainingSlots()).isZero();
        assertThat(drain(q)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(q.pop()).isNull();
    }

    @Test
    void emptinessTracksPushesAndPops() throws Exception {
        LocalQueue q = new LocalQueue(4);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.hasStealable()).isFalse();
        push(q, NO_OVERFLOW);
        assertThat(q.isEmpty()).isFalse();
        assertThat(q.hasStealable()).isTrue();
        assertThat(q.len()).isEqualTo(1);
        q.pop();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.len()).isZero();
        assertThat(occupiedSlots(q)).isZero();
    }

    @Test
    void fullRingMovesNewerHalfPlusNewTaskAsOneBatch() throws Exception {
        LocalQueue q = new LocalQueue(4);
        RecordingOverflow overflow = new RecordingOverflow();
        for (int i = 0; i < 4; i++) {
            push(q, overflow);
        }
        assertThat(q.pushBackOrOverflow(new TestTask(nextId++), overflow)).isEqualTo(3);
        assertThat(overflow.batches).containsExactly(List.of(2, 3, 4));
        assertThat(q.len()).isEqualTo(2);
        assertThat(occupiedSlots(q)).isEqualTo(2);
        assertThat(q.remainingSlots()).isEqualTo(2);
        // The older half stays and keeps its order; the ring takes new tasks again.
        push(q, overflow);
        assertThat(drain(q)).containsExactly(0, 1, 5);
        assertThat(overflow.batches).hasSize(1);
    }

    @Test
    void fullDefaultRingMovesHalfPlusOne() {
        LocalQueue q = new LocalQueue();
        RecordingOverflow overflow = new RecordingOverflow();
        for (int i = 0; i < LocalQueue.CAPACITY; i++) {
            push(q, overflow);
        }
        assertThat(q.pushBackOrOverflow(new TestTask(nextId++), overflow)).isEqualTo(129);
        assertThat(overflow.batches).hasSize(1);
        List<Integer> batch = overflow.batches.get(0);
        assertThat(batch).hasSize(129).startsWith(128).endsWith(256);
        assertThat(q.len()).isEqualTo(128);
        assertThat(drain(q)).hasSize(128).startsWith(0).endsWith(127);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8, 16})
    void stealTakesTheOldestRoundedUpHalf(int available) throws Exception {
        LocalQueue src = new LocalQueue(16);
        LocalQueue dst = new LocalQueue(16);
        for (int i = 0; i < available; i++) {
            push(src, NO_OVERFLOW);
        }
        int expected = available - available / 2;
        TestTask runNow = (TestTask) src.stealInto(dst);
        assertThat(runNow).isNotNull();
        // The newest stolen task runs now; the older stolen ones wait in dst, in order.
        assertThat(runNow.id).isEqualTo(expected - 1);
        assertThat(dst.len()).isEqualTo(expected - 1);
        assertThat(src.len()).isEqualTo(available - expected);
        assertThat(occupiedSlots(src)).isEqualTo(available - expected);
        List<Integer> inDst = drain(dst);
        for (int i = 0; i < expected - 1; i++) {
            assertThat(inDst.get(i)).isEqualTo(i);
        }
        List<Integer> left = drain(src);
        assertThat(left).hasSize(available - expected);
        if (!left.isEmpty()) {
            assertThat(left.get(0)).isEqualTo(expected);
        }
    }

    @Test
    void stealFromEmptyQueueReturnsNull() {
        assertThat(new LocalQueue(4).stealInto(new LocalQueue(4))).isNull();
    }

    @Test
    void stealRefusesWhenDestinationIsMoreThanHalfFull() {
        LocalQueue src = new LocalQueue(8);
        LocalQueue dst = new LocalQueue(8);
        for (int i = 0; i < 4; i++) {
            push(src, NO_OVERFLOW);
        }
        for (int i = 0; i < 5; i++) {
            push(dst, NO_OVERFLOW);
        }
        assertThat(src.stealInto(dst)).isNull();
        assertThat(src.len()).isEqualTo(4);
        assertThat(dst.len()).isEqualTo(5);
        dst.pop(); // exactly half full is allowed
        assertThat(src.stealInto(dst)).isNotNull();
        assertThat(src.len()).isEqualTo(2);
        assertThat(dst.len()).isEqualTo(5);
    }

    @Test
    void stealNeverOverfillsASmallerDestination() {
        LocalQueue src = new LocalQueue(16);
        LocalQueue dst = new LocalQueue(4);
        for (int i = 0; i < 16; i++) {
            push(src, NO_OVERFLOW);
        }
        push(dst, NO_OVERFLOW);
        push(dst, NO_OVERFLOW);
        assertThat(src.stealInto(dst)).isNotNull(); // room 2: one to dst, one to run
        assertThat(dst.len()).isEqualTo(3);
        assertThat(src.len()).isEqualTo(14);
    }

    @Test
    void cannotStealFromItself() {
        LocalQueue q = new LocalQueue(4);
        assertThatThrownBy(() -> q.stealInto(q)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MAX_VALUE - 2, Integer.MAX_VALUE, Integer.MIN_VALUE, -3, -1})
    void indicesWrapAroundTheIntRange(int start) throws Exception {
        LocalQueue q = new LocalQueue(4, start);
        RecordingOverflow overflow = new RecordingOverflow();
        for (int i = 0; i < 4; i++) {
            push(q, overflow);
        }
        assertThat(q.len()).isEqualTo(4);
        assertThat(q.remainingSlots()).isZero();
        assertThat(q.pushBackOrOverflow(new TestTask(nextId++), overflow)).isEqualTo(3);
        assertThat(overflow.batches).containsExactly(List.of(2, 3, 4));
        push(q, overflow);
        push(q, overflow);
        LocalQueue dst = new LocalQueue(4, start);
        assertThat(((TestTask) q.stealInto(dst)).id).isEqualTo(1);
        assertThat(drain(dst)).containsExactly(0);
        assertThat(drain(q)).containsExactly(5, 6);
        assertThat(q.isEmpty()).isTrue();
        assertThat(occupiedSlots(q)).isZero();
    }

    /**
     * A long random single-threaded run against a deque model, starting just below the wrap, so
     * every operation crosses Integer.MAX_VALUE many times over with capacity 4 and 8.
     */
    @ParameterizedTest
    @ValueSource(ints = {4, 8})
    void randomOperationsMatchADequeModelAcrossTheWrap(int capacity) throws Exception {
        Random random = new Random(42);
        LocalQueue q = new LocalQueue(capacity, Integer.MAX_VALUE - 7);
        LocalQueue thief = new LocalQueue(capacity, Integer.MIN_VALUE + 3);
        RecordingOverflow overflow = new RecordingOverflow();
        ArrayDeque<Integer> model = new ArrayDeque<>();
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(10);
            if (op < 5) {
                int id = nextId++;
                int before = overflow.allIds().size();
                int moved = q.pushBackOrOverflow(new TestTask(id), overflow);
                model.addLast(id);
                if (model.size() > capacity) {
                    assertThat(moved).isEqualTo(capacity / 2 + 1);
                    List<Integer> expected = new ArrayList<>();
                    for (int i = 0; i < capacity / 2 + 1; i++) {
                        expected.add(0, model.pollLast());
                    }
                    assertThat(overflow.batches.get(overflow.batches.size() - 1)).isEqualTo(expected);
                } else {
                    assertThat(moved).isZero();
                    assertThat(overflow.allIds()).hasSize(before);
                }
            } else if (op < 8) {
                TestTask t = (TestTask) q.pop();
                assertThat(t == null ? null : t.id).isEqualTo(model.pollFirst());
            } else {
                drain(thief);
                int n = model.size() - model.size() / 2;
                TestTask t = (TestTask) q.stealInto(thief);
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    expected.add(model.pollFirst());
                }
                List<Integer> got = drain(thief);
                if (t != null) {
                    got.add(t.id);
                }
                assertThat(got).isEqualTo(expected);
            }
            assertThat(q.len()).isEqualTo(model.size());
            assertThat(q.remainingSlots()).isEqualTo(capacity - model.size());
        }
        assertThat(occupiedSlots(q)).isEqualTo(model.size());
        assertThat(overflow.batches).isNotEmpty();
    }
}
