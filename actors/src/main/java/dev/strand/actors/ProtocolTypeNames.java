package dev.strand.actors;

import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.HelloReply;
import dev.strand.protocol.message.Pong;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.ReadLinkReply;
import dev.strand.protocol.message.RepairCheckReply;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.ValidateReply;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.VolumeListReply;
import dev.strand.protocol.message.WalkReply;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The names under which protocol requests and replies travel between nodes inside actor messages (fields
 * typed {@code Request} or {@code Reply}, marked {@code @JsonTypeInfo(use = NAME)}): a request by its
 * opcode's name, a reply by the name below. Names, unlike Java class names, survive a class being renamed
 * or moved. Registered with Pekko's Jackson serializers in reference.conf
 * ({@code pekko.serialization.jackson.jackson-modules}).
 *
 * <p>A name, once used, is never given to another type. Older nodes wrote the Java class name
 * ({@code @class}); {@link TypeNamesMigration} reads those.
 */
public final class ProtocolTypeNames extends SimpleModule {

    private static final Map<Class<? extends Reply>, String> REPLIES = new LinkedHashMap<>();

    static {
        REPLIES.put(HelloReply.class, "hello-reply");
        REPLIES.put(Empty.class, "empty");
        REPLIES.put(Pong.class, "pong");
        REPLIES.put(VolumeInfo.class, "volume-info");
        REPLIES.put(VolumeListReply.class, "volume-list-reply");
        REPLIES.put(Attr.class, "attr");
        REPLIES.put(WalkReply.class, "walk-reply");
        REPLIES.put(ReadDirReply.class, "read-dir-reply");
        REPLIES.put(ReadLinkReply.class, "read-link-reply");
        REPLIES.put(ValidateReply.class, "validate-reply");
        REPLIES.put(FetchReply.class, "fetch-reply");
        REPLIES.put(RepairCheckReply.class, "repair-check-reply");
        REPLIES.put(dev.strand.protocol.message.RepairListReply.class, "repair-list-reply");
        REPLIES.put(dev.strand.protocol.message.RepairShowReply.class, "repair-show-reply");
    }

    /** Type name by Java class name, for every request and reply type. */
    private static final Map<String, String> BY_CLASS_NAME = new HashMap<>();

    static {
        for (Opcode op : Opcode.values()) {
            BY_CLASS_NAME.put(op.requestType().getName(), op.name());
            if (!REPLIES.containsKey(op.replyType())) {
                throw new IllegalStateException("no type name for " + op.replyType().getName()
                        + ": add one to " + ProtocolTypeNames.class.getName());
            }
        }
        REPLIES.forEach((type, name) -> BY_CLASS_NAME.put(type.getName(), name));
    }

    public ProtocolTypeNames() {
        super("strand-protocol-type-names");
        for (Opcode op : Opcode.values()) {
            registerSubtypes(new NamedType(op.requestType(), op.name()));
        }
        REPLIES.forEach((type, name) -> registerSubtypes(new NamedType(type, name)));
    }

    /** The type name of the request or reply class named {@code className}, or null if it is neither. */
    public static String nameOf(String className) {
        return BY_CLASS_NAME.get(className);
    }
}
