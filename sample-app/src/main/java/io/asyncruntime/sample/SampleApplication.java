package io.asyncruntime.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small service on async-runtime: the starter auto-configures the runtime, and the controllers
 * spawn work on it and hand its join handles to Spring MVC.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }

}
