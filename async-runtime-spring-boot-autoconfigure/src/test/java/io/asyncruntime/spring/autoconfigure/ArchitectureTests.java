package io.asyncruntime.spring.autoconfigure;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auto-configuration uses the runtime's public API only: {@code io.asyncruntime.internal}
 * may change in any release.
 */
class ArchitectureTests {

    @Test
    void noClassUsesRuntimeInternals() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.asyncruntime.spring");
        assertThat(classes).isNotEmpty();
        noClasses().should()
            .dependOnClassesThat()
            .resideInAPackage("io.asyncruntime.internal..")
            .because("io.asyncruntime.internal is not API")
            .check(classes);
    }

}
