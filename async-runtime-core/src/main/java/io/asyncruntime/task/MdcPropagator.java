package io.asyncruntime.task;

import java.util.Map;
import org.slf4j.spi.MDCAdapter;

/**
 * {@link ContextPropagator#slf4jMdc()}: captures a copy of the spawner's MDC, installs it around
 * each poll, and puts the worker's own MDC back afterwards (on a worker that is an empty MDC, so
 * the next task starts clean). An empty MDC is captured as {@code null}, and opening {@code null}
 * on a clean thread costs one read of the MDC and allocates nothing.
 */
final class MdcPropagator implements ContextPropagator<Map<String, String>> {

    private final MDCAdapter mdc;
    /** The scope of a poll that started with an empty MDC: clearing restores it. */
    private final Scope clear;

    MdcPropagator(MDCAdapter mdc) {
        if (mdc == null) {
            throw new NullPointerException("mdc adapter must not be null");
        }
        this.mdc = mdc;
        this.clear = mdc::clear;
    }

    @Override
    public Map<String, String> capture() {
        return nonEmpty(mdc.getCopyOfContextMap());
    }

    @Override
    public Scope open(Map<String, String> captured) {
        Map<String, String> previous = nonEmpty(mdc.getCopyOfContextMap());
        if (captured != null) {
            mdc.setContextMap(captured);
        } else if (previous != null) {
            mdc.clear();
        }
        return previous == null ? clear : () -> mdc.setContextMap(previous);
    }

    private static Map<String, String> nonEmpty(Map<String, String> map) {
        return map == null || map.isEmpty() ? null : map;
    }

    @Override
    public String toString() {
        return "ContextPropagator.slf4jMdc()";
    }
}
