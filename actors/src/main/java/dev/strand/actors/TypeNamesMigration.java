package dev.strand.actors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Version 2 of the messages that carry a protocol request or reply ({@code VolumeReplica.Execute},
 * {@code VolumeReplica.Result.Done}): the nested body names its type ({@code "@type": "CREATE"}, see
 * {@link ProtocolTypeNames}) where version 1 gave its Java class ({@code "@class":
 * "dev.strand.protocol.message.Create"}). Rewrites version-1 trees so that they still read.
 */
public final class TypeNamesMigration extends JacksonMigration {

    @Override
    public int currentVersion() {
        return 2;
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
        if (fromVersion < 2 && json instanceof ObjectNode message) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            message.fields().forEachRemaining(fields::add);
            for (Map.Entry<String, JsonNode> field : fields) {
                if (field.getValue() instanceof ObjectNode body && body.get("@class") != null) {
                    String name = ProtocolTypeNames.nameOf(body.get("@class").asText());
                    if (name != null) {
                        body.remove("@class");
                        body.put("@type", name);
                    }
                }
            }
        }
        return json;
    }
}
