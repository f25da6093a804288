package io.asyncruntime.spring.autoconfigure;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.autoconfigure.endpoint.AsyncRuntimeEndpoint;
import io.asyncruntime.spring.autoconfigure.metrics.AsyncRuntimeMeterBinder;
import io.asyncruntime.spring.autoconfigure.metrics.AsyncRuntimePollTimers;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's three tables (properties, meters, endpoint) against the code: every property of
 * the generated metadata has a row with the metadata's default, and no row names a property that
 * does not exist; every meter a runtime registers has a row and every row is a meter; every field
 * of the endpoint's responses is named.
 */
class ReadmeTablesTests {

    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| ([^|]*) \\|", Pattern.MULTILINE);

    @Test
    void everyPropertyRowMatchesTheMetadataAndItsDefault() throws IOException {
        Map<String, Map<String, Object>> metadata = ConfigurationMetadataTests.metadata();
        Map<String, String> rows = rows(section("### Properties", "### Meters"));
        for (Map.Entry<String, String> row : rows.entrySet()) {
            String name = row.getKey();
            if (name.startsWith("management.endpoint.asyncruntime.")) {
                continue; // Boot's own endpoint properties: in Boot's metadata, not the starter's
            }
            String property = name.replaceFirst("\\.<name>\\..*$", "");
            assertThat(metadata).as("README row %s is a property of the metadata", name).containsKey(property);
            Object documented = metadata.get(name) != null ? metadata.get(name).get("defaultValue") : null;
            if (documented != null) {
                assertThat(row.getValue().trim()).as("README default of %s", name).isEqualTo("`" + documented + "`");
            }
        }
        assertThat(rows.keySet()).as("README property rows").containsAll(metadata.keySet());
    }

    @Test
    void everyMeterARuntimeRegistersHasARowAndEveryRowIsAMeter() throws IOException {
        Set<String> registered = new TreeSet<>();
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new AsyncRuntimeMeterBinder(runtime, "runtime").bindTo(registry);
            new AsyncRuntimePollTimers().bindTo(registry, Tags.of("runtime", "runtime"), runtime, 64);
            registry.getMeters().forEach((meter) -> registered.add(meter.getId().getName()));
        }
        assertThat(registered).hasSizeGreaterThan(30);
        assertThat(new TreeSet<>(rows(section("### Meters", "### Endpoint")).keySet())).isEqualTo(registered);
    }

    @Test
    void everyFieldOfTheEndpointsResponsesIsNamed() throws IOException {
        String endpoint = section("### Endpoint", "## Modules");
        for (Class<?> type : AsyncRuntimeEndpoint.class.getDeclaredClasses()) {
            if (!type.isRecord()) {
                continue;
            }
            for (RecordComponent component : type.getRecordComponents()) {
                String name = component.getName();
                assertThat(endpoint.contains("`" + name + "`") || endpoint.contains("\"" + name + "\""))
                    .as("README endpoint table names %s.%s", type.getSimpleName(), name)
                    .isTrue();
            }
        }
        assertThat(endpoint).contains("`GET /actuator/asyncruntime`")
            .contains("`GET /actuator/asyncruntime/" + AsyncRuntimeEndpoint.TASKS + "?limit=");
    }

    private static Map<String, String> rows(String table) {
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher row = ROW.matcher(table);
        while (row.find()) {
            rows.put(row.group(1), row.group(2));
        }
        return rows;
    }

    private static String section(String from, String to) throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf(from);
        int end = readme.indexOf(to, start);
        assertThat(start).as("README section %s", from).isNotNegative();
        assertThat(end).as("README section after %s", from).isGreaterThan(start);
        return readme.substring(start, end);
    }

}
