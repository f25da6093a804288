package io.asyncruntime.spring.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests for {@link InvalidAsyncRuntimePropertyFailureAnalyzer}.
 */
@ExtendWith(OutputCaptureExtension.class)
class InvalidAsyncRuntimePropertyFailureAnalyzerTests {

    @Test
    void analysisNamesThePropertyTheValueAndTheReason() {
        InvalidAsyncRuntimePropertyException failure = new InvalidAsyncRuntimePropertyException(
                "async.runtime.worker-threads", 0, "workerThreads must be in 1..32767, was 0", null);
        FailureAnalysis analysis = new InvalidAsyncRuntimePropertyFailureAnalyzer(new MockEnvironment())
            .analyze(new IllegalStateException("wrapped", failure));
        assertThat(analysis.getDescription())
            .startsWith("Invalid value '0' for configuration property 'async.runtime.worker-threads'.")
            .endsWith("The async runtime rejected it: workerThreads must be in 1..32767, was 0");
        assertThat(analysis.getAction()).contains("'async.runtime.worker-threads'");
        assertThat(analysis.getCause()).isSameAs(failure);
    }

    @Test
    void badPropertyStopsStartupWithOneClearMessage(CapturedOutput output) {
        SpringApplication application = new SpringApplication(RuntimeApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        assertThatException().isThrownBy(() -> application.run("--async.runtime.worker-threads=0"));
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("Invalid value '0' for configuration property 'async.runtime.worker-threads' "
                    + "(originating from '\"async.runtime.worker-threads\" from property source \"commandLineArgs\"')")
            .contains("The async runtime rejected it: ")
            .contains("workerThreads")
            .contains("Update your application's configuration: set 'async.runtime.worker-threads'");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(AsyncRuntimeAutoConfiguration.class)
    static class RuntimeApplication {

    }

}
