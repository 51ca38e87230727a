package dev.strand.client;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;

/** The bytes of a store, and whether they can be sent again after a lost connection. */
final class Upload {
    final long length;
    final ReadableByteChannel source;
    /** Where a seekable source stood at the start; -1 if it cannot seek. */
    final long startPosition;
    /** Guarded by this object: a newer attempt (after a reconnect) waits for the older one to stop. */
    int attempts;
    volatile boolean consumed;
    /** A DATA_END was sent (on some attempt): only then may the server have committed the store. */
    volatile boolean ended;

    Upload(long length, ReadableByteChannel source) {
        this.length = length;
        this.source = source;
        long start = -1;
        if (source instanceof SeekableByteChannel seekable) {
            try {
                start = seekable.position();
            } catch (IOException e) {
                start = -1;
            }
        }
        this.startPosition = start;
    }

    boolean canStartOver() {
        return startPosition >= 0 || !consumed;
    }

    void rewind() throws IOException {
        if (startPosition >= 0) {
            ((SeekableByteChannel) source).position(startPosition);
        } else if (consumed) {
            throw new IOException("the source is a stream that cannot be rewound");
        }
    }
}
