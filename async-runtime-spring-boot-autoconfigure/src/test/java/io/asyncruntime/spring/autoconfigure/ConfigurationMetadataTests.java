package io.asyncruntime.spring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.jayway.jsonpath.JsonPath;
import io.asyncruntime.BlockingLimits;
import io.asyncruntime.RuntimeBuilder;
import org.junit.jupiter.api.Test;

import org.springframework.boot.convert.DurationStyle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated configuration metadata (what IDEs show) covers every property with a description
 * and the builder's default, and the README's table lists every property.
 */
class ConfigurationMetadataTests {

    @Test
    void everyPropertyIsInTheMetadataWithADescription() throws IOException {
        Map<String, Map<String, Object>> metadata = metadata();
        List<String> declared = propertyNames("async.runtime", AsyncRuntimeProperties.class);
        assertThat(declared).hasSizeGreaterThan(10);
        assertThat(metadata).containsKeys(declared.toArray(String[]::new));
        metadata.forEach((name, property) -> assertThat((String) property.get("description")).as(name)
            .isNotBlank()
            .doesNotStartWith("The ")
            .doesNotStartWith("A ")
            .endsWith("."));
    }

    @Test
    void defaultsInTheMetadataAreTheBuilders() throws IOException {
        Map<String, Map<String, Object>> metadata = metadata();
        assertThat(defaultOf(metadata, "global-queue-interval")).isEqualTo(RuntimeBuilder.DEFAULT_GLOBAL_QUEUE_INTERVAL);
        assertThat(defaultOf(metadata, "event-interval")).isEqualTo(RuntimeBuilder.DEFAULT_EVENT_INTERVAL);
        assertThat(defaultOf(metadata, "lifo-slot.max-polls")).isEqualTo(RuntimeBuilder.DEFAULT_MAX_LIFO_POLLS);
        assertThat(defaultOf(metadata, "lane-share.normal")).isEqualTo(RuntimeBuilder.DEFAULT_NORMAL_SHARE);
        assertThat(defaultOf(metadata, "lane-share.background")).isEqualTo(RuntimeBuilder.DEFAULT_BACKGROUND_SHARE);
        assertThat(DurationStyle.detectAndParse((String) defaultOf(metadata, "shutdown-timeout")))
            .isEqualTo(RuntimeBuilder.DEFAULT_SHUTDOWN_TIMEOUT);
        assertThat(defaultOf(metadata, "thread-name-prefix")).isEqualTo("async-runtime-worker-");
        assertThat(defaultOf(metadata, "max-blocking-threads")).isEqualTo(BlockingLimits.DEFAULT_MAX_THREADS);
        assertThat(defaultOf(metadata, "blocking-queue-capacity")).isEqualTo(BlockingLimits.DEFAULT_QUEUE_CAPACITY);
        assertThat(DurationStyle.detectAndParse((String) defaultOf(metadata, "blocking-keep-alive")))
            .isEqualTo(BlockingLimits.DEFAULT_KEEP_ALIVE);
        assertThat(DurationStyle.detectAndParse((String) defaultOf(metadata, "stall-threshold")))
            .isEqualTo(RuntimeBuilder.DEFAULT_STALL_THRESHOLD);
        AsyncRuntimeProperties.Pool pool = new AsyncRuntimeProperties.Pool();
        assertThat(BlockingLimits.defaults()).isEqualTo(BlockingLimits.defaults().maxThreads(pool.getMaxThreads())
            .queueCapacity(pool.getQueueCapacity()).keepAlive(pool.getKeepAlive()).virtualThreads(pool.isVirtualThreads()));
        assertThat(defaultOf(metadata, "enabled")).isEqualTo(true);
        assertThat(defaultOf(metadata, "task-integration.enabled")).isEqualTo(false);
        assertThat(Duration.ofSeconds(10)).isEqualTo(new AsyncRuntimeProperties().getShutdownTimeout());
    }

    @Test
    void theReadmeListsEveryProperty() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (String name : metadata().keySet()) {
            assertThat(readme).as("README row for %s", name).contains("| `" + name + "` |");
        }
    }

    private static Object defaultOf(Map<String, Map<String, Object>> metadata, String property) {
        return metadata.get("async.runtime." + property).get("defaultValue");
    }

    static Map<String, Map<String, Object>> metadata() throws IOException {
        try (InputStream in = ConfigurationMetadataTests.class
            .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            List<Map<String, Object>> properties = JsonPath.read(in, "$.properties[*]");
            Map<String, Map<String, Object>> byName = new TreeMap<>();
            properties.forEach((property) -> byName.put((String) property.get("name"), property));
            return byName;
        }
    }

    /** The property names a properties class declares, as the binder spells them. */
    private static List<String> propertyNames(String prefix, Class<?> type) {
        List<String> names = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            String name = prefix + "." + dashed(field.getName());
            if (field.getType().getEnclosingClass() == AsyncRuntimeProperties.class) {
                names.addAll(propertyNames(name, field.getType()));
            }
            else {
                names.add(name);
            }
        }
        return names;
    }

    private static String dashed(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

}
