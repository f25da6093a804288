package io.asyncruntime.internal.scheduler;

/**
 * A worker's thread. The subclass lets {@code Scheduler.schedule} recognise its own workers with
 * one type check instead of a thread-local lookup on the spawn and wake paths.
 *
 * <p>A thread runs one worker until it stops, or until {@code blockInPlace} hands the worker to a
 * replacement thread ({@link WorkerHandOver#toNewThread}). From then on {@link #worker} is null, so the
 * thread counts as outside the workers (its spawns and wakes go through the inject queue), the
 * poll it was in finishes here, and once that poll returns the thread leaves the worker's run
 * loop and is offered to the runtime's blocking pool ({@link Scheduler#afterHandOver}).
 */
final class WorkerThread extends Thread {

    /**
     * The worker this thread runs, or null after it handed it over. Written before the thread
     * starts and afterwards only by the thread itself, which is the only reader: plain.
     */
    Worker worker;
    /** This thread's completion trampoline (see {@link CompletionCascade}). */
    final CompletionCascade completionCascade = new CompletionCascade();
    /** The poll this thread was in when it handed its worker over, until the thread leaves the run loop. */
    private PollContext handedOverPoll;
    /** The context class loader the worker started with, restored once the handed-over poll is done. */
    private ClassLoader startLoader;

    /** A worker's first thread, made by the thread that builds the runtime; {@code stackSize} 0 is the JVM's default. */
    WorkerThread(Worker worker, String name, long stackSize) {
        super(null, null, name, stackSize);
        this.worker = worker;
        setDaemon(true);
    }

    private WorkerThread(Worker worker, String name, long stackSize, ClassLoader loader) {
        // No inheritable thread-locals: the creating thread is a task's, mid-poll (blockInPlace).
        super(null, null, name, stackSize, false);
        this.worker = worker;
        setDaemon(true);
        setContextClassLoader(loader);
    }

    /**
     * The thread that takes {@code worker} over from a {@code blockInPlace} caller. It is made on
     * the caller's thread in the middle of a task's poll, so it must not inherit what that task
     * set there: it gets the worker's own context class loader and no inheritable thread-locals
     * (a plain {@code new Thread} copies both, and the worker would carry one task's loader and
     * tenant into every later task). It gets the stack size configured for workers.
     */
    static WorkerThread replacement(Worker worker, String name, ClassLoader workerLoader) {
        return new WorkerThread(worker, name, worker.scheduler.workerStackSize(), workerLoader);
    }

    @Override
    public void run() {
        Worker running = worker;
        running.run();
        if (handedOverPoll != null) {
            // The poll that handed the worker over has returned and the run loop unwound.
            handedOverPoll = null;
            Thread.interrupted();
            if (getContextClassLoader() != startLoader) {
                setContextClassLoader(startLoader);
            }
            running.scheduler.afterHandOver();
        }
    }

    /** This thread gave its worker away in the middle of {@code poll}. */
    void leaveWorker(PollContext poll, ClassLoader workerLoader) {
        worker = null;
        handedOverPoll = poll;
        startLoader = workerLoader;
        setName(getName() + "-blocking");
    }

    /** The hand-over failed: this thread keeps its worker. */
    void rejoinWorker(Worker kept) {
        String name = getName();
        setName(name.substring(0, name.length() - "-blocking".length()));
        worker = kept;
        handedOverPoll = null;
    }

    /**
     * The poll this thread is finishing after it handed its worker over, or null (it runs a
     * worker, or that poll has returned). Thread-confined: call on the current thread only.
     */
    PollContext handedOverPoll() {
        PollContext poll = handedOverPoll;
        return poll != null && poll.polled() != null ? poll : null;
    }

    /**
     * The poll this thread handed its worker over in, until the thread leaves the run loop: also
     * after the poll itself returned, while its completion is delivered on this thread (its
     * callbacks still run as the runtime's own, as they would on a worker). Null on a thread that
     * runs a worker, and once the thread is the blocking pool's. Current thread only.
     */
    PollContext handedOverPollUntilUnwound() {
        return handedOverPoll;
    }

    /** The cell this thread is polling: its worker's, or the handed-over poll's; null between polls. */
    TaskCell<?> polling() {
        Worker running = worker;
        if (running != null) {
            return running.polling();
        }
        PollContext poll = handedOverPoll;
        return poll != null ? poll.polled() : null;
    }
}
