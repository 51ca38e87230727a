package dev.strand.protocol.message;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A file identifier, as Coda's: the volume, the vnode number within it, and a uniquifier that makes a
 * reused vnode number a different file. Encoded as a CBOR array {@code [volume, vnode, unique]}.
 */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
@JsonPropertyOrder({"volume", "vnode", "unique"})
public record Fid(long volume, long vnode, long unique) {
    /** Vnode number of every volume's root directory. */
    public static final long ROOT_VNODE = 1;

    public static Fid root(long volume) {
        return new Fid(volume, ROOT_VNODE, 1);
    }

    @Override
    public String toString() {
        return volume + "." + vnode + "." + unique;
    }
}
