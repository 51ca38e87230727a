package dev.strand.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.message.ErrorBody;
import dev.strand.protocol.message.Message;

import java.io.IOException;

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

    /** Decodes a body; a malformed one is a {@link BadRequestException} (the connection stays open). */
    public static <T> T decode(byte[] body, Class<T> type) {
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

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
