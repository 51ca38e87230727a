package dev.strand.cli.bench;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Random;

/**
 * {@code length} bytes made up on the fly: a pseudo-random pattern of at most 1 MiB, repeated. Nothing touches the
 * disk and memory stays at the pattern's size, whatever the length.
 */
public final class GeneratedData implements ReadableByteChannel {
    private static final int PATTERN_SIZE = 1 << 20;

    private final byte[] pattern;
    private final long length;
    private long position;
    private boolean open = true;

    public GeneratedData(long length, long seed) {
        this.length = length;
        // no longer than the data: a 4 KiB file must not cost the bench 1 MiB of random numbers (about 10 ms)
        this.pattern = new byte[(int) Math.max(1, Math.min(PATTERN_SIZE, length))];
        new Random(seed).nextBytes(pattern);
    }

    @Override
    public int read(ByteBuffer dst) {
        if (position >= length) {
            return -1;
        }
        int total = 0;
        while (dst.hasRemaining() && position < length) {
            int offset = (int) (position % pattern.length);
            int n = (int) Math.min(Math.min(dst.remaining(), pattern.length - offset), length - position);
            dst.put(pattern, offset, n);
            position += n;
            total += n;
        }
        return total;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }
}
