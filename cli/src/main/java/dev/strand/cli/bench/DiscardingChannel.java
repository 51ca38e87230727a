package dev.strand.cli.bench;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** Accepts bytes and forgets them, counting how many came. */
public final class DiscardingChannel implements WritableByteChannel {
    private long count;

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        src.position(src.limit());
        count += n;
        return n;
    }

    public long count() {
        return count;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {
        // nothing held
    }
}
