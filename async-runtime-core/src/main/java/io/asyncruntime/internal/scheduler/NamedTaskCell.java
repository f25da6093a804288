package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Priority;

/**
 * A cell that carries a name given at spawn ({@link TaskCell#create}): the name lives in this
 * subclass so that unnamed cells, the common case, do not pay a field for it.
 */
final class NamedTaskCell<T> extends TaskCell<T> {

    private final String name;

    NamedTaskCell(CellScheduler scheduler, Object body, int kind, Priority priority, String name) {
        super(scheduler, body, kind, priority);
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }
}
