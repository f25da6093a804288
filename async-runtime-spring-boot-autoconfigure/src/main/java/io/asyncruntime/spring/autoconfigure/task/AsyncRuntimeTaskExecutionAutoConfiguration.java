package io.asyncruntime.spring.autoconfigure.task;

import java.util.List;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of
 * an {@link AsyncRuntimeTaskExecutor} and an {@link AsyncRuntimeTaskScheduler} on the context's
 * runtime.
 *
 * <p>With {@code async.runtime.task-integration.enabled=true} they are registered as
 * {@code applicationTaskExecutor} (alias {@code taskExecutor}) and {@code taskScheduler}, before
 * Boot's task auto-configurations, which then back off: {@code @Async}, {@code @Scheduled} and
 * Spring MVC's asynchronous requests run on the runtime. Otherwise they exist only by name,
 * {@value #EXECUTOR_BEAN_NAME} and {@value #SCHEDULER_BEAN_NAME}, with
 * {@code defaultCandidate = false}, so that Boot's executors stay as they are and a method opts
 * in with {@code @Async("asyncRuntimeExecutor")} or
 * {@code @Scheduled(scheduler = "asyncRuntimeScheduler")}. Both names exist in either case.
 *
 * <p>Every {@link TaskDecorator} bean wraps the tasks, in order, as Boot does for its own
 * executors: declare Spring's {@code ContextPropagatingTaskDecorator} to carry the MDC and the
 * current observation into them.
 */
@AutoConfiguration(after = AsyncRuntimeAutoConfiguration.class,
        before = { TaskExecutionAutoConfiguration.class, TaskSchedulingAutoConfiguration.class })
@ConditionalOnSingleCandidate(AsyncRuntime.class)
public final class AsyncRuntimeTaskExecutionAutoConfiguration {

    /** Name of the executor bean in either mode. */
    public static final String EXECUTOR_BEAN_NAME = "asyncRuntimeExecutor";

    /** Name of the scheduler bean in either mode. */
    public static final String SCHEDULER_BEAN_NAME = "asyncRuntimeScheduler";

    private static final String PROPERTY = "async.runtime.task-integration.enabled";

    static @Nullable TaskDecorator taskDecorator(ObjectProvider<TaskDecorator> decorators) {
        List<TaskDecorator> all = decorators.orderedStream().toList();
        if (all.isEmpty()) {
            return null;
        }
        return (all.size() == 1) ? all.get(0) : new CompositeTaskDecorator(all);
    }

    /** Task integration on: the runtime serves {@code @Async}, {@code @Scheduled} and MVC. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(PROPERTY)
    static class TaskIntegrationConfiguration {

        @Bean(name = { TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME, "taskExecutor",
                EXECUTOR_BEAN_NAME })
        @ConditionalOnMissingBean(name = TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME)
        AsyncRuntimeTaskExecutor applicationTaskExecutor(AsyncRuntime runtime,
                ObjectProvider<TaskDecorator> decorators) {
            return new AsyncRuntimeTaskExecutor(runtime, taskDecorator(decorators));
        }

        @Bean(name = { "taskScheduler", SCHEDULER_BEAN_NAME })
        @ConditionalOnMissingBean(name = "taskScheduler")
        AsyncRuntimeTaskScheduler taskScheduler(AsyncRuntime runtime, ObjectProvider<TaskDecorator> decorators) {
            return new AsyncRuntimeTaskScheduler(runtime, taskDecorator(decorators), null);
        }

    }

    /** Task integration off: the runtime's executor and scheduler are there for who asks by name. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = PROPERTY, havingValue = false, matchIfMissing = true)
    static class ByNameConfiguration {

        @Bean(name = EXECUTOR_BEAN_NAME, defaultCandidate = false)
        @ConditionalOnMissingBean(name = EXECUTOR_BEAN_NAME)
        AsyncRuntimeTaskExecutor asyncRuntimeExecutor(AsyncRuntime runtime, ObjectProvider<TaskDecorator> decorators) {
            return new AsyncRuntimeTaskExecutor(runtime, taskDecorator(decorators));
        }

        @Bean(name = SCHEDULER_BEAN_NAME, defaultCandidate = false)
        @ConditionalOnMissingBean(name = SCHEDULER_BEAN_NAME)
        AsyncRuntimeTaskScheduler asyncRuntimeScheduler(AsyncRuntime runtime,
                ObjectProvider<TaskDecorator> decorators) {
            return new AsyncRuntimeTaskScheduler(runtime, taskDecorator(decorators), null);
        }

    }

}
