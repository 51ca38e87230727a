package dev.strand.protocol;

import dev.strand.protocol.message.*;

/**
 * Numbered operations of the wire protocol. A number, once published, is never reused: a retired
 * operation stays here as a comment with its number.
 */
public enum Opcode {
    // connection
    HELLO(1, Hello.class, HelloReply.class),
    FAREWELL(2, Farewell.class, Empty.class),
    PING(3, Ping.class, Pong.class),

    // volumes (Coda's volume location and replication databases)
    VOLUME_CREATE(10, VolumeCreate.class, VolumeInfo.class),
    VOLUME_LIST(11, VolumeList.class, VolumeListReply.class),
    VOLUME_INFO(12, VolumeInfoRequest.class, VolumeInfo.class),

    // reads
    GET_ATTR(20, GetAttr.class, Attr.class),
    WALK(21, Walk.class, WalkReply.class),
    READ_DIR(22, ReadDir.class, ReadDirReply.class),
    READ_LINK(23, ReadLink.class, ReadLinkReply.class),
    /** Every replica's version of one object, and whether they agree. */
    VALIDATE(24, Validate.class, ValidateReply.class),

    // namespace mutations
    CREATE(30, Create.class, Attr.class),
    MKDIR(31, MkDir.class, Attr.class),
    SYMLINK(32, Symlink.class, Attr.class),
    LINK(33, Link.class, Attr.class),
    REMOVE(34, Remove.class, Empty.class),
    RMDIR(35, RmDir.class, Empty.class),
    RENAME(36, Rename.class, Empty.class),
    SET_ATTR(37, SetAttr.class, Attr.class),

    // file contents
    STORE(40, Store.class, Attr.class),
    FETCH(41, Fetch.class, FetchReply.class),
    /** A small file's whole contents in one request: created (or its contents replaced) in one change. */
    PUT(42, Put.class, Attr.class),

    // conflicts and their repair
    /** The objects and names in conflict in a volume, a page at a time. */
    REPAIR_LIST(50, RepairList.class, RepairListReply.class),
    /** Every replica's version of an object in conflict. */
    REPAIR_SHOW(51, RepairShow.class, RepairShowReply.class),
    /** One replica's version of a file in conflict becomes every replica's. */
    REPAIR_FILE(52, RepairFile.class, Attr.class),
    /** For each name of a directory in conflict, one replica's binding becomes every replica's. */
    REPAIR_DIR(53, RepairDir.class, Attr.class),
    /** Compare the replicas' volume vectors now and start what they need (catch-up, resolution). */
    REPAIR_CHECK(54, RepairCheck.class, RepairCheckReply.class);

    private final int code;
    private final Class<? extends Request> requestType;
    private final Class<? extends Reply> replyType;

    Opcode(int code, Class<? extends Request> requestType, Class<? extends Reply> replyType) {
        this.code = code;
        this.requestType = requestType;
        this.replyType = replyType;
    }

    public int code() {
        return code;
    }

    public Class<? extends Request> requestType() {
        return requestType;
    }

    public Class<? extends Reply> replyType() {
        return replyType;
    }

    /** The opcode with this number, or null if there is none (an UNKNOWN_OPCODE error). */
    public static Opcode fromCode(int code) {
        for (Opcode op : values()) {
            if (op.code == code) {
                return op;
            }
        }
        return null;
    }

    /** The opcode whose request is of this type. */
    public static Opcode of(Request request) {
        for (Opcode op : values()) {
            if (op.requestType == request.getClass()) {
                return op;
            }
        }
        throw new IllegalArgumentException("no opcode for " + request.getClass().getName());
    }
}
