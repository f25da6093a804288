package io.asyncruntime.spring.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A bad {@code async.runtime.*} value stops a real {@link SpringApplication} with Boot's own
 * failure analysis: one message naming the property, its value, where it came from and the range.
 */
@ExtendWith(OutputCaptureExtension.class)
class InvalidPropertyStartupTests {

    @Test
    void badPropertyStopsStartupWithOneClearMessage(CapturedOutput output) {
        SpringApplication application = new SpringApplication(RuntimeApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        assertThatException().isThrownBy(() -> application.run("--async.runtime.worker-threads=0"));
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("Invalid value '0' for configuration property 'async.runtime.worker-threads' "
                    + "(originating from '\"async.runtime.worker-threads\" from property source \"commandLineArgs\"')")
            .contains("Validation failed for the following reason:")
            .contains("workerThreads must be between 1 and 32767, got 0")
            .contains("Review the value of the property with the provided reason.");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(AsyncRuntimeAutoConfiguration.class)
    static class RuntimeApplication {

    }

}
