package io.asyncruntime.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Fans a computation out over tasks on the runtime and answers asynchronously: the handler
 * returns a {@link CompletionStage} (the runtime's {@link JoinHandle}), so the servlet thread is
 * released at once and Spring MVC writes the response when the last task has finished.
 */
@RestController
class PrimeController {

    static final int MAX_TASKS = 256;

    static final long MAX_LIMIT = 50_000_000;

    private final AsyncRuntime runtime;

    PrimeController(AsyncRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Counts the primes up to {@code limit}, split into {@code tasks} slices that run in parallel
     * on the runtime's workers.
     */
    @GetMapping("/primes")
    CompletionStage<PrimeCount> countPrimes(@RequestParam(defaultValue = "100000") long limit,
            @RequestParam(defaultValue = "8") int tasks) {
        if (limit < 2 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 2 and " + MAX_LIMIT + ", got " + limit);
        }
        if (tasks < 1 || tasks > MAX_TASKS) {
            throw new IllegalArgumentException("tasks must be between 1 and " + MAX_TASKS + ", got " + tasks);
        }
        List<JoinHandle<PrimeCount.Slice>> slices = new ArrayList<>(tasks);
        long sliceLength = (limit - 1 + tasks - 1) / tasks;
        for (int i = 0; i < tasks; i++) {
            long from = 2 + i * sliceLength;
            long to = Math.min(limit, from + sliceLength - 1);
            slices.add(this.runtime.spawn(countSlice(from, to)));
        }
        // One more task joins the slices: Task.all waits for every handle without blocking a thread.
        return this.runtime.spawn(Task.all(slices).map((counts) -> PrimeCount.combine(limit, counts)));
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badRequest(IllegalArgumentException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
    }

    private static Callable<PrimeCount.Slice> countSlice(long from, long to) {
        return () -> {
            long primes = 0;
            for (long candidate = from; candidate <= to; candidate++) {
                if (isPrime(candidate)) {
                    primes++;
                }
            }
            return new PrimeCount.Slice(primes, Thread.currentThread().getName());
        };
    }

    private static boolean isPrime(long candidate) {
        if (candidate < 4) {
            return candidate >= 2;
        }
        if (candidate % 2 == 0) {
            return false;
        }
        for (long divisor = 3; divisor * divisor <= candidate; divisor += 2) {
            if (candidate % divisor == 0) {
                return false;
            }
        }
        return true;
    }

}
