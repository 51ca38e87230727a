package dev.strand.actors;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * The volume model (events, snapshots) moved from package {@code dev.strand.actors.volume} to its own module,
 * package {@code dev.strand.volume}. Journals and snapshot stores hold the old class names as manifests; registered
 * under each old name (reference.conf), this names the class that now reads them. The JSON itself is unchanged.
 */
public final class VolumeModelMoveMigration extends JacksonMigration {

    static final String OLD_PACKAGE = "dev.strand.actors.volume.";
    static final String NEW_PACKAGE = "dev.strand.volume.";

    @Override
    public int currentVersion() {
        return 2;
    }

    @Override
    public String transformClassName(int fromVersion, String className) {
        return className.startsWith(OLD_PACKAGE) ? NEW_PACKAGE + className.substring(OLD_PACKAGE.length()) : className;
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
        return json;
    }
}
