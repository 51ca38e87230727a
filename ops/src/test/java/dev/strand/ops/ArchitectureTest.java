package dev.strand.ops;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Dependencies point one way, between modules (dev.strand.&lt;module&gt;) and between the packages inside
 * them, so that each layer can be understood, tested and changed without the ones above it. This module
 * sees every other one on its class path, so it checks them all (production code only).
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importStrand() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.strand");
    }

    @Test
    void noCycleBetweenModules() {
        slices().matching("dev.strand.(*)..").should().beFreeOfCycles().check(classes);
    }

    /**
     * The protocols' rules (the volume model, replication, COP2, resolution and repair) are plain Java, tested
     * without Pekko; the actors are the adapters that feed them messages and persist their decisions. The one
     * exception is the resolution coordinator's protocol ({@code conflictrepair.resolution}), an actor of its own
     * that still knows the replicas only through its port: it may use Pekko, not the actors module.
     */
    @Test
    void theProtocolRulesKnowNeitherPekkoNorTheActors() {
        noClasses().that().resideInAnyPackage("dev.strand.volume..", "dev.strand.replication..", "dev.strand.cop2..",
                        "dev.strand.conflictrepair")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.pekko..", "dev.strand.actors..")
                .check(classes);
    }

    @Test
    void theResolutionProtocolKnowsTheReplicasOnlyThroughItsPort() {
        noClasses().that().resideInAnyPackage("dev.strand.conflictrepair..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.strand.actors..")
                .check(classes);
    }

    @Test
    void noCycleBetweenPackages() {
        slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(classes);
    }

    /**
     * One slice per package, except that {@code protocol.error} belongs to {@code protocol}: each
     * {@code Status} names the exception that stands for it and each exception its status, one vocabulary
     * split over two packages only to keep the list of exceptions apart.
     */
    private static final SliceAssignment PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            if (!name.startsWith("dev.strand.")) {
                return SliceIdentifier.ignore();
            }
            return SliceIdentifier.of(name.equals("dev.strand.protocol.error") ? "dev.strand.protocol" : name);
        }

        @Override
        public String getDescription() {
            return "packages of dev.strand (protocol.error counted with protocol)";
        }
    };
}
