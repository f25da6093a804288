package io.asyncruntime.sample;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample uses the runtime the way users do: through its public API only.
 */
class ArchitectureTests {

    @Test
    void noClassUsesRuntimeInternals() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.asyncruntime.sample");
        assertThat(classes).isNotEmpty();
        noClasses().should()
            .dependOnClassesThat()
            .resideInAPackage("io.asyncruntime.internal..")
            .because("io.asyncruntime.internal is not API")
            .check(classes);
    }

}
