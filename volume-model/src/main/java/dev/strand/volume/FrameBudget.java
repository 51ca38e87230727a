package dev.strand.volume;

import com.typesafe.config.Config;

/**
 * The one place where the size of what nodes send each other is bounded. Pekko remoting drops (and logs) a
 * message larger than {@code pekko.remote.artery.advanced.maximum-frame-size}: the asker only sees a timeout.
 * So every message that carries a list is cut into pages of at most {@link #pageBytes()} bytes, estimated with
 * costs that are upper bounds of the items' CBOR size (checked against the real serializer by the tests), and
 * the receiver asks for the next page with a cursor. Half the frame is left for the envelope (addresses,
 * manifest, reply-to) and the fields beside the list.
 *
 * <p>Cassandra bounds what is persisted separately: one journal write or snapshot is one mutation, at most half
 * the commit-log segment (see docs/architecture.md, "Bounded sizes").
 */
public record FrameBudget(int frameSize) {

    /** The setting every budget derives from; the server sets it explicitly (ops application.conf). */
    public static final String FRAME_SIZE_SETTING = "pekko.remote.artery.advanced.maximum-frame-size";

    /** Pekko's default frame size, and the smallest this code accepts: fixed-size pages are sized for it. */
    public static final int MIN_FRAME_SIZE = 256 * 1024;

    /** The budget of a node with the default frame size (what tests and pure code without a system use). */
    public static final FrameBudget DEFAULT = new FrameBudget(MIN_FRAME_SIZE);

    /** CBOR bytes of a UUID (Jackson writes it as a 16-byte binary string) with its header. */
    public static final int UUID_BYTES = 17;

    /** CBOR bytes of any integer at most (a header byte and 8 bytes). */
    public static final int NUMBER_BYTES = 9;

    public FrameBudget {
        if (frameSize < MIN_FRAME_SIZE) {
            throw new IllegalArgumentException(FRAME_SIZE_SETTING + " is " + frameSize + " bytes; Strand needs at least "
                    + MIN_FRAME_SIZE);
        }
    }

    public static FrameBudget of(Config config) {
        long bytes = config.getBytes(FRAME_SIZE_SETTING);
        return new FrameBudget((int) Math.min(Integer.MAX_VALUE, bytes));
    }


    /** How many bytes, by the items' estimated costs, one page of a list may take. */
    public int pageBytes() {
        return frameSize / 2;
    }

    /** How many UUIDs one page carries. */
    public int uuidsPerPage() {
        return pageBytes() / UUID_BYTES;
    }

    /** How many numbers (ids, vnode numbers) one page carries. */
    public int numbersPerPage() {
        return pageBytes() / NUMBER_BYTES;
    }

    /** An upper bound of the CBOR bytes of a text field's value: its header and UTF-8 bytes (null: 1 byte). */
    public static int text(String s) {
        if (s == null) {
            return 1;
        }
        int bytes = utf8Bytes(s);
        return (bytes < 24 ? 1 : bytes < 256 ? 2 : bytes < 65_536 ? 3 : 5) + bytes;
    }

    /** The UTF-8 length of {@code s} (a lone surrogate counts 3, the most any encoder writes for it). */
    public static int utf8Bytes(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
