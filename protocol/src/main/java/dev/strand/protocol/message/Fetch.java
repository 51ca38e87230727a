package dev.strand.protocol.message;

/**
 * Reads a regular file from {@code offset}, {@code length} bytes at most (-1: to the end). The server
 * answers with DATA frames and then a REPLY carrying {@link FetchReply}.
 *
 * <p>{@code expectDataVersion} (optional, null: any) is the {@link Attr#dataVersion()} the bytes must come
 * from: if the file's current version differs the server refuses with CHANGED. A client that resumes an
 * interrupted fetch sends the version of its first attempt, so that it never splices two versions.
 */
public record Fetch(Fid fid, long offset, long length, Long expectDataVersion) implements Request {

    /** A fetch of whatever version the file has. */
    public Fetch(Fid fid, long offset, long length) {
        this(fid, offset, length, null);
    }
}
