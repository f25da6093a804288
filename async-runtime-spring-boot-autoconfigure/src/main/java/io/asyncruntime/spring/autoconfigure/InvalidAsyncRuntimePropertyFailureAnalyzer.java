package io.asyncruntime.spring.autoconfigure;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.Environment;

/**
 * Turns an {@link InvalidAsyncRuntimePropertyException} into one startup message that names the
 * property, its value, where the value came from, and the range the runtime accepts.
 *
 * <p>Registered in {@code META-INF/spring.factories}; Boot passes the application's
 * {@link Environment} to the constructor.
 */
final class InvalidAsyncRuntimePropertyFailureAnalyzer
        extends AbstractFailureAnalyzer<InvalidAsyncRuntimePropertyException> {

    private final Environment environment;

    InvalidAsyncRuntimePropertyFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidAsyncRuntimePropertyException cause) {
        StringBuilder description = new StringBuilder();
        description.append("Invalid value '").append(cause.getValue()).append("' for configuration property '")
            .append(cause.getProperty()).append("'");
        Origin origin = findOrigin(cause.getProperty());
        if (origin != null) {
            description.append(" (originating from '").append(origin).append("')");
        }
        description.append(".\n\nThe async runtime rejected it: ").append(cause.getReason());
        String action = "Update your application's configuration: set '" + cause.getProperty()
                + "' to a value in the allowed range, or remove it to use the default.";
        return new FailureAnalysis(description.toString(), action, cause);
    }

    private Origin findOrigin(String property) {
        if (this.environment == null) {
            return null;
        }
        ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
            ConfigurationProperty found = source.getConfigurationProperty(name);
            if (found != null) {
                return found.getOrigin();
            }
        }
        return null;
    }

}
