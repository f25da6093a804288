package io.asyncruntime.benchmarks.net;

/**
 * Latencies in nanoseconds, counted in log-linear buckets: 64 linear sub-buckets per power of
 * two, so a percentile is exact to within 1/64 (1.6 %) of its value, over the whole range of a
 * long, in a fixed table of 3,776 counts. Recording is a few shifts and an increment; one thread at a time.
 * (HdrHistogram does the same with more care; this module keeps its dependencies to the peers.)
 */
final class LatencyHistogram {

    /** 64 linear sub-buckets per power of two. */
    private static final int SUB_BITS = 6;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    /** Values below this have a bucket each. */
    private static final int EXACT_BELOW = 2 * SUB_BUCKETS;
    private static final int BUCKETS = (64 - SUB_BITS + 1) * SUB_BUCKETS;

    private final long[] counts = new long[BUCKETS];
    private long total;

    void record(long nanos) {
        counts[index(Math.max(1, nanos))]++;
        total++;
    }

    void recordAll(long[] nanos, int count) {
        for (int i = 0; i < count; i++) {
            record(nanos[i]);
        }
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
    }

    void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
    }

    long count() {
        return total;
    }

    /** The smallest recorded bucket's upper value below which a {@code fraction} of the samples lie. */
    long percentile(double fraction) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(fraction * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= Math.max(1, rank)) {
                return upperValue(i);
            }
        }
        return upperValue(counts.length - 1);
    }

    /** Values below 128 have their own bucket; above, the top 7 significant bits choose it. */
    static int index(long value) {
        if (value < EXACT_BELOW) {
            return (int) value;
        }
        int shift = 63 - Long.numberOfLeadingZeros(value) - SUB_BITS;   // >= 1
        int sub = (int) (value >>> shift);                                // 64..127
        return shift * SUB_BUCKETS + sub;
    }

    static long upperValue(int index) {
        if (index < EXACT_BELOW) {
            return index;
        }
        int shift = index / SUB_BUCKETS - 1;
        int sub = index % SUB_BUCKETS + SUB_BUCKETS;
        return ((long) (sub + 1) << shift) - 1;
    }
}
