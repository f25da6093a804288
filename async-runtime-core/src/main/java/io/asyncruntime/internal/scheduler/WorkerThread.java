package io.asyncruntime.internal.scheduler;

/**
 * A worker's thread. The subclass lets {@code Scheduler.schedule} recognise its own workers with
 * one type check instead of a thread-local lookup on the spawn and wake paths.
 */
final class WorkerThread extends Thread {

    final Worker worker;
    /** This thread's completion trampoline (see {@link CompletionCascade}). */
    final CompletionCascade completionCascade = new CompletionCascade();

    WorkerThread(Worker worker, String name) {
        super(worker, name);
        this.worker = worker;
        setDaemon(true);
    }
}
