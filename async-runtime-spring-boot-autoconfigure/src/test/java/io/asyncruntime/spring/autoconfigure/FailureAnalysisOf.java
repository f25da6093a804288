package io.asyncruntime.spring.autoconfigure;

import java.util.List;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs Boot's own failure analyzers, as {@code SpringApplication} does at a failed start, over a
 * runner's startup failure: the message a user would read.
 */
final class FailureAnalysisOf {

    private FailureAnalysisOf() {
    }

    /**
     * The analysis of a runner's startup failure.
     * @param context the failed context
     * @param environment its environment (a failed context refuses to hand it out), captured by
     * an initializer
     */
    static FailureAnalysis startupFailure(AssertableApplicationContext context, Environment environment) {
        Throwable failure = context.getStartupFailure();
        assertThat(failure).isNotNull();
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
            .load(FailureAnalyzer.class, ArgumentResolver.of(Environment.class, environment)
                .and(BeanFactory.class, new DefaultListableBeanFactory()),
                    // As SpringApplication does: an analyzer that cannot be created here is skipped.
                    FailureHandler.handleMessage((message, ignored) -> {
                    }));
        for (FailureAnalyzer analyzer : analyzers) {
            FailureAnalysis analysis = analyzer.analyze(failure);
            if (analysis != null) {
                return analysis;
            }
        }
        throw new AssertionError("No failure analyzer describes " + failure, failure);
    }

}
