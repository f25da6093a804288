package io.asyncruntime;

import java.time.Duration;
import java.time.Instant;

/**
 * One stall the stall detector reported ({@link AsyncRuntime#recentStalls()}): a worker that
 * stayed inside one poll longer than the {@linkplain AsyncRuntime#stallThreshold() stall
 * threshold}, which usually means blocking code on a worker.
 *
 * @param worker the stalled worker thread's name; never null
 * @param task the name of the task whose poll stalled; null if the worker was stuck between polls
 * @param inPoll how long the poll had lasted when the stall was detected (at least the threshold,
 *     garbage-collection pauses not counted in the decision); never null
 * @param detectedAt when the detector reported it (wall clock); never null
 */
public record WorkerStall(String worker, String task, Duration inPoll, Instant detectedAt) {
}
