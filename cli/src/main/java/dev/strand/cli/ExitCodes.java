package dev.strand.cli;

import dev.strand.client.OutcomeUnknownException;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The exit codes of the {@code strand} command: the one place that defines them. Stable for scripts. */
public final class ExitCodes {
    public static final int OK = 0;
    /** A failure not listed below (a local I/O error, a bug). */
    public static final int FAILURE = 1;
    /** Bad command line (picocli's usage error). */
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    public static final int EXISTS = 4;
    /** Not a directory, is a directory, not empty, not a symlink, invalid move, cross-volume move. */
    public static final int WRONG_TYPE = 5;
    public static final int INVALID_ARGUMENT = 6;
    public static final int PERMISSION = 7;
    public static final int SERVER_IO_ERROR = 8;
    public static final int UNAVAILABLE = 9;
    public static final int PROTOCOL = 10;
    /** The file changed while it was being read (a resumed fetch found a newer version): run the command again. */
    public static final int CHANGED = 11;
    /** The change was applied, but on fewer replicas than the volume's min-replicas: do not repeat it. */
    public static final int UNDER_REPLICATED = 12;
    /**
     * A change was sent and no server said whether it was applied (the client asked again until its reconnect
     * timeout): look at what it was to change before running the command again.
     */
    public static final int OUTCOME_UNKNOWN = 13;
    /** The object is in conflict between the volume's replicas: see {@code strand repair list}. */
    public static final int CONFLICT = 14;
    /**
     * {@code strand server}: the cluster removed this node (it was downed, e.g. after a pause, or could not join);
     * a supervisor should start it again (75 is sysexits' EX_TEMPFAIL).
     */
    public static final int REMOVED_FROM_CLUSTER = 75;

    private ExitCodes() {}

    /** The exit code for a server status. Exhaustive: a new status must be given a code here. */
    public static int of(Status status) {
        return switch (status) {
            case NOT_FOUND, STALE, NO_SUCH_VOLUME -> NOT_FOUND;
            case EXISTS, VOLUME_EXISTS -> EXISTS;
            case NOT_A_DIRECTORY, IS_A_DIRECTORY, NOT_EMPTY, INVALID_MOVE, CROSS_VOLUME, NOT_A_SYMLINK -> WRONG_TYPE;
            case BAD_NAME, NAME_TOO_LONG, INVALID_ARGUMENT, BAD_VOLUME_NAME, BAD_REQUEST, FILE_TOO_LARGE,
                 TOO_MANY_LINKS -> INVALID_ARGUMENT;
            case PERMISSION_DENIED, NOT_AUTHENTICATED -> PERMISSION;
            case IO_ERROR, INTERNAL -> SERVER_IO_ERROR;
            case UNAVAILABLE, TIMEOUT, SHUTTING_DOWN, TOO_MANY_REQUESTS -> UNAVAILABLE;
            case PROTOCOL_VERSION_MISMATCH, WRONG_CLUSTER, BAD_FRAME, UNKNOWN_OPCODE, GREETING_REQUIRED,
                 DUPLICATE_REQUEST_ID, REQUEST_ID_REUSED -> PROTOCOL;
            case CHANGED -> CHANGED;
            case UNDER_REPLICATED -> UNDER_REPLICATED;
            case CONFLICT -> CONFLICT;
        };
    }

    /** The exit code for any failure: a server status, or a local file error. */
    public static int of(Throwable failure) {
        Throwable t = failure instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : failure;
        if (t instanceof OutcomeUnknownException) {
            return OUTCOME_UNKNOWN;
        }
        if (t instanceof StrandException se) {
            return of(se.status());
        }
        if (t instanceof NoSuchFileException) {
            return NOT_FOUND;
        }
        if (t instanceof FileAlreadyExistsException) {
            return EXISTS;
        }
        if (t instanceof NotDirectoryException || t instanceof DirectoryNotEmptyException) {
            return WRONG_TYPE;
        }
        if (t instanceof AccessDeniedException) {
            return PERMISSION;
        }
        return FAILURE;
    }

    /** Code -> meaning, in order, for the "Exit codes" section of the help. */
    public static Map<String, String> descriptions() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put(Integer.toString(OK), "Success.");
        codes.put(Integer.toString(FAILURE), "Failure not listed below (e.g. a local file error).");
        codes.put(Integer.toString(USAGE), "Usage error: bad command, option or argument.");
        codes.put(Integer.toString(NOT_FOUND), "Not found: no such file, directory or volume; stale file.");
        codes.put(Integer.toString(EXISTS), "Already exists: file, directory or volume.");
        codes.put(Integer.toString(WRONG_TYPE), "Wrong type: not a directory, is a directory, not empty, "
                + "not a symbolic link, invalid or cross-volume move.");
        codes.put(Integer.toString(INVALID_ARGUMENT), "Bad name or invalid argument (mode, size, too long...).");
        codes.put(Integer.toString(PERMISSION), "Permission denied or not authenticated.");
        codes.put(Integer.toString(SERVER_IO_ERROR), "I/O or internal error on the server.");
        codes.put(Integer.toString(UNAVAILABLE), "Server unavailable: cannot connect, connection lost, "
                + "timeout, shutting down, busy.");
        codes.put(Integer.toString(PROTOCOL), "Protocol mismatch or wrong cluster.");
        codes.put(Integer.toString(CHANGED), "The file changed while it was being read; run the command again.");
        codes.put(Integer.toString(UNDER_REPLICATED), "The change was made, but on fewer replicas than the "
                + "volume's min-replicas; it is visible (do not repeat it) and less durable until they catch up.");
        codes.put(Integer.toString(OUTCOME_UNKNOWN), "Outcome unknown: a change was sent but no server said whether "
                + "it was applied (e.g. put: whether the file was replaced); look before running the command again.");
        codes.put(Integer.toString(CONFLICT), "The object is in conflict between the volume's replicas; "
                + "see 'strand repair list' and repair it.");
        codes.put(Integer.toString(REMOVED_FROM_CLUSTER), "strand server: the cluster removed (downed) this node; "
                + "start it again.");
        return codes;
    }
}
