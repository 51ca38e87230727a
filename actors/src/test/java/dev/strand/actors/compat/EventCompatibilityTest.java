package dev.strand.actors.compat;

import dev.strand.actors.registry.RegistryEvent;
import dev.strand.actors.registry.RegistryState;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.volume.VolumeEvent;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.volume.VolumeSnapshot;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Events and snapshots in the journal, and messages from nodes still running the previous release, were
 * written by older code: today's code must read every golden file (see
 * {@code src/test/resources/compat/README.md}) as the sample it was written from.
 */
class EventCompatibilityTest {

    private static final String HOW_TO_WRITE = "add a sample for it to " + CompatSamples.class.getSimpleName()
            + " and run " + GoldenFileWriter.class.getSimpleName() + " for actors/src/test/resources/compat/"
            + CompatSamples.NEWEST_VERSION + " (see actors/src/test/resources/compat/README.md)";

    /** What the journal, the snapshot store and other nodes hand to this code. */
    private static final List<Class<?>> SERIALISED_ROOTS = List.of(VolumeEvent.class, VolumeSnapshot.class,
            RegistryEvent.class, RegistryState.class, VolumeReplica.Command.class, VolumeReplica.Result.class,
            VolumeRegistry.Command.class, VolumeRegistry.Result.class);

    private static ActorSystem<Void> system;
    private static final Map<String, Map<String, Object>> samplesByVersion = new HashMap<>();

    @BeforeAll
    static void startActorSystem() {
        system = CompatActorSystem.start();
    }

    @AfterAll
    static void stopActorSystem() throws Exception {
        CompatActorSystem.stop(system);
    }

    static List<GoldenFile> goldenFiles() {
        return GoldenFile.all();
    }

    private static Map<String, Object> samples(String version) {
        return samplesByVersion.computeIfAbsent(version, v -> CompatSamples.forVersion(v, system));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void aGoldenFileReadsAsTheSampleItWasWrittenFrom(GoldenFile file) {
        Object expected = samples(file.version()).get(file.name());
        assertThat(expected).as("the sample of golden file %s (samples of a written golden file are never removed)",
                file).isNotNull();

        Object read;
        try {
            read = CompatActorSystem.serialization(system)
                    .deserialize(file.bytes(), file.serializerId(), file.manifest()).get();
        } catch (Exception e) {
            throw new AssertionError("golden file " + file + " (" + file.manifest() + ") can no longer be read. "
                    + "Data written by " + file.version() + " must stay readable: keep the class name and "
                    + "component types, or register a JacksonMigration for the class (see VolumeEvent).", e);
        }

        assertThat(read).as("golden file %s read with today's code", file).isEqualTo(expected);
    }

    @Test
    void everyClassThatIsJournalledOrSentBetweenNodesHasAGoldenFile() {
        Set<String> covered = GoldenFile.all().stream().map(GoldenFile::className).collect(Collectors.toSet());

        List<String> missing = SERIALISED_ROOTS.stream()
                .flatMap(EventCompatibilityTest::concreteClasses)
                .filter(c -> !NoSerializationVerificationNeeded.class.isAssignableFrom(c)) // local messages only
                .map(Class::getName)
                .filter(name -> !covered.contains(name))
                .toList();

        if (!missing.isEmpty()) {
            fail("no golden file for " + String.join(", ", missing) + ": " + HOW_TO_WRITE);
        }
    }

    @Test
    void everySampleOfTheNewestVersionHasAGoldenFile() {
        Set<String> written = GoldenFile.all().stream()
                .filter(f -> f.version().equals(CompatSamples.NEWEST_VERSION))
                .map(GoldenFile::name)
                .collect(Collectors.toSet());

        List<String> unwritten = samples(CompatSamples.NEWEST_VERSION).keySet().stream()
                .filter(name -> !written.contains(name))
                .toList();

        if (!unwritten.isEmpty()) {
            fail("samples without a golden file: " + String.join(", ", unwritten) + ": run "
                    + GoldenFileWriter.class.getSimpleName() + " (see actors/src/test/resources/compat/README.md)");
        }
    }

    /** {@code root} itself, or every concrete class of its sealed hierarchy. */
    private static Stream<Class<?>> concreteClasses(Class<?> root) {
        if (root.isSealed()) {
            return Arrays.stream(root.getPermittedSubclasses()).flatMap(EventCompatibilityTest::concreteClasses);
        }
        return Stream.of(root);
    }
}
