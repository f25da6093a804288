package io.asyncruntime.spring.autoconfigure;

import java.util.Map;

import io.asyncruntime.AsyncRuntime;

import org.springframework.beans.factory.ListableBeanFactory;

/**
 * The {@link AsyncRuntime} beans of a context, by bean name: the set every part of the starter
 * (lifecycle, health, meters, endpoint) covers, so that a second runtime is never left out.
 */
public final class AsyncRuntimes {

    private AsyncRuntimes() {
    }

    /**
     * The singleton runtimes of {@code beanFactory}, in registration order, whether or not they
     * are autowire candidates: a runtime marked {@code defaultCandidate = false} still runs and
     * still has to be shut down and observed.
     * @param beanFactory the bean factory to look in; not null
     * @return the runtimes by bean name; never null, possibly empty
     */
    public static Map<String, AsyncRuntime> of(ListableBeanFactory beanFactory) {
        return beanFactory.getBeansOfType(AsyncRuntime.class, false, true);
    }

}
