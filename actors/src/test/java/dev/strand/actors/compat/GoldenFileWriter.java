package dev.strand.actors.compat;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Writes the golden files of one version folder: each sample of {@link CompatSamples} serialised through
 * Pekko's SerializationExtension, as the journal, the snapshot store and remoting would. Only samples
 * without a golden file are written; an existing golden file is never replaced. See
 * {@code actors/src/test/resources/compat/README.md}.
 *
 * <p>Usage: {@code GoldenFileWriter <folder>}, e.g. {@code actors/src/test/resources/compat/v1}; the
 * folder's name is the version whose samples are written.
 */
public final class GoldenFileWriter {

    private GoldenFileWriter() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: GoldenFileWriter <version folder, e.g. actors/src/test/resources/compat/"
                    + CompatSamples.NEWEST_VERSION + ">");
            System.exit(2);
        }
        Path folder = Path.of(args[0]).toAbsolutePath().normalize();
        String version = folder.getFileName().toString();
        if (!GoldenFile.isVersionFolder(version)) {
            throw new IllegalArgumentException("'" + folder + "' is not a version folder (v1, v2, ...)");
        }
        ActorSystem<Void> system = CompatActorSystem.start();
        try {
            write(system, version, folder);
        } finally {
            CompatActorSystem.stop(system);
        }
    }

    private static void write(ActorSystem<Void> system, String version, Path folder) throws Exception {
        Serialization serialization = CompatActorSystem.serialization(system);
        int written = 0;
        int kept = 0;
        for (Map.Entry<String, Object> sample : CompatSamples.forVersion(version, system).entrySet()) {
            String name = sample.getKey();
            if (GoldenFile.exists(folder, name)) {
                kept++;
                continue;
            }
            GoldenFile file = serialise(serialization, version, name, sample.getValue());
            file.writeTo(folder);
            System.out.println("wrote " + file + " (" + file.manifest() + ", " + file.bytes().length + " bytes)");
            written++;
        }
        System.out.println(written + " golden files written, " + kept + " existing ones kept, in " + folder);
    }

    /** Serialises {@code sample}, and checks it reads back as itself before it becomes a golden file. */
    private static GoldenFile serialise(Serialization serialization, String version, String name, Object sample) {
        Serializer serializer = serialization.findSerializerFor(sample);
        String manifest = Serializers.manifestFor(serializer, sample);
        byte[] bytes = serialization.serialize(sample).get(); // sets the system actor references need
        Object back = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
        if (!Objects.equals(back, sample)) {
            throw new IllegalStateException("sample " + name + " does not survive serialisation: wrote "
                    + sample + ", read " + back);
        }
        return new GoldenFile(version, name, serializer.identifier(), manifest, bytes);
    }
}
