package io.asyncruntime.sample.redis;

import io.asyncruntime.AsyncRuntime;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The RESP server's beans: the {@link Keyspace} and the {@link RespServerLifecycle} that runs the
 * server on the starter's {@link AsyncRuntime} bean. Off with {@code sample.redis.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RedisProperties.class)
@ConditionalOnProperty(prefix = "sample.redis", name = "enabled", matchIfMissing = true)
class RedisServerConfiguration {

    @Bean
    Keyspace keyspace(AsyncRuntime runtime) {
        return new Keyspace(runtime);
    }

    @Bean
    RespServerLifecycle respServerLifecycle(AsyncRuntime runtime, Keyspace keyspace, RedisProperties properties) {
        return new RespServerLifecycle(runtime, keyspace, properties.toSettings());
    }

}
