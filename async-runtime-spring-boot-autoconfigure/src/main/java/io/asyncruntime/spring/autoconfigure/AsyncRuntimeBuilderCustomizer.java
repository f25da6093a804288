package io.asyncruntime.spring.autoconfigure;

import io.asyncruntime.RuntimeBuilder;

/**
 * Callback that customizes the {@link RuntimeBuilder} of the auto-configured
 * {@code AsyncRuntime}, for settings that have no {@code async.runtime.*} property.
 *
 * <p>Customizers run after the properties were applied, in {@link org.springframework.core.Ordered
 * order}, so a customizer overrides a property.
 */
@FunctionalInterface
public interface AsyncRuntimeBuilderCustomizer {

    /**
     * Customizes the builder.
     * @param builder the builder, with the {@code async.runtime.*} properties already applied
     */
    void customize(RuntimeBuilder builder);

}
