package dev.strand.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import dev.strand.protocol.error.BadNameException;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.message.EntryName;
import dev.strand.protocol.message.ErrorBody;
import dev.strand.protocol.message.Message;

import java.io.IOException;
import java.lang.reflect.RecordComponent;

/**
 * CBOR bodies. Unknown fields are ignored and absent fields read as null/0, so either side may add
 * optional fields without a protocol version change.
 */
public final class WireCodec {
    private static final ObjectMapper MAPPER = CBORMapper.builder()
            .addModule(new ParameterNamesModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private WireCodec() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] encode(Message message) {
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decodes a body; a malformed one is a {@link BadRequestException} (the connection stays open). Every body
     * passes {@link CborScreen} first: this is the one place where text from the wire is checked to be valid
     * UTF-8 (in a field marked {@link EntryName}, invalid text is a {@link BadNameException}), so that no request
     * can carry text that an event, a reply or an ERROR could not encode again.
     */
    public static <T> T decode(byte[] body, Class<T> type) {
        try {
            CborScreen.check(body);
        } catch (CborScreen.Rejected e) {
            if (e.invalidText() && isEntryName(type, e.field())) {
                throw new BadNameException("a name in '" + e.field() + "' is not valid UTF-8");
            }
            throw new BadRequestException("malformed " + type.getSimpleName() + " body: " + e.getMessage()
                    + (e.field() == null ? "" : " (in '" + e.field() + "')"));
        }
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw new BadRequestException("empty " + type.getSimpleName() + " body");
            }
            return value;
        } catch (IOException e) {
            throw new BadRequestException("malformed " + type.getSimpleName() + " body: " + firstLine(e.getMessage()));
        }
    }

    /** The exception an ERROR frame body stands for. */
    public static StrandException decodeError(byte[] body) {
        ErrorBody error;
        try {
            error = MAPPER.readValue(body, ErrorBody.class);
        } catch (IOException e) {
            return Status.INTERNAL.exception("unreadable error body from server");
        }
        return Status.fromCode(error.code()).exception(error.message());
    }

    private static boolean isEntryName(Class<?> type, String field) {
        if (field == null || !type.isRecord()) {
            return false;
        }
        for (RecordComponent component : type.getRecordComponents()) {
            if (component.getName().equals(field)) {
                return component.isAnnotationPresent(EntryName.class);
            }
        }
        return false;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
