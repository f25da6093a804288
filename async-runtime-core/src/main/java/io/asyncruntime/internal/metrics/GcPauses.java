package io.asyncruntime.internal.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM's accumulated stop-the-world collection time, from the garbage collectors' MXBeans:
 * a worker that was "inside one poll" only because the whole JVM was paused for a collection is
 * not stalled (Vert.x's blocked-thread checker reports those as blocking, its issue 2449).
 *
 * <p>Which beans count: every one except those named "… Cycles" — ZGC's and Shenandoah's
 * concurrent cycles ("ZGC Cycles", "ZGC Major Cycles", "Shenandoah Cycles"), whose time runs
 * alongside the application; their pauses have beans of their own ("ZGC Pauses", "Shenandoah
 * Pauses"). G1's and Parallel's and Serial's beans count pauses ("G1 Concurrent GC", JDK 20+,
 * counts the Remark and Cleanup pauses of G1's concurrent cycle).
 */
final class GcPauses {

    private final List<GarbageCollectorMXBean> pauseBeans = new ArrayList<>();

    GcPauses() {
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (countsAsPause(bean.getName())) {
                pauseBeans.add(bean);
            }
        }
    }

    /** Whether the collector bean of this name measures stop-the-world pauses (see the class comment). */
    static boolean countsAsPause(String beanName) {
        return !beanName.endsWith("Cycles");
    }

    /** Milliseconds the JVM spent in collection pauses since it started (as the beans report it). */
    long totalMillis() {
        long total = 0;
        for (GarbageCollectorMXBean bean : pauseBeans) {
            long millis = bean.getCollectionTime();
            if (millis > 0) {
                total += millis;
            }
        }
        return total;
    }
}
