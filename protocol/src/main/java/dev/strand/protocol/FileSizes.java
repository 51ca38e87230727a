package dev.strand.protocol;

import dev.strand.protocol.error.FileTooLargeException;
import dev.strand.protocol.error.InvalidArgumentException;

/**
 * The one place that says which file sizes, offsets and lengths a request may carry (docs/protocol.md,
 * sections 6.11 and 7), and that does their arithmetic without overflow.
 */
public final class FileSizes {
    private FileSizes() {}

    /** A file size: 0 to {@link ProtocolLimits#MAX_FILE_SIZE}. */
    public static long checkSize(long size, String what) {
        if (size < 0) {
            throw new InvalidArgumentException(what + " " + size + " is negative");
        }
        if (size > ProtocolLimits.MAX_FILE_SIZE) {
            throw new FileTooLargeException(what + " " + size + " exceeds the largest file size, "
                    + ProtocolLimits.MAX_FILE_SIZE + " bytes");
        }
        return size;
    }

    /** A STORE's {@code expectedLength}: -1 (not known) or a file size. */
    public static long checkExpectedLength(long expectedLength) {
        if (expectedLength == -1) {
            return expectedLength;
        }
        if (expectedLength < -1) {
            throw new InvalidArgumentException("STORE expectedLength " + expectedLength
                    + " is invalid: send the length, or -1 when it is not known");
        }
        return checkSize(expectedLength, "STORE expectedLength");
    }

    /** A FETCH's range: {@code offset} not negative, {@code length} -1 (to the end) or not negative. */
    public static void checkFetchRange(long offset, long length) {
        if (offset < 0) {
            throw new InvalidArgumentException("FETCH offset " + offset + " is negative");
        }
        if (length < -1) {
            throw new InvalidArgumentException("FETCH length " + length
                    + " is invalid: send a length, or -1 to read to the end");
        }
    }

    /**
     * Where a FETCH of {@code length} bytes (-1: all) from {@code start} ends in a file of {@code size} bytes,
     * with {@code 0 <= start <= size}; {@code start + length} may exceed 2^63, so it is never computed.
     */
    public static long fetchEnd(long start, long length, long size) {
        long available = size - start;
        return start + (length < 0 ? available : Math.min(length, available));
    }
}
