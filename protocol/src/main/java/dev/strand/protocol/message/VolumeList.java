package dev.strand.protocol.message;

/**
 * One page of the cluster's volumes, in name order: those whose name sorts after {@code after} (from the first when
 * absent), at most {@code limit} of them (the server's own page size when 0, and never more than fits one frame).
 */
public record VolumeList(String after, int limit) implements Request {

    /** The first page, as large as the server makes it. */
    public VolumeList() {
        this(null, 0);
    }
}
