package io.asyncruntime.benchmarks;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The benchmarks measure the runtime through its public API only, as a user would. */
class ArchitectureTest {

    private static final JavaClasses BENCHMARKS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.asyncruntime.benchmarks");

    @Test
    void noBenchmarkClassUsesTheRuntimeInternals() {
        noClasses().that().resideInAPackage("io.asyncruntime.benchmarks..")
                .should().dependOnClassesThat().resideInAPackage("io.asyncruntime.internal..")
                .because("io.asyncruntime.internal is not API (ARCHITECTURE.md); benchmarks use what users use")
                .check(BENCHMARKS);
    }
}
