package io.asyncruntime.spring.autoconfigure;

/**
 * Thrown when the async runtime rejects the value of an {@code async.runtime.*} property.
 *
 * <p>The runtime's builder owns the allowed ranges and rejects a bad argument with an
 * {@link IllegalArgumentException} that names the builder argument; this exception carries the
 * property the user actually wrote, so {@code InvalidAsyncRuntimePropertyFailureAnalyzer} can
 * report it in one startup message.
 */
public final class InvalidAsyncRuntimePropertyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String property;

    private final transient Object value;

    private final String reason;

    /**
     * Creates a new exception.
     * @param property the full property name, for example {@code async.runtime.worker-threads}
     * @param value the rejected value
     * @param reason why the value was rejected, including the allowed range
     * @param cause the exception the runtime threw, if any
     */
    public InvalidAsyncRuntimePropertyException(String property, Object value, String reason, Throwable cause) {
        super("Invalid value '" + value + "' for property '" + property + "': " + reason, cause);
        this.property = property;
        this.value = value;
        this.reason = reason;
    }

    /** The full name of the rejected property, for example {@code async.runtime.worker-threads}. */
    public String getProperty() {
        return this.property;
    }

    /** The rejected value. */
    public Object getValue() {
        return this.value;
    }

    /** Why the value was rejected, as the runtime explained it. */
    public String getReason() {
        return this.reason;
    }

}
