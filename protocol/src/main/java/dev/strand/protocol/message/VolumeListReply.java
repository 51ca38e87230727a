package dev.strand.protocol.message;

import java.util.List;

/**
 * A page of volumes. {@code more} is true when volumes follow the last one in this page; ask again with
 * {@code after} set to its name. (It is {@code more} rather than READ_DIR's {@code eof} so that the reply of a server
 * from before paging, which has no such field, reads as complete.)
 */
public record VolumeListReply(List<VolumeInfo> volumes, boolean more) implements Reply {

    /** A complete list, in one page. */
    public VolumeListReply(List<VolumeInfo> volumes) {
        this(volumes, false);
    }
}
