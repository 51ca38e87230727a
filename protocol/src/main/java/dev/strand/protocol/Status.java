package dev.strand.protocol;

import dev.strand.protocol.error.*;

import java.util.function.Function;

/**
 * Typed error codes carried by ERROR frames. Codes are never reused; a retired code stays here as a
 * comment. {@code errno} is the POSIX error a file-system client (the CLI, later the FUSE mount)
 * reports for it.
 */
public enum Status {
    // 1-19: the connection and its framing
    BAD_FRAME(1, "EPROTO", BadFrameException::new),
    UNKNOWN_OPCODE(2, "ENOSYS", UnknownOpcodeException::new),
    BAD_REQUEST(3, "EINVAL", BadRequestException::new),
    PROTOCOL_VERSION_MISMATCH(4, "EPROTO", ProtocolVersionMismatchException::new),
    WRONG_CLUSTER(5, "EPROTO", WrongClusterException::new),
    NOT_AUTHENTICATED(6, "EACCES", NotAuthenticatedException::new),
    GREETING_REQUIRED(7, "EPROTO", GreetingRequiredException::new),
    DUPLICATE_REQUEST_ID(8, "EPROTO", DuplicateRequestIdException::new),
    /** A (client id, request id) pair the server remembers for another request: never a retry of it. */
    REQUEST_ID_REUSED(18, "EPROTO", RequestIdReusedException::new),

    // 20-29: volumes
    NO_SUCH_VOLUME(20, "ENOENT", NoSuchVolumeException::new),
    VOLUME_EXISTS(21, "EEXIST", VolumeExistsException::new),
    BAD_VOLUME_NAME(22, "EINVAL", BadVolumeNameException::new),

    // 30-59: file-system semantics
    NOT_FOUND(30, "ENOENT", NotFoundException::new),
    EXISTS(31, "EEXIST", ExistsException::new),
    NOT_A_DIRECTORY(32, "ENOTDIR", NotADirectoryException::new),
    IS_A_DIRECTORY(33, "EISDIR", IsADirectoryException::new),
    NOT_EMPTY(34, "ENOTEMPTY", NotEmptyException::new),
    BAD_NAME(35, "EINVAL", BadNameException::new),
    NAME_TOO_LONG(36, "ENAMETOOLONG", NameTooLongException::new),
    INVALID_ARGUMENT(37, "EINVAL", InvalidArgumentException::new),
    STALE(38, "ESTALE", StaleException::new),
    CROSS_VOLUME(39, "EXDEV", CrossVolumeException::new),
    INVALID_MOVE(40, "EINVAL", InvalidMoveException::new),
    NOT_A_SYMLINK(41, "EINVAL", NotASymlinkException::new),
    PERMISSION_DENIED(42, "EACCES", PermissionDeniedException::new),
    FILE_TOO_LARGE(43, "EFBIG", FileTooLargeException::new),
    TOO_MANY_LINKS(44, "EMLINK", TooManyLinksException::new),
    /** The file is no longer at the data version a FETCH expected (it was stored again, truncated...). */
    CHANGED(45, "ESTALE", ChangedException::new),
    /**
     * The object (or the name) is in conflict: resolution could not merge the replicas' versions of it, each replica
     * keeps its own, and nothing reads or changes it until {@code strand repair} picks one.
     */
    CONFLICT(46, "EIO", ConflictException::new),

    // 60-79: the server
    IO_ERROR(60, "EIO", StorageIOException::new),
    UNAVAILABLE(61, "EAGAIN", UnavailableException::new),
    TIMEOUT(62, "ETIMEDOUT", TimeoutException::new),
    INTERNAL(63, "EIO", InternalErrorException::new),
    SHUTTING_DOWN(64, "ESHUTDOWN", ShuttingDownException::new),
    TOO_MANY_REQUESTS(65, "EBUSY", TooManyRequestsException::new),
    /**
     * The change was applied, but on fewer replicas than the volume's min-replicas: it is visible, and
     * not as durable as the volume asks. Never sent for a change that was not applied.
     */
    UNDER_REPLICATED(70, "EIO", UnderReplicatedException::new);

    private final int code;
    private final String errno;
    private final Function<String, StrandException> factory;

    Status(int code, String errno, Function<String, StrandException> factory) {
        this.code = code;
        this.errno = errno;
        this.factory = factory;
    }

    public int code() {
        return code;
    }

    public String errno() {
        return errno;
    }

    /** The exception that stands for this status, with the server's message. */
    public StrandException exception(String message) {
        return factory.apply(message);
    }

    public static Status fromCode(int code) {
        for (Status s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return INTERNAL;
    }
}
