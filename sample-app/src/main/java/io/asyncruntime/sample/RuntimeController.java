package io.asyncruntime.sample;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.RuntimeMetrics;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Shows the runtime's own metrics snapshot, per worker included. The same numbers are published
 * as {@code asyncruntime.*} meters and at {@code /actuator/asyncruntime}.
 */
@RestController
class RuntimeController {

    private final AsyncRuntime runtime;

    RuntimeController(AsyncRuntime runtime) {
        this.runtime = runtime;
    }

    @GetMapping("/runtime")
    RuntimeMetrics metrics() {
        return this.runtime.metrics();
    }

}
