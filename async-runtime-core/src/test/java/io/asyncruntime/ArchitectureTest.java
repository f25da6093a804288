package io.asyncruntime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/** The shape ARCHITECTURE.md sets for the core module, checked on its compiled classes. */
class ArchitectureTest {

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.asyncruntime");

    @Test
    void theImportSawTheCore() {
        assertThat(CORE.contain(AsyncRuntime.class)).isTrue();
        assertThat(CORE.size()).isGreaterThan(20);
    }

    @Test
    void coreHasNoSpringDependency() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta..")
                .check(CORE);
    }

    @Test
    void packagesInsideCoreFormNoCycles() {
        slices().assignedFrom(new EachPackageIsASlice()).should().beFreeOfCycles().check(CORE);
    }

    @Test
    void theTaskPackageDependsOnNoOtherRuntimePackage() {
        noClasses().that().resideInAPackage("io.asyncruntime.task..")
                .should().dependOnClassesThat().resideInAnyPackage("io.asyncruntime", "io.asyncruntime.internal..")
                .check(CORE);
    }

    /** Every package is its own slice, the root package included. */
    private static final class EachPackageIsASlice implements SliceAssignment {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            return SliceIdentifier.of(javaClass.getPackageName());
        }

        @Override
        public String getDescription() {
            return "each package of io.asyncruntime";
        }
    }
}
