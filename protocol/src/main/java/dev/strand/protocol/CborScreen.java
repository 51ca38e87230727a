package dev.strand.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks a CBOR body in one linear pass before Jackson binds it, for what Jackson does not check: every text
 * string (map keys included) must be valid UTF-8, since Jackson turns ill-formed bytes into lone surrogates
 * that no encoder can write again (an event that cannot be persisted, an ERROR that cannot be sent); and
 * arrays, maps and tags together nest at most {@link ProtocolLimits#MAX_NESTING_DEPTH} deep. Jackson's own
 * {@code StreamReadConstraints.maxNestingDepth} does not count tags, and a body of a million nested tags costs
 * its parser seconds; here it costs one step per byte.
 */
final class CborScreen {

    /** Why a body was refused; {@code field} is the top-level key the offending item sits under, or null. */
    static final class Rejected extends RuntimeException {
        private final String field;
        private final boolean invalidText;

        Rejected(String reason, String field, boolean invalidText) {
            super(reason, null, false, false);
            this.field = field;
            this.invalidText = invalidText;
        }

        String field() {
            return field;
        }

        /** True when the body is well-formed CBOR but holds text that is not valid UTF-8. */
        boolean invalidText() {
            return invalidText;
        }
    }

    private static final int BREAK = 0xff;
    private static final int INDEFINITE = 31;

    private final byte[] body;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private int pos;

    private CborScreen(byte[] body) {
        this.body = body;
    }

    /** Checks the first data item of {@code body}; what follows it is left to the decoder. */
    static void check(byte[] body) {
        if (body.length == 0) {
            return; // Jackson reports an empty body as such
        }
        new CborScreen(body).item(1, null, true);
    }

    /**
     * Walks one data item at nesting {@code depth} (the body itself is 1). Returns the text of a definite-length
     * text string (else null), so that the keys of the body's own map ({@code topLevel}) can name the field an
     * error is in.
     */
    private String item(int depth, String field, boolean topLevel) {
        if (depth > ProtocolLimits.MAX_NESTING_DEPTH) {
            throw new Rejected("arrays, maps and tags nest deeper than " + ProtocolLimits.MAX_NESTING_DEPTH, field, false);
        }
        int initial = next(field);
        int major = initial >>> 5;
        int info = initial & 0x1f;
        switch (major) {
            case 0, 1 -> argument(info, field);
            case 2, 3 -> {
                if (info == INDEFINITE) {
                    while (peek(field) != BREAK) {
                        int chunk = next(field);
                        if (chunk >>> 5 != major || (chunk & 0x1f) == INDEFINITE) {
                            throw new Rejected("malformed chunk in an indefinite-length string", field, false);
                        }
                        string(major, argument(chunk & 0x1f, field), field);
                    }
                    pos++;
                    return null;
                }
                return string(major, argument(info, field), field);
            }
            case 4 -> {
                if (info == INDEFINITE) {
                    while (peek(field) != BREAK) {
                        item(depth + 1, field, false);
                    }
                    pos++;
                } else {
                    for (long n = count(info, field); n > 0; n--) {
                        item(depth + 1, field, false);
                    }
                }
            }
            case 5 -> {
                if (info == INDEFINITE) {
                    while (peek(field) != BREAK) {
                        entry(depth, field, topLevel);
                    }
                    pos++;
                } else {
                    for (long n = count(info, field); n > 0; n--) {
                        entry(depth, field, topLevel);
                    }
                }
            }
            case 6 -> {
                argument(info, field);
                item(depth + 1, field, false); // a tag wraps the item after it: one level deeper
            }
            default -> { // 7: simple values and floats
                if (info == INDEFINITE) {
                    throw new Rejected("unexpected break", field, false);
                }
                argument(info, field);
            }
        }
        return null;
    }

    /** A key and its value; under the body's own map, the key names the field for error reports. */
    private void entry(int depth, String field, boolean topLevel) {
        String key = item(depth + 1, field, false);
        item(depth + 1, topLevel ? key : field, false);
    }

    /** How many items an array or map announces; each takes at least a byte, so more than are left is malformed. */
    private long count(int info, String field) {
        long n = argument(info, field);
        if (n < 0 || n > body.length - pos) {
            throw new Rejected("an array or map announces more items than the body holds", field, false);
        }
        return n;
    }

    /** The item's argument (a value, a length or a count); skips a float's bytes. */
    private long argument(int info, String field) {
        if (info < 24) {
            return info;
        }
        int bytes = switch (info) {
            case 24 -> 1;
            case 25 -> 2;
            case 26 -> 4;
            case 27 -> 8;
            default -> throw new Rejected("reserved additional information " + info, field, false);
        };
        require(bytes, field);
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            value = (value << 8) | (body[pos++] & 0xff);
        }
        return value;
    }

    private String string(int major, long length, String field) {
        if (length < 0 || length > body.length - pos) {
            throw new Rejected("a string runs past the end of the body", field, false);
        }
        int start = pos;
        pos += (int) length;
        if (major != 3) {
            return null;
        }
        try {
            return utf8.reset().decode(ByteBuffer.wrap(body, start, (int) length)).toString();
        } catch (CharacterCodingException e) {
            throw new Rejected("text that is not valid UTF-8", field, true);
        }
    }

    private int next(String field) {
        require(1, field);
        return body[pos++] & 0xff;
    }

    private int peek(String field) {
        require(1, field);
        return body[pos] & 0xff;
    }

    private void require(int bytes, String field) {
        if (body.length - pos < bytes) {
            throw new Rejected("the body ends inside a data item", field, false);
        }
    }
}
