package dev.strand.protocol.message;

import dev.strand.protocol.ProtocolLimits;

/**
 * The body of an ERROR frame: the numeric status, its name (for humans and logs), and a message. The message
 * may echo what a client sent, so it is made encodable here, whoever builds it: cut to
 * {@link ProtocolLimits#MAX_ERROR_MESSAGE_CHARS} characters, and a lone surrogate (which UTF-8 cannot carry)
 * replaced by U+FFFD.
 */
public record ErrorBody(int code, String status, String message) implements Message {

    public ErrorBody {
        message = encodable(message);
    }

    private static String encodable(String text) {
        if (text == null) {
            return null;
        }
        int limit = ProtocolLimits.MAX_ERROR_MESSAGE_CHARS;
        int end = text.length();
        if (end > limit) {
            end = Character.isHighSurrogate(text.charAt(limit - 2)) ? limit - 2 : limit - 1; // room for the ellipsis
        }
        StringBuilder out = new StringBuilder(end + 1);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        if (end < text.length()) {
            out.append('\u2026');
        }
        return out.toString();
    }
}
