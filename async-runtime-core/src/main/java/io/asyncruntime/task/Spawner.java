package io.asyncruntime.task;

/**
 * Something that spawns tasks: an {@code AsyncRuntime}. {@link JoinSet} and {@link TaskTracker}
 * spawn through it, so the {@code task} package needs no runtime class.
 */
public interface Spawner {

    /**
     * Spawns {@code task}; it starts at once.
     *
     * @param task not null
     * @return the task's handle, never null
     * @throws IllegalStateException if the spawner no longer accepts tasks (a runtime shutting down)
     */
    <T> JoinHandle<T> spawn(Task<T> task);

    /**
     * Spawns {@code task} into a lane, with a name for logs, metrics and task dumps.
     *
     * @param task not null
     * @param priority not null
     * @param name the task's name; {@code null} for a generated one
     * @return the task's handle, never null
     * @throws IllegalStateException if the spawner no longer accepts tasks (a runtime shutting down)
     */
    <T> JoinHandle<T> spawn(Task<T> task, Priority priority, String name);
}
